using HvoLab.Arch;

namespace HvoLab.Engine;

/// <summary>
/// One simulated CPU: a stack of contexts (task or idle at the bottom; IRQ, NMI, fault and preempting work above),
/// the interrupt-masking state (PSTATE.I and, under pseudo-NMI, ICC_PMR_EL1), preempt_count, the WFE event register
/// and its virtual clock. Kernel code calls the operation methods below and awaits them; each is a point where the
/// engine may switch CPUs. The methods store the op in the CPU (one op in flight per context) and allocate nothing.
/// </summary>
public sealed partial class Cpu
{
    internal const int MaxDepth = 8;

    internal struct Frame
    {
        public ContextKind Kind;
        public Action? Continuation;
        public PendingOp Pending;
        public bool SavedDaifI;
        public byte SavedPmr;
        public bool IsFault;
        public SimTask.Awaiter VoidAwaiter;
        public SimTask<bool>.Awaiter BoolAwaiter;
    }

    /// <summary>Why a CPU is not runnable: spinning on memory, in WFE, busy with private work until
    /// <see cref="WorkEnd"/> (timed runs; an interrupt may split the work, see TimedDriver.ExecWork), held in a
    /// closed-form handler (ClosedFormRunner.cs), or waiting until <see cref="WorkEnd"/> for a value a
    /// closed-form handler stored to become visible.</summary>
    internal enum ParkKind : byte { None, Spin, Wfe, Work, Held, Timed }

    internal readonly Frame[] Frames = new Frame[MaxDepth];
    internal int Depth;
    internal ParkKind Park;
    internal double ParkStart;
    /// <summary>With <see cref="ParkKind.Work"/>: when the pending Work/Bulk op ends unless an interrupt comes first.</summary>
    internal double WorkEnd;
    internal bool WokeFromPark;
    internal FaultInfo? PendingFault;
    internal readonly ulong[] ReadSet = new ulong[8];
    internal readonly ulong[] ReadVals = new ulong[8];
    internal int ReadCount;
    internal bool ReadOverflow;
    internal readonly Queue<(Func<Cpu, SimTask> Work, double Arrival, int Label)> PreemptWork = new();
    /// <summary>Search hook, one per queued work: the choice (step) whose action queued it, -1 if none did
    /// (queued before the run). Taking the work happens after that step, and only that step enabled it.</summary>
    internal readonly Queue<int> PreemptEnablers = new();
    internal readonly Action FrameDone;
    /// <summary>PSTATE.I, PMR and the active NMI/IRQ handlers (the Arch layer's rules; the engine keeps them per CPU).</summary>
    internal InterruptMasks Masks = InterruptMasks.Reset;

    public Cpu(Simulator sim, int id)
    {
        Sim = sim; Id = id;
        FrameDone = OnFrameTaskDone;
        Stats = new CpuStats();
    }

    public Simulator Sim { get; }
    public int Id { get; }
    /// <summary>Virtual time of this CPU in ns.</summary>
    public double Time { get; internal set; }
    /// <summary>PSTATE.I: masks every IRQ including pseudo-NMIs.</summary>
    public bool DaifI => Masks.DaifI;
    /// <summary>ICC_PMR_EL1 view: an SGI is signalled only if its priority is numerically lower.</summary>
    public byte Pmr => Masks.Pmr;
    public int PreemptCount { get; set; }
    public bool EventRegister { get; internal set; }
    public bool InNmi => Masks.InNmi;
    public bool InIrq => Masks.InIrq;
    public ContextKind Context => Depth == 0 ? ContextKind.Idle : Frames[Depth - 1].Kind;
    /// <summary>Normal interrupts masked, by DAIF.I or by PMR (what irqs_disabled() reports).</summary>
    public bool IrqsDisabled => Masks.IrqsDisabled;
    /// <summary>True once this CPU's main task has returned.</summary>
    public bool Finished { get; internal set; }
    public bool IsBackground { get; internal set; }
    public CpuStats Stats { get; }
    /// <summary>Value produced by the last completed op (loaded value, old value of an RMW).</summary>
    public ulong LastValue { get; internal set; }

