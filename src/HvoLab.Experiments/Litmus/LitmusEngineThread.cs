using HvoLab.Arch;
using HvoLab.Engine;

namespace HvoLab.Experiments.Litmus;

/// <summary>The one machine-visible request an instruction makes (captured by <see cref="RecordingPort"/>).</summary>
internal enum RequestKind { None, Load, Store, Rmw, Barrier, Tlbi }

internal struct PortRequest
{
    public RequestKind Kind;
    public MemAccess Access;
    public ulong Value, Expected;
    public LitmusRmwOp Rmw;
    public BarrierType BarrierType;
    public BarrierOption? Option;
    public TlbiOp TlbiOp;
    public ulong TlbiOperand;
}

/// <summary>Phase 1 of an instruction: run it on a scratch copy of the thread and record what it asks of memory.</summary>
internal sealed class RecordingPort : ILitmusMemoryPort
{
    public PortRequest Request;
    public MemResult Load(in MemAccess a) { Request = new() { Kind = RequestKind.Load, Access = a }; return MemResult.Ok(); }
    public MemResult Store(in MemAccess a, ulong value) { Request = new() { Kind = RequestKind.Store, Access = a, Value = value }; return MemResult.Ok(); }
    public MemResult Rmw(in MemAccess a, LitmusRmwOp op, ulong operand, ulong expected)
    { Request = new() { Kind = RequestKind.Rmw, Access = a, Rmw = op, Value = operand, Expected = expected }; return MemResult.Ok(); }
    public void Barrier(int proc, BarrierType type, BarrierOption? option) => Request = new() { Kind = RequestKind.Barrier, BarrierType = type, Option = option };
    public void Tlbi(int proc, TlbiOp op, ulong operand) => Request = new() { Kind = RequestKind.Tlbi, TlbiOp = op, TlbiOperand = operand };
    public ulong ReadSysReg(int proc, string name) => throw new LitmusExecutionException($"system register {name} is not modelled");
    public void WriteSysReg(int proc, string name, ulong value) => throw new LitmusExecutionException($"system register {name} is not modelled");
}

/// <summary>Phase 2: complete the instruction on the real thread state with the result the engine produced.</summary>
internal sealed class ReplayPort(MemResult result) : ILitmusMemoryPort
{
    public MemResult Load(in MemAccess a) => result;
    public MemResult Store(in MemAccess a, ulong value) => result;
    public MemResult Rmw(in MemAccess a, LitmusRmwOp op, ulong operand, ulong expected) => result;
    public void Barrier(int proc, BarrierType type, BarrierOption? option) { }
    public void Tlbi(int proc, TlbiOp op, ulong operand) { }
    public ulong ReadSysReg(int proc, string name) => throw new LitmusExecutionException($"system register {name} is not modelled");
    public void WriteSysReg(int proc, string name, ulong value) => throw new LitmusExecutionException($"system register {name} is not modelled");
}

