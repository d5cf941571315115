using HvoLab.Arch;

namespace HvoLab.Litmus;

/// <summary>
/// A walker may make the AF or dirty update for a later access of its thread before earlier instructions are
/// performed: herd orders a hardware update only after branches before it (dob "ctrl; [HU]"), after reads that an
/// earlier access's address depends on ("addr; [Exp &amp; M]; po; [HU]"), after the walks of earlier accesses ("[Imp &amp;
/// TTD &amp; R]; tr-ib; [Exp &amp; M]; po; [HU]") and after its own walk ("rmw"), not after earlier accesses, acquires,
/// DMBs or DSBs (bob, DSB-ob and the acquire rule order explicit effects and faults only; herd coRWExpNExp,
/// LB+dmb.sy+acq-HU: Allowed). <see cref="Find"/> looks ahead from the thread's next instruction for the first access
/// whose update could be made now, conservatively:
/// <list type="bullet">
/// <item>no branch, exception entry or return, ISB, TLBI or system register access lies before it (control flow and
/// context synchronisation stop the search);</item>
/// <item>no register its address uses, or an earlier access's address uses, is written before it (the addresses, and
/// the reads they depend on, are known now);</item>
/// <item>every earlier access goes through a translation nothing in the test can change (the descriptor page of
/// <c>PTE(x)</c>, or a location whose descriptor no thread can address, valid, AF = 1, writable), so that its walk,
/// which herd orders before the update, reads the same value whenever it is made;</item>
/// <item>the access surely writes if the update is a dirty one (not a store-exclusive or CAS, which may not write).</item>
/// </list>
/// Anything else is left to the access itself (rule 4), which can only lose behaviours.
/// </summary>
internal static class HardwareUpdateAhead
{
    public readonly record struct Target(ulong Va, ulong DescriptorPa, bool Write);

    public static Target? Find(LitmusInterpreter interp, LitmusMachine binding, LitmusThreadState state, ArchMachine arch,
        bool hardwareAf, bool hardwareDirty)
    {
        var written = new HashSet<int>();
        var probe = state.Clone();
        for (var k = state.Pc; ; k++)
        {
            probe.Pc = k;
            if (interp.Next(probe) is not { } ins) return null;
            switch (ins.Op)
            {
                case Opcode.B or Opcode.BCond or Opcode.Cbz or Opcode.Cbnz or Opcode.Eret or Opcode.Svc or Opcode.Msr
                    or Opcode.Mrs or Opcode.Isb or Opcode.Tlbi:
                    return null;
                case Opcode.Ldr or Opcode.Str or Opcode.Ldar or Opcode.Ldapr or Opcode.Stlr or Opcode.Ldxr or Opcode.Stxr
                    or Opcode.Swp or Opcode.Cas or Opcode.LdOp or Opcode.StOp:
                    if (UsesWritten(ins.Mem, written)) return null;
                    var rec = new RecordingPort();
                    interp.Step(probe.Clone(), rec);
                    var va = rec.Request.Access.Va;
                    var write = rec.Request.Kind != RequestKind.Load;
                    if (binding.Describe(va) is MemoryLocation target && NeedsUpdate(arch, va, write, hardwareAf, hardwareDirty))
                    {
                        // The next instruction's own update is the access's business; a dirty update needs a sure write.
                        if (k == state.Pc || (write && ins.Op is Opcode.Stxr or Opcode.Cas && NeedsDirty(arch, va))) return null;
                        return new Target(va, binding.PtePhysicalAddress(target.Symbol), write);
                    }
                    if (!Fixed(binding, arch, va)) return null;
                    break;
            }
            foreach (var r in Written(ins)) written.Add(r);
        }
    }

    private static bool UsesWritten(MemOperand m, HashSet<int> written) =>
        (!m.Base.IsZero && written.Contains(m.Base.Number)) || (m.Index is { IsZero: false } i && written.Contains(i.Number));

    private static bool NeedsUpdate(ArchMachine arch, ulong va, bool write, bool hardwareAf, bool hardwareDirty)
    {
        var walk = arch.Translate(va);
        // Only dirty updates are made ahead: an AF update ahead is as allowed, but multiplies the executions of the
        // HA tests (NT-*) past the budget, and a spurious AF update (rule 4) already covers an AF set early.
        _ = hardwareAf;
        return walk.Ok && write && hardwareDirty && NeedsDirty(arch, va);
    }

    private static bool NeedsDirty(ArchMachine arch, ulong va)
    {
        var walk = arch.Translate(va);
        return walk.Ok && !walk.TableNoWrite && (walk.Leaf & DescBits.RdOnly) != 0 && (walk.Leaf & DescBits.DBM) != 0;
    }

    /// <summary>A translation no store or hardware update of the test can change, and that does not fault.</summary>
    private static bool Fixed(LitmusMachine binding, ArchMachine arch, ulong va)
    {
        switch (binding.Describe(va))
        {
            case PteLocation: return true; // the descriptor page's own mapping is not a litmus location
            case MemoryLocation m:
                if (binding.Test.Init.Any(e => e.Value is PteAddressValue a && a.Symbol == m.Symbol)) return false;
                var walk = arch.Translate(va);
                return walk.Ok && walk.Writable && (walk.Leaf & DescBits.AF) != 0;
            default: return false;
        }
    }

    /// <summary>Registers an instruction writes (flags excluded).</summary>
    private static IEnumerable<int> Written(Instruction ins)
    {
        switch (ins.Op)
        {
            case Opcode.Mov or Opcode.Sxtw or Opcode.Add or Opcode.Sub or Opcode.And or Opcode.Orr or Opcode.Eor or Opcode.Bic
                or Opcode.Lsl or Opcode.Lsr or Opcode.Csel or Opcode.Cset or Opcode.Adr
                or Opcode.Ldr or Opcode.Ldar or Opcode.Ldapr or Opcode.Ldxr or Opcode.Cas or Opcode.Stxr:
                if (!ins.R(0).IsZero) yield return ins.R(0).Number;
                break;
            case Opcode.Swp or Opcode.LdOp:
                if (!ins.R(1).IsZero) yield return ins.R(1).Number;
                break;
        }
    }
}