    private ref PendingOp Op => ref Frames[Depth - 1].Pending;

    private CpuOp Issue(OpKind kind)
    {
        Op.Kind = kind;
        Op.ReturnFaults = false;
        Op.WorkStarted = false;
        Op.Order = MemOrder.Relaxed;
        Op.AddressView = 0;
        Op.Result = RmwResult.Value;
        Op.RendezvousAck = false;
        return new CpuOp(this);
    }

    /// <summary>Issue for an access with an ordering (<see cref="MemOrder"/>).</summary>
    private CpuOp Issue(OpKind kind, MemOrder order)
    {
        var r = Issue(kind);
        Op.Order = order;
        return r;
    }

    /// <summary>Any memory operation by VA; with <paramref name="returnFaults"/> a fault completes the op with
    /// <see cref="LastFault"/> set (and value 0) instead of entering the kernel's fault handler.</summary>
    public CpuOp Access(in MemOp op, bool returnFaults)
    {
        Op.Mem = op;
        var r = Issue(OpKind.Mem);   // every per-op field reset, as for Load/Store (no stale address view or ack)
        Op.ReturnFaults = returnFaults;
        return r;
    }

    /// <summary><see cref="Access(in MemOp, bool)"/> with an ordering (the litmus binding of the Arm data model issues every instruction's own).</summary>
    public CpuOp Access(in MemOp op, bool returnFaults, MemOrder order) { var r = Access(op, returnFaults); Op.Order = order; return r; }

    /// <summary>Fault of the last op issued with returnFaults (FaultKind.None if it succeeded).</summary>
    public FaultKind LastFault { get; internal set; }
    public int LastFaultLevel { get; internal set; }

    // ---- memory by VA (through TLB, walker, permissions) ----
    public CpuOp Load(ulong va, int size = 8) { Op.Mem = MemOp.Load(va, size); return Issue(OpKind.Mem); }
    public CpuOp Store(ulong va, ulong value, int size = 8) { Op.Mem = MemOp.Store(va, value, size); return Issue(OpKind.Mem); }
    /// <summary>CAS: returns the old value; needs write permission even if the compare fails.</summary>
    public CpuOp Cas(ulong va, ulong expected, ulong desired, int size = 8) { Op.Mem = MemOp.Cas(va, expected, desired, size); return Issue(OpKind.Mem); }
    public CpuOp FetchAdd(ulong va, ulong delta, int size = 8) { Op.Mem = MemOp.Add(va, delta, size); return Issue(OpKind.Mem); }
    public CpuOp Rmw(RmwOp rmw, ulong va, ulong value, int size = 8) { Op.Mem = new MemOp(AccessKind.Rmw, va, size, value, 0, rmw); return Issue(OpKind.Mem); }
    /// <summary>A store by VA with an ordering (atomic_set_release: <see cref="MemOrder.Release"/>); meaningful under the
    /// Arm data model only, where a store by VA is buffered (DataStoreBuffers.ByVa.cs).</summary>
    public CpuOp Store(ulong va, ulong value, MemOrder order, int size = 8) { Op.Mem = MemOp.Store(va, value, size); return Issue(OpKind.Mem, order); }
    /// <summary>CAS and add by VA with an ordering (atomic_try_cmpxchg, atomic_dec_and_test: <see cref="MemOrder.Full"/>).</summary>
    public CpuOp Cas(ulong va, ulong expected, ulong desired, MemOrder order, int size = 8) { Op.Mem = MemOp.Cas(va, expected, desired, size); return Issue(OpKind.Mem, order); }
    public CpuOp FetchAdd(ulong va, ulong delta, MemOrder order, int size = 8) { Op.Mem = MemOp.Add(va, delta, size); return Issue(OpKind.Mem, order); }