/// <summary>
/// Runs one litmus thread on an engine <see cref="Cpu"/>. Each load, store, atomic, TLBI, DSB, DMB and ISB is one
/// engine operation (one scheduling point); register-only instructions run between them. The interpreter's
/// synchronous <see cref="LitmusInterpreter.Step"/> is used twice per memory instruction: first on a clone with a
/// <see cref="RecordingPort"/> to learn the request, then (after <c>await</c>ing the engine op) on the real state
/// with a <see cref="ReplayPort"/> carrying the result.
///
/// Hardware flag updates (TTHM): with HA an Access-flag fault makes the walker set AF in the descriptor
/// (atomically, in memory, not through the store buffer or the oracle: it is not a software write) and the access is
/// retried as a new operation; with HD a write that hits a writable-clean entry (DBM=1, AP[2]=1) clears AP[2] the
/// same way and drops this CPU's entry for the page, so the retry uses the dirty translation.
/// </summary>
internal sealed class LitmusEngineThread(LitmusInterpreter interp, LitmusMachine binding, LitmusThreadState state,
    bool hardwareAf, bool hardwareDirty, int instructionBudget)
{
    public LitmusThreadState State => state;
    public bool BudgetExceeded { get; private set; }

    public async SimTask Run(Cpu cpu)
    {
        var steps = 0;
        while (interp.Next(state) is { } ins)
        {
            if (++steps > instructionBudget) { BudgetExceeded = true; state.Halted = true; return; }
            if (!TouchesMachine(ins.Op)) { interp.Step(state, NoMachine); continue; }
            var rec = new RecordingPort();
            interp.Step(state.Clone(), rec);
            var result = await Perform(cpu, rec.Request);
            interp.Step(state, new ReplayPort(result));
        }
        state.Halted = true;
    }

    private static readonly ILitmusMemoryPort NoMachine = new ReplayPort(MemResult.Ok());

    private static bool TouchesMachine(Opcode op) => op is Opcode.Ldr or Opcode.Str or Opcode.Ldar or Opcode.Ldapr or Opcode.Stlr
        or Opcode.Ldxr or Opcode.Stxr or Opcode.Swp or Opcode.Cas or Opcode.LdOp or Opcode.StOp
        or Opcode.Dmb or Opcode.Dsb or Opcode.Isb or Opcode.Tlbi;

    /// <summary>Value loaded by the last LDXR, for STXR (see <see cref="Perform"/>).</summary>
    private ulong _exclusiveValue;
    private ulong _exclusiveVa = ulong.MaxValue;

    private async SimTask<MemResult> Perform(Cpu cpu, PortRequest r)
    {
        switch (r.Kind)
        {
            case RequestKind.Barrier:
                await cpu.Barrier(BarrierOf(r.BarrierType, r.Option));
                return MemResult.Ok();
            case RequestKind.Tlbi:
                await cpu.Tlbi(r.TlbiOp, TlbiVa(r.TlbiOp, r.TlbiOperand));
                return MemResult.Ok();
            case RequestKind.None:
                throw new LitmusExecutionException("instruction made no machine request");
        }
        var a = r.Access;
        MemOp op;
        var exclusiveStore = false;
        if (r.Kind == RequestKind.Load) op = MemOp.Load(a.Va, a.Size);
        else if (r.Kind == RequestKind.Store && a.Exclusive)
        {
            // STXR as a compare-and-swap against the value LDXR read: one atomic step that fails (status 1) when the
            // location changed in between. Models the exclusive monitor up to ABA; spurious failures are not modelled.
            if (_exclusiveVa != a.Va) return MemResult.Ok(1);
            op = MemOp.Cas(a.Va, _exclusiveValue, r.Value, a.Size);
            exclusiveStore = true;
        }
        else if (r.Kind == RequestKind.Store) op = MemOp.Store(a.Va, r.Value, a.Size);
        else op = new MemOp(AccessKind.Rmw, a.Va, a.Size, r.Value, r.Expected, RmwOf(r.Rmw));

        if (r.Kind == RequestKind.Load && !a.Exclusive && FreshPa(cpu, a.Va) is ulong freshPa && await cpu.ChooseOne() == 1)
        {
            // This CPU's TLB holds a translation the tables no longer give while the tables give a valid one: the
            // access may use either (R_GPPYH for permission changes; R_FVQCK when break-before-make was skipped).
            // Alternative 1 uses the tables' translation and leaves the cached entry in place for later accesses.
            return MemResult.Ok(await cpu.LoadPhys(freshPa, a.Size));
        }
        for (var attempt = 0; ; attempt++)
        {
            var value = await cpu.Access(op, returnFaults: true);
            var fault = cpu.LastFault;
            if (fault == FaultKind.None)
            {
                if (r.Kind == RequestKind.Load && a.Exclusive) { _exclusiveVa = a.Va; _exclusiveValue = value; }
                if (exclusiveStore)
                {
                    _exclusiveVa = ulong.MaxValue;
                    var mask = a.Size == 8 ? ulong.MaxValue : (1UL << (a.Size * 8)) - 1;
                    return MemResult.Ok((value & mask) == (_exclusiveValue & mask) ? 0UL : 1UL);
                }
                return MemResult.Ok(value);
            }
            if (attempt < 4 && fault == FaultKind.TlbConflict)
            {
                // The oracle has reported the conflict (a BBM violation). herd has no conflict abort: the access uses
                // one of the translations (R_FVQCK). The search chooses which: the cached (stale) entry, which stays
                // cached for later accesses, or the fresh walk (this CPU's entries are dropped first).
                if (r.Kind == RequestKind.Load && await cpu.ChooseOne() == 1 && StalePa(cpu, a.Va, a.Size) is ulong stalePa)
                    return MemResult.Ok(await cpu.LoadPhys(stalePa, a.Size));
                cpu.Sim.Arch.TlbOf(cpu.Id).InvalidateVa(a.Va, lastLevelOnly: false);
                continue;
            }
            if (attempt < 4 && HardwareUpdate(cpu, a.Va, fault, op.Kind != AccessKind.Read)) continue;
            return MemResult.Faulted(fault switch
            {
                FaultKind.AccessFlag => LitmusFaultKind.AccessFlag,
                FaultKind.Permission => LitmusFaultKind.Permission,
                FaultKind.TlbConflict => LitmusFaultKind.TlbConflict,
                _ => LitmusFaultKind.Translation,
            });
        }
    }

    /// <summary>The PA the tables give for <paramref name="va"/> when this CPU's TLB holds a different leaf for it and the
    /// tables' translation is valid; else null.</summary>
    private static ulong? FreshPa(Cpu cpu, ulong va)
    {
        var arch = cpu.Sim.Arch;
        int n = arch.TlbOf(cpu.Id).LookupLeaves(va, out var first, out var second);
        if (n == 0) return null;
        var now = arch.Translate(va);
        if (!now.Ok) return null;
        if (first.Descriptor == now.Leaf && (n == 1 || second.Descriptor == now.Leaf)) return null;
        return now.Pa;
    }

    /// <summary>The PA a cached leaf entry for <paramref name="va"/> gives when it differs from what the tables say now
    /// (the stale side of a conflict), or null.</summary>
    private static ulong? StalePa(Cpu cpu, ulong va, int size)
    {
        var arch = cpu.Sim.Arch;
        int n = arch.TlbOf(cpu.Id).LookupLeaves(va, out var first, out var second);
        var now = arch.Translate(va);
        for (int i = 0; i < n; i++)
        {
            var leaf = i == 0 ? first : second;
            if (now.Ok && leaf.Descriptor == now.Leaf) continue;
            var d = new Descriptor(leaf.Descriptor);
            ulong blockSize = arch.Granule.LevelSize(leaf.Level);
            return d.OutputAddress(arch.Granule, leaf.Level) + (va & (blockSize - 1));
        }
        return null;
    }

    /// <summary>TCR.HA/HD: the walker updates the leaf descriptor it used. Returns true if the access should be retried.</summary>
    private bool HardwareUpdate(Cpu cpu, ulong va, FaultKind fault, bool write)
    {
        var arch = cpu.Sim.Arch;
        if (fault == FaultKind.AccessFlag && (hardwareAf || hardwareDirty))
        {
            var r = arch.Translate(va);
            if (r.Fault != FaultKind.AccessFlag) return true; // changed meanwhile: just retry
            var pa = r.DescPa[r.Level];
            var walkerView = arch.Walker.ReadDescriptor(pa);
            var mem = arch.Memory.ReadWord(pa);
            if (walkerView != mem)
            {
                // A software store to the descriptor is pending: the walker's atomic update works on the coherent
                // (newest) value, so that store is visible to it now. Publish and walk again.
                for (var c = 0; c < arch.CpuCount; c++) arch.Stores.Publish(c);
                return true;
            }
            arch.Memory.WriteWord(pa, mem | DescBits.AF);
            return true;
        }
        if (fault == FaultKind.Permission && write && hardwareDirty)
        {
            var r = arch.Translate(va);
            if (!r.Ok) return true;
            var pa = r.LeafPa;
            var mem = arch.Memory.ReadWord(pa);
            if ((mem & DescBits.DBM) == 0 || (mem & DescBits.RdOnly) == 0 || arch.Walker.ReadDescriptor(pa) != mem) return false;
            arch.Memory.WriteWord(pa, mem & ~DescBits.RdOnly);
            arch.TlbOf(cpu.Id).InvalidateVa(va, lastLevelOnly: true);
            return true;
        }
        return false;
    }

    internal static RmwOp RmwOf(LitmusRmwOp op) => op switch
    {
        LitmusRmwOp.Swap => RmwOp.Swap,
        LitmusRmwOp.CompareSwap => RmwOp.Cas,
        LitmusRmwOp.Add => RmwOp.Add,
        LitmusRmwOp.Set => RmwOp.Or,
        LitmusRmwOp.Clr => RmwOp.AndNot,
        LitmusRmwOp.Eor => RmwOp.Eor,
        _ => throw new LitmusExecutionException($"RMW {op} not mapped"),
    };

    /// <summary>DSB with no access-type qualifier publishes descriptor stores and completes TLBIs (DSB SY/OSH as
    /// DSB SY; ISH/NSH as DSB ISH); DSB ST publishes stores only; DSB LD is neither (it orders loads, which the
    /// machine keeps in order anyway) and is issued as a DMB LD. DMBs have no TLB effect in the machine.</summary>
    internal static BarrierKind BarrierOf(BarrierType type, BarrierOption? o)
    {
        var types = o?.Types ?? "";
        var domain = o?.Domain ?? "SY";
        return type switch
        {
            BarrierType.Isb => BarrierKind.Isb,
            BarrierType.Dmb => types == "LD" ? BarrierKind.DmbIshLd : types == "ST" ? BarrierKind.DmbIshSt : BarrierKind.DmbIsh,
            _ => types == "ST" ? BarrierKind.DsbIshSt : types == "LD" ? BarrierKind.DmbIshLd
                : domain is "SY" or "OSH" ? BarrierKind.DsbSy : BarrierKind.DsbIsh,
        };
    }

    /// <summary>TLBI Xt holds VA[55:12] in bits [43:0]; TTBR1 addresses have VA[63:56] equal to VA[55].</summary>
    internal static ulong TlbiVa(TlbiOp op, ulong operand)
    {
        if (op.IsAll()) return 0;
        var va = (operand & ((1UL << 44) - 1)) << 12;
        if ((va & (1UL << 55)) != 0) va |= 0xFF00_0000_0000_0000UL;
        return va;
    }

    internal LitmusMachine Binding => binding;
}
