using HvoLab.Arch;
using HvoLab.Engine;

namespace HvoLab.Litmus;

/// <summary>
/// Runs one litmus thread on an engine <see cref="Cpu"/>. Each load, store, atomic, TLBI, DSB, DMB and ISB is one
/// engine operation (one scheduling point); register-only instructions run between them. The interpreter's
/// synchronous <see cref="LitmusInterpreter.Step"/> is used twice per memory instruction: first on a clone with a
/// <see cref="RecordingPort"/> to learn the request, then (after <c>await</c>ing the engine op) on the real state
/// with a <see cref="ReplayPort"/> carrying the result.
///
/// What the architecture leaves open is chosen by the search (<see cref="Cpu.ChooseOne"/>), never by this class:
/// <list type="bullet">
/// <item>a load may use any translation <see cref="TranslationCandidates"/> lists (cached entries, a walk now, or a
/// walk made earlier since the CPU's horizon, <see cref="WalkHistory"/>); the choice is made after the access step,
/// among the values every candidate gives at that step, so it is exact;</item>
/// <item>a store or atomic may take a fault that a walk made earlier (since the horizon) would give; it then faults
/// at the point it is issued, before its access step.</item>
/// </list>
/// Descriptor stores and other CPUs: an explicit read of a descriptor word sees another CPU's store only once walkers
/// see it too (other-multi-copy atomicity, <see cref="DescriptorStoreBuffer.ObservedBy"/>); an atomic that observes it
/// makes it visible. Barriers that order earlier stores before later accesses (DMB, DMB ST, a release) make this
/// CPU's earlier descriptor stores visible no later than the next access they order (herd bob: "[W]; po; [dmb.st];
/// po; [W]", "po; [dmb.full]; po", "po; [L]"), since HvoLab's data accesses are visible to everyone at once.
/// Hardware flag updates: <see cref="HardwareFlagUpdates"/>.
/// </summary>
internal sealed class LitmusEngineThread(LitmusInterpreter interp, LitmusMachine binding, LitmusThreadState state,
    bool hardwareAf, bool hardwareDirty, int instructionBudget, WalkHistory history, EngineArmAccess? armData = null,
    bool engineArmData = false)
{
    public LitmusThreadState State => state;
    public bool BudgetExceeded { get; private set; }
    /// <summary>Parked at the end of a spin-loop iteration that changed nothing (see <see cref="Run"/>).</summary>
    public bool SpinWaiting { get; private set; }

    private readonly RegisterReadiness _ready = new();
    private readonly IsbOrdering _isb = new();
    /// <summary>This thread's data stores in the engine's buffer (engine-arm-va only).</summary>
    private readonly BufferedDataStores? _buffered = engineArmData ? new() : null;
    private readonly EtsOrdering _ets = EtsOrdering.Of(binding.Test);
    /// <summary>Epoch of the step in which the last access was performed (the search's choices come after it).</summary>
    private long _accessEpoch;
    /// <summary>Value loaded by the last LDXR, for STXR (see <see cref="Perform"/>).</summary>
    private ulong _exclusiveValue;
    private ulong _exclusiveVa = ulong.MaxValue;
    /// <summary>Epoch of this thread's last event that orders its later faults (<see cref="FaultHorizon"/>).</summary>
    private long _faultOrder;
    private int _cpuId;

    /// <summary>
    /// A spin loop (a backward branch after an iteration that only loaded, through translations that never changed)
    /// waits with <see cref="Cpu.Relax"/>: if its loads saw nothing change, the engine parks the CPU until another CPU
    /// writes one of those words, instead of the search interleaving every useless iteration. An iteration that read
    /// the same values leaves the thread in the same state, so nothing is lost; an execution where the loop can never
    /// exit has no final state (herd drops executions that exceed its loop unrolling), and
    /// <see cref="LitmusExplorer"/> drops it too.
    /// </summary>
    public async SimTask Run(Cpu cpu)
    {
        var steps = 0;
        var loadsOnly = true;
        _cpuId = cpu.Id;
        while (interp.Next(state) is { } ins)
        {
            if (++steps > instructionBudget) { BudgetExceeded = true; state.Halted = true; return; }
            if (!TouchesMachine(ins.Op))
            {
                var pc = state.Pc;
                var inHandler = state.InHandler;
                // UDF takes an exception without touching memory: entry (and, with faultToNext, return) are context
                // synchronisation events like a memory fault's (herd EXC-ENTRY-CSE).
                if (interp.Step(state, NoMachine).Kind == StepKind.Faulted) { history.SynchronizeContext(cpu.Id); _faultOrder = history.Epoch; }
                _ready.AfterRegisterOp(ins);
                armData?.AfterRegisterOp(ins);
                // ERET is a context synchronisation event (herd: EXC-RET-CSE).
                if (ins.Op == Opcode.Eret) { history.SynchronizeContext(cpu.Id); _faultOrder = history.Epoch; }
                if (state.Pc <= pc && state.InHandler == inHandler && ins.Op is Opcode.B or Opcode.BCond or Opcode.Cbz or Opcode.Cbnz)
                {
                    if (loadsOnly) { SpinWaiting = true; await cpu.Relax(); SpinWaiting = false; }
                    loadsOnly = true;
                }
                continue;
            }
            await UpdateAhead(cpu);
            var rec = new RecordingPort();
            interp.Step(state.Clone(), rec);
            var result = await Perform(cpu, ins, rec.Request);
            loadsOnly &= rec.Request.Kind == RequestKind.Load && !result.IsFault && SpinWaitable(rec.Request.Access.Va);
            var step = interp.Step(state, new ReplayPort(result));
            _ready.AfterAccess(ins, _accessEpoch);
            armData?.AfterAccess(ins);
            if (rec.Request.Kind is RequestKind.Load or RequestKind.Rmw) _isb.AfterRead(_accessEpoch);
            if (rec.Request.Kind is RequestKind.Store or RequestKind.Rmw) _isb.AfterWrite(_accessEpoch);
            // Taking the fault is an exception entry, a context synchronisation event (herd: EXC-ENTRY-CSE).
            if (step.Kind == StepKind.Faulted) history.SynchronizeContext(cpu.Id);
            // Barriers, TLBIs, acquires and exception entry order later faults (FaultHorizon).
            if (step.Kind == StepKind.Faulted || rec.Request.Kind is RequestKind.Barrier or RequestKind.Tlbi
                || (rec.Request.Access.Order & (AccessOrder.Acquire | AccessOrder.AcquirePc)) != 0)
                _faultOrder = history.Epoch;
        }
        state.Halted = true;
    }

    /// <summary>A load whose value changes only when its word is written (what <see cref="Cpu.Relax"/> watches): a data
    /// location whose translation never changed. Not a descriptor word, whose value for this CPU also changes when
    /// another CPU's pending store becomes visible.</summary>
    private bool SpinWaitable(ulong va) => binding.Describe(va) is MemoryLocation && !history.HasChanged(va);

    private static readonly ILitmusMemoryPort NoMachine = new ReplayPort(MemResult.Ok());

    private static bool TouchesMachine(Opcode op) => op is Opcode.Ldr or Opcode.Str or Opcode.Ldar or Opcode.Ldapr or Opcode.Stlr
        or Opcode.Ldxr or Opcode.Stxr or Opcode.Swp or Opcode.Cas or Opcode.LdOp or Opcode.StOp
        or Opcode.Dmb or Opcode.Dsb or Opcode.Isb or Opcode.Tlbi;

    private async SimTask<MemResult> Perform(Cpu cpu, Instruction ins, PortRequest r)
    {
        var arch = cpu.Sim.Arch;
        switch (r.Kind)
        {
            case RequestKind.Barrier:
                var hadStores = arch.Stores.Pending(cpu.Id).Any(s => !s.Hardware);
                var kind = EngineOpMapping.BarrierOf(r.BarrierType, r.Option);
                // A full DSB also publishes delayed hardware updates (DSB-ob's sources include them), and any DSB but
                // DSB LD this thread's buffered data stores (BufferedDataStores).
                var published = hadStores || ((r.Option?.Types ?? "") == "" && arch.Stores.Pending(cpu.Id).Count > 0)
                    || (_buffered?.DsbPublishes(kind) ?? false);
                // A DMB (other than DMB LD) orders this CPU's earlier stores before its later accesses (herd bob:
                // "po; [dmb.full]; po", "[W]; po; [dmb.st]; po; [W]"), and HvoLab's data accesses are visible to
                // everyone at once, so the earlier descriptor stores must be visible by then. They are made visible at
                // the barrier itself, with the machine's DSB ST effect (publication only): earlier than required, which
                // loses nothing, since the barrier has no other effect that an observer between it and the next access
                // could tell apart from one just before it. (Buffered data stores, engine-arm-va: the engine's DMB orders them.)
                if (r.BarrierType == BarrierType.Dmb && kind != BarrierKind.DmbIshLd && hadStores) kind = BarrierKind.DsbIshSt;
                await cpu.Barrier(kind);
                _buffered?.AfterBarrier(kind);
                if (r.BarrierType == BarrierType.Dsb)
                {
                    _isb.AfterDsb(r.Option?.Types ?? "", history.Epoch, published && kind != BarrierKind.DmbIshLd);
                    if (_ets.WalkBoundAfterDsb(r.Option?.Types ?? "", _isb.FromBarriers) is { } walksAfter) history.SynchronizeContext(cpu.Id, walksAfter);
                }
                else if (kind == BarrierKind.Isb) history.SynchronizeContext(cpu.Id, _isb.Bound(_ready));
                return MemResult.Ok();
            case RequestKind.Tlbi:
                await cpu.Tlbi(r.TlbiOp, EngineOpMapping.TlbiVa(r.TlbiOp, r.TlbiOperand));
                _ets.AfterTlbi(history.Epoch);
                return MemResult.Ok();
            case RequestKind.None:
                throw new LitmusExecutionException("instruction made no machine request");
        }
        var a = r.Access;
        if (armData?.Address(a.Va) is { } pa) return await armData.Perform(cpu, ins, r, pa);
        var write = r.Kind != RequestKind.Load;
        if ((a.Order & AccessOrder.Release) != 0) await PublishBeforeRelease(cpu);
        if (_buffered is not null && await _buffered.DrainBeforeFault(cpu, history, a.Va) is { } drained) _faultOrder = drained;
        if (await _ets.PublishOwnStores(cpu, binding, history, a.Va) is { } visibleAt) _isb.AfterWrite(visibleAt);
        _accessEpoch = history.Epoch;
        if (write && await EarlyFault(cpu, ins, a.Va) is { } early) return MemResult.Faulted(early);

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
        else op = new MemOp(AccessKind.Rmw, a.Va, a.Size, r.Value, r.Expected, EngineOpMapping.RmwOf(r.Rmw));

        // Under the engine's Arm data model (engine-arm-va on a translation test) the access carries its instruction's
        // ordering, as EngineArmAccess gives it in data tests; with sequentially consistent data it is meaningless.
        var order = engineArmData ? EngineArmAccess.OrderOf(a.Order, rmw: r.Kind == RequestKind.Rmw) : MemOrder.Relaxed;
        var (value, fault) = await Access(cpu, op, order);
        _accessEpoch = history.Epoch;
        if (r.Kind == RequestKind.Store && !exclusiveStore && fault == FaultKind.None && binding.Describe(a.Va) is MemoryLocation) _buffered?.AfterStore();
        else if (r.Kind == RequestKind.Rmw || exclusiveStore) _buffered?.Drained();
        if (r.Kind == RequestKind.Load)
        {
            var loaded = await ChooseLoad(cpu, ins, a, value, fault);
            if (a.Exclusive && !loaded.IsFault) { _exclusiveVa = a.Va; _exclusiveValue = loaded.Value; }
            return loaded;
        }
        if (fault != FaultKind.None) return MemResult.Faulted(EngineOpMapping.FaultOf(fault));
        // An atomic (or store-exclusive) reads the coherence-newest value of the word: any other CPU's pending store to
        // it is observed, hence visible to every observer from now on.
        if (r.Kind == RequestKind.Rmw || exclusiveStore) PublishObserved(arch, cpu.Id, a.Va);
        // herd gives no spurious AF update to an atomic's write of the very value it read (herd/mem.ml "write_loaded").
        if ((r.Kind == RequestKind.Rmw || exclusiveStore) && binding.Describe(a.Va) is PteLocation written
            && arch.ReadPhys(binding.PtePhysicalAddress(written.Symbol)) is var word && (word & MemOp.ValueMask(a.Size)) == (value & MemOp.ValueMask(a.Size)))
            history.BlockSpurious(binding.PtePhysicalAddress(written.Symbol), word);
        if (!exclusiveStore) return MemResult.Ok(value);
        _exclusiveVa = ulong.MaxValue;
        var mask = MemOp.ValueMask(a.Size);
        return MemResult.Ok((value & mask) == (_exclusiveValue & mask) ? 0UL : 1UL);
    }

    /// <summary>The access step, with the machine's default translation. A store that meets a TLB conflict is retried
    /// after this CPU's entries for the VA are dropped (herd has no conflict abort; the oracle has reported it); a
    /// fault the walker resolves by a hardware flag update is redone, update and access together, in one bulk step.</summary>
    private async SimTask<(ulong Value, FaultKind Fault)> Access(Cpu cpu, MemOp op, MemOrder order)
    {
        var write = op.Kind != AccessKind.Read;
        await EvictForUpdate(cpu, op.Va);
        for (var attempt = 0; ; attempt++)
        {
            var value = await cpu.Access(op, returnFaults: true, order);
            var fault = cpu.LastFault;
            if (fault == FaultKind.TlbConflict && write && attempt < 4)
            {
                cpu.Sim.Arch.TlbOf(cpu.Id).InvalidateVa(op.Va, lastLevelOnly: false);
                continue;
            }
            if (fault == FaultKind.Permission && write && attempt < 4 && StaleEntryDeniesWrite(cpu.Sim.Arch, cpu.Id, op.Va)
                && await cpu.ChooseOne() == 1)
            {
                // A TLB entry may be evicted at any time: the CPU drops the stale read-only entry instead, and the
                // store executes afterwards with a fresh walk (nothing was written by the faulted attempt).
                cpu.Sim.Arch.TlbOf(cpu.Id).InvalidateVa(op.Va, lastLevelOnly: true);
                continue;
            }
            if (!HardwareFlagUpdates.Resolves(fault, write, hardwareAf, hardwareDirty)) return (value, fault);
            var arch = cpu.Sim.Arch;
            var leafPa = binding.Describe(op.Va) is MemoryLocation m ? binding.PtePhysicalAddress(m.Symbol) : ulong.MaxValue;
            var delay = leafPa != ulong.MaxValue;
            // A step the search orders against every access and TLB operation: it writes a descriptor.
            await cpu.Bulk(0);
            var before = leafPa == ulong.MaxValue ? 0 : arch.ReadPhys(leafPa);
            var r = HardwareFlagUpdates.Access(arch, cpu.Id, op, hardwareAf, hardwareDirty);
            // The walk saw a read-only value whose pending successor (a delayed update or store, now observed) allows
            // the write: the walker's atomic update reads the newest value, needs no update, and the access goes on.
            if (r.Fault == FaultKind.Permission && write && arch.Translate(op.Va).Writable)
                r = HardwareFlagUpdates.Access(arch, cpu.Id, op, hardwareAf, hardwareDirty);
            if (delay && arch.ReadPhys(leafPa) is var after && after != before) DelayHardwareUpdate(arch, cpu.Id, leafPa, before, after);
            return (r.Value, r.Fault);
        }
    }

    /// <summary>
    /// The walker's update of the access just performed stays invisible to other observers (and to walkers) for now:
    /// herd orders a hardware update after its walk (aob "[Imp &amp; TTD &amp; R]; rmw; [HU]") but before nothing of its
    /// own thread except what follows a full DSB (aarch64hwreqs.cat DSB-ob, whose sources are all memory effects, while
    /// bob and DSB ST/LD order explicit effects only), so it may become visible after the access it serves and after
    /// later accesses (herd NT-12-*). This CPU keeps using the translation it cached; the update becomes visible at this
    /// CPU's next full DSB, when another CPU's atomic or walker update observes the descriptor, or when the propagation
    /// helper publishes (rule 5).
    /// </summary>
    private static void DelayHardwareUpdate(ArchMachine arch, int cpu, ulong pa, ulong before, ulong after) =>
        arch.Stores.Record(cpu, pa, before, after, hardware: true);

    /// <summary>Before the next instruction, the search may let the walker make the AF/dirty update of a later access
    /// now (<see cref="HardwareUpdateAhead"/>), in a step ordered against everything, made visible late like any
    /// hardware update (<see cref="DelayHardwareUpdate"/>).</summary>
    private async SimTask UpdateAhead(Cpu cpu)
    {
        if (!hardwareDirty) return;
        var arch = cpu.Sim.Arch;
        if (HardwareUpdateAhead.Find(interp, binding, state, arch, hardwareAf, hardwareDirty) is not { } t || await cpu.ChooseOne() == 0) return;
        await cpu.Bulk(0);
        var before = arch.ReadPhys(t.DescriptorPa);
        if (HardwareFlagUpdates.UpdateAhead(arch, cpu.Id, t.Va, t.Write, hardwareAf: false, hardwareDirty) && arch.ReadPhys(t.DescriptorPa) is var after && after != before)
            DelayHardwareUpdate(arch, cpu.Id, t.DescriptorPa, before, after);
    }

    /// <summary>With TCR.HA, when this CPU still caches a translation of <paramref name="va"/> while the tables now hold
    /// a value with AF = 0 (a newer descriptor), the search may evict the entry (TLB entries may be dropped at any time)
    /// so that the access walks, and updates, the newer descriptor instead of using the cached one (herd NT-30-*).</summary>
    private async SimTask EvictForUpdate(Cpu cpu, ulong va)
    {
        if (!hardwareAf) return;
        var arch = cpu.Sim.Arch;
        if (arch.TlbOf(cpu.Id).LookupLeaves(va, out _, out _) == 0 || arch.Translate(va).Fault != FaultKind.AccessFlag) return;
        if (await cpu.ChooseOne() == 1) arch.TlbOf(cpu.Id).InvalidateVa(va, lastLevelOnly: true);
    }

    /// <summary>This CPU holds a leaf for <paramref name="va"/> that forbids writing while the tables now allow it.</summary>
    private static bool StaleEntryDeniesWrite(ArchMachine arch, int cpu, ulong va)
    {
        if (arch.TlbOf(cpu).LookupLeaves(va, out var leaf, out _) == 0) return false;
        var now = arch.Translate(va);
        return now.Ok && now.Writable && (leaf.TableNoWrite || (leaf.Descriptor & DescBits.RdOnly) != 0);
    }

    /// <summary>After the load's access step, within it: the distinct results of every translation the load may use
    /// (read now), of which the search picks one.</summary>
    private async SimTask<MemResult> ChooseLoad(Cpu cpu, Instruction ins, MemAccess a, ulong value, FaultKind fault)
    {
        var arch = cpu.Sim.Arch;
        var horizon = history.Horizon(cpu.Id, a.Va, _ready.AddressReady(ins));
        var results = new List<MemResult>();
        foreach (var o in TranslationCandidates.For(arch, history, cpu.Id, a.Va, false, hardwareAf, hardwareDirty, horizon))
        {
            var res = o.Fault is { } f ? MemResult.Faulted(f) : MemResult.Ok(ReadAs(cpu, o.Pa, a.Size));
            if (!results.Contains(res) && (o.Fault is not { } of || EtsAllows(arch, ins, a.Va, false, of))) results.Add(res);
        }
        var faultHorizon = FaultHorizon(a.Va, ins);
        if (faultHorizon < horizon)
            foreach (var o in TranslationCandidates.For(arch, history, cpu.Id, a.Va, false, hardwareAf, hardwareDirty, faultHorizon))
                if (o.Fault is { } f && !results.Contains(MemResult.Faulted(f)) && EtsAllows(arch, ins, a.Va, false, f)) results.Add(MemResult.Faulted(f));
        if (results.Count == 0) return fault == FaultKind.None ? MemResult.Ok(value) : MemResult.Faulted(EngineOpMapping.FaultOf(fault));
        return results[await ChooseIndex(cpu, results.Count)];
    }

    /// <summary>Before a store or atomic is performed: the faults a walk made earlier would give, one of which the
    /// search may take instead of performing it (the value walkers see now is left to the access itself).</summary>
    private async SimTask<LitmusFaultKind?> EarlyFault(Cpu cpu, Instruction ins, ulong va)
    {
        var faults = TranslationCandidates.EarlierFaults(cpu.Sim.Arch, history, va, hardwareAf, hardwareDirty, FaultHorizon(va, ins));
        faults.RemoveAll(f => !EtsAllows(cpu.Sim.Arch, ins, va, true, f));
        if (faults.Count == 0) return null;
        var k = await ChooseIndex(cpu, faults.Count + 1);
        return k == 0 ? null : faults[k - 1];
    }

    /// <summary>
    /// The horizon of a walk whose result is a fault. A fault is not an explicit access: what orders it after earlier
    /// instructions of its thread is a barrier (bob "po; [dmb.full]; po; [MMU &amp; FAULT]", DMB LD, DMB ST), an acquire
    /// ("[A | Q]; po; [MMU &amp; FAULT]"), a full DSB (DSB-ob) or a context synchronisation event (IFB-ob); a data or
    /// address dependency orders only the explicit access, which a faulting instruction does not make. So the fault may
    /// be ordered before a remote TLBI's completion that an earlier plain access has observed (the TLBI-ob edge "tr-ib^-1;
    /// TTD-read-ordered-before" then closes no cycle): remote TLBIs bound its walk only if they completed before the
    /// thread's last such ordering point (herd F1a, F2, S+shoot+rel_mmufault_db: Allowed).
    /// </summary>
    private long FaultHorizon(ulong va, Instruction ins) => history.Horizon(_cpuId, va, _ready.AddressReady(ins), _faultOrder);

    /// <summary>FEAT_ETS2/ETS3: whether the earlier explicit accesses, which order the walk of <paramref name="fault"/>,
    /// still let the access to <paramref name="va"/> take it (<see cref="EtsOrdering"/>).</summary>
    private bool EtsAllows(ArchMachine arch, Instruction ins, ulong va, bool write, LitmusFaultKind fault) =>
        _ets.Allows(fault, _isb.LastAccess,
            upTo => history.Horizon(_cpuId, va, _ready.AddressReady(ins), Math.Max(_faultOrder, upTo)),
            h => TranslationCandidates.For(arch, history, _cpuId, va, write, hardwareAf, hardwareDirty, h));

    /// <summary>One of <paramref name="n"/> alternatives, chosen by the search (0 in timed runs).</summary>
    internal static async SimTask<int> ChooseIndex(Cpu cpu, int n)
    {
        var k = 0;
        while (k < n - 1 && await cpu.ChooseOne() == 1) k++;
        return k;
    }

    /// <summary>The value at <paramref name="pa"/> as this CPU's explicit read sees it: a data word with the CPU's own
    /// buffered stores laid over (engine-arm-va; nothing is buffered with SC data); a descriptor word shows another
    /// CPU's store only once walkers see it.</summary>
    private ulong ReadAs(Cpu cpu, ulong pa, int size)
    {
        if (!IsDescriptorWord(pa)) return cpu.ReadForwarded(pa, size);
        var arch = cpu.Sim.Arch;
        var word = arch.Stores.ObservedBy(cpu.Id, pa & ~7UL, arch.ReadPhys(pa & ~7UL));
        var v = word >> (int)((pa & 7) * 8);
        return v & MemOp.ValueMask(size);
    }

    private bool IsDescriptorWord(ulong pa) => pa >= binding.DataTablePa && pa < binding.DataTablePa + LitmusMachine.PageSize;

    private void PublishObserved(ArchMachine arch, int cpu, ulong va)
    {
        if (binding.Describe(va) is PteLocation p) arch.Stores.PublishLocation(binding.PtePhysicalAddress(p.Symbol), exceptCpu: cpu);
    }

    /// <summary>Before a release (herd "po; [L]": everything earlier is ordered before it): a step, ordered against
    /// every access and TLB operation, that makes this CPU's pending descriptor stores visible.</summary>
    private static async SimTask PublishBeforeRelease(Cpu cpu)
    {
        if (!cpu.Sim.Arch.Stores.Pending(cpu.Id).Any(s => !s.Hardware)) return;
        await cpu.Bulk(0);
        cpu.Sim.Arch.Stores.Publish(cpu.Id, includeHardware: false);
    }
}