    // ---- memory by PA (page-table entries and linear-map data whose translation is not under test) ----
    public CpuOp LoadPhys(ulong pa, int size = 8) { Op.Mem = MemOp.Load(pa, size); return Issue(OpKind.MemPhys); }
    public CpuOp StorePhys(ulong pa, ulong value, int size = 8) { Op.Mem = MemOp.Store(pa, value, size); return Issue(OpKind.MemPhys); }
    /// <summary>cmpxchg: fully ordered (atomic_t.txt); see the overload with a <see cref="MemOrder"/> for the others.</summary>
    public CpuOp CasPhys(ulong pa, ulong expected, ulong desired, int size = 8) => CasPhys(pa, expected, desired, MemOrder.Full, size);
    /// <summary>A value-returning atomic add: fully ordered; see the overload with a <see cref="MemOrder"/> for the others.</summary>
    public CpuOp FetchAddPhys(ulong pa, ulong delta, int size = 8) => FetchAddPhys(pa, delta, MemOrder.Full, size);
    public CpuOp LoadPhys(ulong pa, MemOrder order, int size = 8) { Op.Mem = MemOp.Load(pa, size); return Issue(OpKind.MemPhys, order); }
    public CpuOp StorePhys(ulong pa, ulong value, MemOrder order, int size = 8) { Op.Mem = MemOp.Store(pa, value, size); return Issue(OpKind.MemPhys, order); }
    public CpuOp CasPhys(ulong pa, ulong expected, ulong desired, MemOrder order, int size = 8) { Op.Mem = MemOp.Cas(pa, expected, desired, size); return Issue(OpKind.MemPhys, order); }
    public CpuOp FetchAddPhys(ulong pa, ulong delta, MemOrder order, int size = 8) { Op.Mem = MemOp.Add(pa, delta, size); return Issue(OpKind.MemPhys, order); }
    /// <summary>Any access by PA with an ordering (the litmus binding of the Arm data model issues every instruction's own).</summary>
    public CpuOp AccessPhys(in MemOp op, MemOrder order, int addressView = 0)
    {
        Op.Mem = op;
        var r = Issue(OpKind.MemPhys, order);
        Op.AddressView = addressView;
        return r;
    }

    /// <summary>Arm data model: the view of this CPU's last access by PA that read (<see cref="DataLoadViews"/>
    /// timestamp), to pass as the address view of a load whose address depends on it
    /// (<see cref="AccessPhys(in MemOp, MemOrder, int)"/>).</summary>
    public int LastReadView => Sim.DataBuffer.Views.LastView(Id);

    /// <summary>atomic_add/atomic_inc/atomic_dec: an add whose old value the caller never sees (the awaitable has no
    /// result), so two of them on one word commute for the search (Footprint.Blind).</summary>
    public BlindOp AtomicAddPhys(ulong pa, ulong delta, int size = 8, MemOrder order = MemOrder.Relaxed)
    {
        Op.Mem = MemOp.Add(pa, delta, size);
        var op = Issue(OpKind.MemPhys, order);
        Op.Result = RmwResult.None;
        return new BlindOp(op);
    }

    /// <summary>atomic_dec_and_test: decrements and returns whether the word became zero; the caller sees nothing
    /// else of the old value, so two of them that both leave the word non-zero commute for the search.</summary>
    public ZeroTestOp DecAndTestPhys(ulong pa)
    {
        Op.Mem = MemOp.Add(pa, ulong.MaxValue);
        var op = Issue(OpKind.MemPhys, MemOrder.Full);   // value-returning: fully ordered (atomic_t.txt)
        Op.Result = RmwResult.IsZero;
        if (_rendezvous == RendezvousPhase.Begun && _rendezvousDepth == Depth)
        {
            Op.RendezvousAck = true;
            Op.StatePa = _rendezvousStatePa;
            Op.CurrentState = _rendezvousCurrentState;
            Op.NextState = _rendezvousNextState;
            _rendezvous = RendezvousPhase.Acknowledging;
        }
        return new ZeroTestOp(op, ulong.MaxValue);
    }

    // ---- rendezvous acknowledgements (search hint) ----
    internal enum RendezvousPhase : byte { None, Begun, Acknowledging }
    private RendezvousPhase _rendezvous;
    private int _rendezvousDepth;
    private ulong _rendezvousStatePa, _rendezvousCurrentState, _rendezvousNextState;

