namespace HvoLab.Litmus;

/// <summary>
/// For each register of a litmus thread, the <see cref="WalkHistory"/> epoch from which its value was known: 0 for
/// initial values and constants, the completion epoch for a loaded value, and the latest of the sources for a value
/// computed from registers (flags included, so CSEL carries a dependency as on hardware). An access cannot be
/// translated before its address registers are known (herd: an address dependency orders the read it depends on
/// before the dependent access's translation), which bounds how early its walk may have been made.
/// </summary>
internal sealed class RegisterReadiness(bool pickDependencies = true)
{
    private long[] _epoch = new long[32];
    private long _flags;

    /// <summary>Latest epoch from which a branch condition executed so far was known (the reads a control dependency
    /// orders before a later ISB: herd CSE-ob, "[R &amp; Exp]; ctrl; [CSE]").</summary>
    public long ControlReady { get; private set; }

    /// <summary>Latest epoch from which the address of an access executed so far was known (an address dependency
    /// followed by an ISB orders the read it depends on before everything after the ISB: herd dob
    /// "(addr; [Exp]; po); [CSE]").</summary>
    public long AddressesReady { get; private set; }

    /// <summary>Epoch (or view) from which register <paramref name="r"/>'s value was known.</summary>
    public long Of(Reg r) => r.IsZero ? 0 : _epoch[r.Number];

    private void Set(Reg r, long epoch)
    {
        if (!r.IsZero) _epoch[r.Number] = epoch;
    }

    /// <summary>Epoch from which the address of <paramref name="ins"/>'s memory operand was known.</summary>
    public long AddressReady(Instruction ins)
    {
        var m = ins.Mem;
        return Math.Max(Of(m.Base), m.Index is { } i ? Of(i) : 0);
    }

    /// <summary>A register-only instruction was executed.</summary>
    public void AfterRegisterOp(Instruction ins)
    {
        long Sources(int from) => ins.Operands.Skip(from).OfType<RegOperand>().Select(o => Of(o.Reg)).DefaultIfEmpty(0).Max();
        switch (ins.Op)
        {
            case Opcode.Mov or Opcode.Sxtw or Opcode.Add or Opcode.Sub or Opcode.And or Opcode.Orr or Opcode.Eor or Opcode.Bic
                or Opcode.Lsl or Opcode.Lsr:
                Set(ins.R(0), Sources(1));
                break;
            // CSEL/CSET choose by the flags: a "pick" dependency (herd aarch64deps.cat iico_ctrl), counted only when
            // this instance tracks pick dependencies (the view-based model keeps a plain and a pick instance).
            case Opcode.Csel: Set(ins.R(0), Math.Max(Sources(1), pickDependencies ? _flags : 0)); break;
            case Opcode.Cset: Set(ins.R(0), pickDependencies ? _flags : 0); break;
            case Opcode.Cmp: _flags = Sources(0); break;
            case Opcode.Adr or Opcode.Mrs: Set(ins.R(0), 0); break;
            case Opcode.BCond: ControlReady = Math.Max(ControlReady, _flags); break;
            case Opcode.Cbz or Opcode.Cbnz: ControlReady = Math.Max(ControlReady, Of(ins.R(0))); break;
        }
    }

    /// <summary>A memory instruction completed at <paramref name="epoch"/>: the registers it loaded are known from then.</summary>
    public void AfterAccess(Instruction ins, long epoch)
    {
        if (ins.Operands.OfType<MemOperand>().Any()) AddressesReady = Math.Max(AddressesReady, AddressReady(ins));
        switch (ins.Op)
        {
            case Opcode.Ldr or Opcode.Ldar or Opcode.Ldapr or Opcode.Ldxr or Opcode.Cas or Opcode.Stxr: Set(ins.R(0), epoch); break;
            case Opcode.Swp or Opcode.LdOp: Set(ins.R(1), epoch); break;
        }
    }

    public RegisterReadiness Clone()
    {
        var c = (RegisterReadiness)MemberwiseClone();
        c._epoch = (long[])_epoch.Clone();
        return c;
    }

    public void AddTo(ref HashCode h)
    {
        h.Add(_flags); h.Add(ControlReady); h.Add(AddressesReady);
        foreach (var e in _epoch) h.Add(e);
    }

    public bool SameAs(RegisterReadiness o) =>
        _flags == o._flags && ControlReady == o.ControlReady && AddressesReady == o.AddressesReady && _epoch.AsSpan().SequenceEqual(o._epoch);
}