    /// <summary>
    /// Marks the next <see cref="DecAndTestPhys"/> of this context as the acknowledgement of a rendezvous in which the
    /// caller that makes the counter zero resets it and writes <paramref name="nextState"/> to <paramref name="statePa"/>
    /// before <see cref="EndRendezvousAck"/>, and every caller then goes on the same way whether or not it was last
    /// (multi_cpu_stop's ack_state()). A search runs the acknowledgement and those writes as one step and treats the
    /// acknowledgements of one round as commuting (Footprint.Rendezvous); timed runs ignore the marks. The caller
    /// promises what makes that sound: the state is <paramref name="currentState"/> from the caller's reading of it
    /// until its acknowledgement, and between the last acknowledgement and the state write no other CPU accesses the
    /// counter or the state except to read the state (every participant has acknowledged and spins on it). Under the
    /// Arm data model the last caller's writes reach memory at once (DataStoreBuffers.WillBuffer), which also needs:
    /// nobody reads the counter or the state except the participants' acknowledgements and waits on the state.
    /// </summary>
    public void BeginRendezvousAck(ulong statePa, ulong currentState, ulong nextState)
    {
        _rendezvous = RendezvousPhase.Begun;
        _rendezvousDepth = Depth;
        _rendezvousStatePa = statePa;
        _rendezvousCurrentState = currentState;
        _rendezvousNextState = nextState;
    }

    public void EndRendezvousAck() => _rendezvous = RendezvousPhase.None;

    /// <summary>Inside a rendezvous acknowledgement, after the acknowledging op: the state writes of the last caller.</summary>
    internal bool InRendezvousWrites => _rendezvous == RendezvousPhase.Acknowledging && _rendezvousDepth == Depth;

    // ---- TLB maintenance and barriers ----
    public CpuOp Tlbi(TlbiOp op, ulong va = 0, ulong pages = 1) { Op.Tlbi = op; Op.TlbiVa = va; Op.TlbiPages = pages; return Issue(OpKind.Tlbi); }
    /// <summary>A barrier; <paramref name="site"/> names it as "routine: barrier" (e.g. "flush_tlb_kernel_range:
    /// dsb(ishst)") so <c>hvolab barriers</c> can list it and run a check without it (<see cref="SimOptions.OmitBarrierSite"/>).</summary>
    public CpuOp Barrier(BarrierKind kind, string? site = null)
    {
        // An omitted barrier is issued as a DMB LD: no effect on the machine (DMBs order nothing there) nor on the Arm
        // data ordering (loads are performed in order), so the run is as if it were not there.
        bool omitted = site is not null && Sim.OmitsBarrier(site);
        if (omitted) kind = BarrierKind.DmbIshLd;
        Op.Barrier = kind;
        Op.BarrierOmitted = omitted;
        return Issue(OpKind.Barrier);
    }

    public CpuOp Isb(string? site = null) => Barrier(BarrierKind.Isb, site);

    // ---- events and interrupts ----
    public CpuOp Wfe() => Issue(OpKind.Wfe);
    public CpuOp Sev() => Issue(OpKind.Sev);
    /// <summary>gic_ipi_send_mask: one SGI to every CPU in <paramref name="targets"/>. With <paramref name="broadcast"/>
    /// the GICv3 IRM "all but self" path is used (one write), otherwise one write per target.</summary>
    public CpuOp SendSgi(in CpuMask targets, int sgi, bool broadcast = false) => SendSgi(targets, sgi, broadcast, null);

    /// <summary>SendSgi whose handler also exists in closed form: in timed runs a target busy with private work
    /// takes it without running the handler op by op (see <see cref="IClosedFormHandler"/>).</summary>
    public CpuOp SendSgi(in CpuMask targets, int sgi, bool broadcast, IClosedFormHandler? closedForm)
    {
        Gic.CheckSgi(sgi);
        Op.SgiTargets = targets;
        Op.SgiClosedForm = closedForm;
        Op.Sgi = sgi; Op.Broadcast = broadcast;
        return Issue(OpKind.SendSgi);
    }
    /// <summary>The SGI whose handler is being launched (read once by the handler's entry).</summary>
    internal int TakenSgi;
    /// <summary>Closed form of the handler of each pending SGI, if its sender gave one.</summary>
    internal readonly IClosedFormHandler?[] PendingClosedForm = new IClosedFormHandler?[16];
    /// <summary>With <see cref="ParkKind.Held"/>: the handler and what undoing the hold restores.</summary>
    internal IClosedFormHandler? Held;
    internal HoldRecord Hold;

    /// <summary>State a hold changed, to cancel it exactly (ClosedFormRunner.cs).</summary>
    internal struct HoldRecord
    {
        public int Sgi;
        public long TakeTime;
        public double HandlerStart, ParkStart, WorkEnd, WorkNs, LabelTime, IrqsOffSince, MaxIrqsOff, TotalIrqsOff;
        public ContextTimes TimeInContext;
        public ClosedFormStep Enter;
        public bool HadLabel;
        public int WorkLabel;
        /// <summary>The CPU's jitter stream before the hold drew from it (a cancelled hold gives its draws back).</summary>
        public SplitMix64 Jitter;
        /// <summary>Held at a send with its entry put off until the release (ClosedFormRunner.HoldAtSend): the work
        /// not yet split, the NMI frame not pushed, only the draws and the prologue's add made.</summary>
        public bool Deferred;
    }

    [System.Runtime.CompilerServices.InlineArray(6)]
    internal struct ContextTimes { private double _t0; }
    /// <summary>local_irq_disable(): PMR = GIC_PRIO_IRQOFF under pseudo-NMI, else DAIF.I (arch/arm64/include/asm/irqflags.h).</summary>
    public CpuOp LocalIrqDisable() => Issue(OpKind.IrqDisable);
    public CpuOp LocalIrqEnable() => Issue(OpKind.IrqEnable);
    /// <summary>local_daif_mask(): sets PSTATE.I (masks pseudo-NMIs too).</summary>
    public CpuOp DaifMask() => Issue(OpKind.DaifMask);
    public CpuOp DaifRestore() => Issue(OpKind.DaifRestore);

    // ---- time ----
    /// <summary>A stretch of private work that touches no shared state, costing <paramref name="ns"/>.</summary>
    public CpuOp Work(double ns, int label = 0) { Op.Ns = ns; Op.Label = label; return Issue(OpKind.Work); }
    /// <summary>A step that reads and writes memory in bulk outside the op interface (copy_page, struct page
    /// initialisation): the caller does the copying right after awaiting it, within the same step. Costs
    /// <paramref name="ns"/>; to the search it may touch any word, so it is ordered against every access.</summary>
    public CpuOp Bulk(double ns, int label = 0) => Bulk(ns, label, 0, ulong.MaxValue);

    /// <summary>Bulk work on the memory behind the VA range [<paramref name="vaLo"/>, <paramref name="vaHi"/>) (and
    /// on private pages nothing maps yet): the search orders it only against accesses in that range or that may alias it.</summary>
    public CpuOp Bulk(double ns, int label, ulong vaLo, ulong vaHi)
    {
        Op.Ns = ns; Op.Label = label; Op.BulkVaLo = vaLo; Op.BulkVaHi = vaHi; Op.FrameWords = 0;
        return Issue(OpKind.Bulk);
    }

    /// <summary>Bulk work that stores the whole frame at <paramref name="dstPa"/> (<paramref name="words"/> 8-byte
    /// words): a copy of the frame <paramref name="srcVa"/> maps when the op runs (copy_page), or, with srcVa =
    /// ulong.MaxValue, the words <paramref name="first"/> + i * <paramref name="stride"/> (a PTE table filled with
    /// consecutive pages); with <paramref name="srcIsPhysical"/> the source is that physical frame. The engine does
    /// the stores: at once, or under the Arm data model as one buffered store that other CPUs and walkers see only
    /// when it drains (<see cref="DataStoreBuffers"/>).</summary>
    public CpuOp StoreFrame(double ns, int label, ulong vaLo, ulong vaHi, ulong dstPa, ulong srcVa, ulong first, ulong stride, int words, bool srcIsPhysical = false)
    {
        var r = Bulk(ns, label, vaLo, vaHi);
        Op.FrameDst = dstPa; Op.FrameSrcVa = srcVa; Op.FrameFirst = first; Op.FrameStride = stride; Op.FrameWords = words;
        Op.FrameSrcIsPa = srcIsPhysical;
        return r;
    }

    /// <summary>A nondeterministic choice between two alternatives made by the scheduler (0 or 1): what the hardware
    /// may do either way, e.g. which of two conflicting TLB entries an access uses. Timed runs take 0.</summary>
    public CpuOp ChooseOne() => Issue(OpKind.Choose);
    internal int ChoiceAlt;
    /// <summary>Arm data model: the pending plain store passes the older buffered stores it may (set by the search).</summary>
    internal bool PassStore;
    /// <summary>Arm data model: the pending relaxed load reads the oldest value its view allows (set by the search).</summary>
    internal bool OlderRead;
    /// <summary>Arm data model: the pending access by VA walks the tables with every descriptor store made so far
    /// visible to walkers, before its writer's DSB (set by the search; <see cref="DataStoreBuffers.OffersNewestWalk"/>).</summary>
    internal bool NewestWalk;

    /// <summary>cpu_relax() inside a spin loop. If the loop's loads since the previous relax saw nothing change, the
    /// engine parks the CPU until another CPU writes one of those locations (spin detection).</summary>
    public CpuOp Relax() => Issue(OpKind.Relax);

    /// <summary>A spin loop on one word as a single wait: completes (returning the word) once it equals
    /// <paramref name="value"/> (or, with <paramref name="notEqual"/>, differs from it). Equivalent to
    /// <c>while (READ_ONCE(*p) != value) cpu_relax();</c> — the reads that see the old value change nothing — but the
    /// search takes it as one step, enabled only when the condition holds.</summary>
    public CpuOp WaitPhys(ulong pa, ulong value, bool notEqual = false) => WaitPhys(pa, value, MemOrder.Relaxed, notEqual);

    /// <summary><see cref="WaitPhys(ulong, ulong, bool)"/> whose reads have an ordering: with <see cref="MemOrder.Acquire"/>
    /// it is smp_cond_load_acquire().</summary>
    public CpuOp WaitPhys(ulong pa, ulong value, MemOrder order, bool notEqual = false)
    {
        Op.WaitPa = pa;
        Op.WaitValue = value;
        Op.WaitNotEqual = notEqual;
        return Issue(OpKind.WaitPhys, order);
    }

    /// <summary>Queue work that runs on this CPU at its next preemption point (a stopper kthread, a woken task).</summary>
    public void QueuePreemptWork(Func<Cpu, SimTask> work, double arrival, int label = 0)
    {
        Sim.ClosedForm.OnInterruptQueued(this, arrival);
        PreemptWork.Enqueue((work, arrival, label));
        PreemptEnablers.Enqueue(Sim.Driver.PerformingStep);
        Sim.MarkDirty(Id);   // another CPU's queue changed its next event
    }

    internal void Suspend(Action continuation) => Frames[Depth - 1].Continuation = continuation;

    internal void RecordRead(ulong pa, ulong word)
    {
        pa &= ~7UL;
        for (int i = 0; i < ReadCount; i++) if (ReadSet[i] == pa) { ReadVals[i] = word; return; }
        if (ReadCount == ReadSet.Length) { ReadOverflow = true; return; }
        ReadVals[ReadCount] = word;
        ReadSet[ReadCount++] = pa;
    }

    internal void ClearReads() { ReadCount = 0; ReadOverflow = false; }

    private void OnFrameTaskDone() => Sim.Contexts.CompleteFrame(this);

    public override string ToString() => $"CPU{Id}";
}
