using HvoLab.Arch;

namespace HvoLab.Engine;

/// <summary>
/// Closed-form NMI handlers in timed runs (<see cref="IClosedFormHandler"/>). When an SGI whose handler has a closed
/// form is sent, each target that is busy with private work across the SGI's arrival — so the op-level run would take
/// the NMI exactly at the arrival — is <em>held</em> at once instead: its work is split at the arrival, the NMI frame
/// is entered as <see cref="ExceptionModel.TakeInterrupt"/> would, the prologue runs in closed form and the CPU waits, unscheduled,
/// for the handler's word. The write that satisfies the wait releases it (the epilogue in closed form, the frame
/// popped, the rest of the work resumed), at the times the op-level handler would give. That turns a 256-CPU pause
/// from ~8 scheduling events per paused CPU into none.
/// Two rules keep it exact. (1) A hold is decided before its arrival, so anything that would reach the CPU first (an
/// SGI or preempting work arriving earlier) cancels the hold — state restored, SGI made pending — and the op-level
/// handler runs. (2) A closed-form store is applied when the hold is made but becomes visible at its own time: a
/// WaitPhys that sees it waits until then (<see cref="Cpu.ParkKind.Timed"/>), and wakes of spinners are stamped with it.
/// Plain loads of such a word before that time would see the value early; the handlers' words (nr_cpus_paused) are
/// read only by WaitPhys.
/// Owned by the <see cref="Simulator"/>; used only when the driver allows closed forms (timed runs).
/// </summary>
internal sealed class ClosedFormRunner(Simulator sim)
{
    private readonly Simulator _sim = sim;
    /// <summary>True when some CPU is held (a write must then check whether it releases any).</summary>
    internal bool AnyHeldWatchers => _watchers.Any;

    private readonly ClosedFormVisibility _visibility = new(sim);
    /// <summary>Interrupts taken in closed form, and holds cancelled because something else reached the CPU first.</summary>
    public long Holds { get; private set; }
    public long Cancels { get; private set; }
    private readonly HeldWatchers _watchers = new();

    /// <summary>Can <paramref name="r"/> take SGI <paramref name="sgi"/> arriving at <paramref name="arrival"/> in
    /// closed form right when it is sent: busy with private work across the arrival, the SGI an NMI it will take
    /// then, nothing else due by then (what arrives later stays pending until the handler returns, as in the
    /// op-level run). Other targets get the SGI pending and take it in closed form when they take it.</summary>
    internal bool CanHoldAtSend(Cpu r, int sgi, long arrival)
    {
        if (!_sim.Driver.ClosedFormHandlers) return false;
        if (r.Park != Cpu.ParkKind.Work || r.ParkStart > arrival || r.WorkEnd <= arrival) return false;
        if (!_sim.Gic.IsNmi(sgi) || r.DaifI || r.InNmi || _sim.Gic.Priority(sgi) >= r.Pmr) return false;
        if (r.PendingFault != null || r.Depth == Cpu.MaxDepth) return false;
        // Anything pending that arrives by then would be taken first (or compete with it): op by op.
        if (_sim.Gic.AnyPending(r.Id) && _sim.Gic.EarliestArrival(r.Id) <= arrival) return false;
        return r.PreemptWork.Count == 0 || r.PreemptWork.Peek().Arrival > arrival;
    }

    /// <summary>Holds a CPU busy with private work for an NMI that arrives at <paramref name="arrival"/>. Only what
    /// the other CPUs can see is done now: the target's draws for the NMI entry and the prologue (its own stream, so
    /// the same values as at the arrival) and the prologue's add (the waiter counts it). The rest of
    /// <see cref="ExceptionModel.TakeInterrupt"/> — splitting the work, the NMI frame, the statistics — is put off to
    /// the release (<see cref="TakeDeferred"/>), where it is done with the epilogue in one pass over the CPU, and the
    /// frame's push and pop, which cancel out, are left out. A cancellation (rule 1) then only takes back the add and
    /// the draws. With a trace recorded, the hold is made in full (the trace shows the entry at its time).</summary>
    internal void HoldAtSend(Cpu r, int sgi, long arrival, IClosedFormHandler h)
    {
        if (_sim.Trace.Enabled) { HoldInFull(r, sgi, arrival, h); return; }
        ref var hold = ref r.Hold;
        hold.Deferred = true;
        hold.Sgi = sgi;
        hold.TakeTime = arrival;
        hold.Jitter = _sim.Driver.JitterStream(r);
        Holds++;
        _deferred++;
        // The same sums as TakeInterrupt at the arrival: the clock at the arrival plus the jittered entry cost.
        double t = arrival;
        t += _sim.Jitter(r, _sim.Exceptions.EntryNs);
        hold.HandlerStart = t;
        var step = h.Enter(r, t);
        hold.Enter = step;
        ApplyEffect(r, step);
        r.Held = h;
        r.Park = Cpu.ParkKind.Held;
        if (HeldWaitHolds(h)) { ReleaseHeld(r, step.End); return; }
        WatchHeld(r, h.WaitPa & ~7UL);
        _sim.MarkDirty(r.Id);
    }

    /// <summary>The entry a deferred hold put off, as <see cref="ExceptionModel.TakeInterrupt"/> and
    /// <see cref="EnterClosedForm"/> do it at the arrival, without the frame: the work split at the arrival, the NMI
    /// counted, an interrupts-off stretch started there (the frame's push and pop would start and end it), the
    /// prologue's time charged to the NMI context. The CPU then waits from the prologue's end.</summary>
    private void TakeDeferred(Cpu r)
    {
        ref var hold = ref r.Hold;
        hold.Deferred = false;
        _deferred--;
        _sim.Ops.SplitWork(r, hold.TakeTime);
        r.Stats.NmisTaken++;
        if (r.Stats.IrqsOffSince < 0) r.Stats.IrqsOffSince = r.Time;   // in an NMI interrupts are off
        r.Time = hold.HandlerStart;
        double waitFrom = hold.Enter.End;
        r.Stats.TimeInContext[(int)ContextKind.Nmi] += waitFrom - r.Time;
        r.Time = waitFrom;
        r.ParkStart = waitFrom;
    }

    /// <summary>The handler's return after a deferred entry: what <see cref="ContextStack.PopFrame"/> does to a CPU
    /// whose masks the handler left as it found them (exception return: the read set cleared, a context
    /// synchronization event, the interrupts-off stretch ended).</summary>
    private void ReturnWithoutFrame(Cpu r)
    {
        r.ClearReads();
        _sim.DataBuffer.Views.Order(r.Id);
        _sim.Exceptions.UpdateIrqsOff(r);
    }

    private int _deferred;

    /// <summary>At the end of a run (whatever ends it): every CPU still held with its entry put off is given the
    /// state a full hold gives, so statistics, final checks and reports read the same.</summary>
    internal void MaterializeDeferred()
    {
        if (_deferred == 0) return;
        foreach (var r in _sim.Cpus) Materialize(r);
    }

    /// <summary>Gives a CPU held with its entry put off the state of a full hold (<see cref="HoldInFull"/>): a
    /// report is about to read it. The draws are made again from the stream as it was before the hold (the same
    /// values in the same order); the prologue's add stays applied.</summary>
    internal void Materialize(Cpu r)
    {
        if (_deferred == 0 || r.Park != Cpu.ParkKind.Held || !r.Hold.Deferred) return;
        r.Hold.Deferred = false;
        _deferred--;
        _sim.Driver.RestoreJitterStream(r, r.Hold.Jitter);
        var step = r.Hold.Enter;
        SnapshotAndSplit(r, r.Hold.Sgi, r.Hold.TakeTime);
        EnterFrame(r, r.Held!, r.Hold.TakeTime);
        r.Hold.Enter = step;
    }

    /// <summary>The hold made in full at the send (with a trace): what <see cref="ExceptionModel.TakeInterrupt"/>
    /// will do at the arrival, done now, with what a cancellation restores.</summary>
    private void HoldInFull(Cpu r, int sgi, long arrival, IClosedFormHandler h)
    {
        SnapshotAndSplit(r, sgi, arrival);
        EnterClosedForm(r, sgi, h, holdUntil: arrival);
    }

    private void SnapshotAndSplit(Cpu r, int sgi, long arrival)
    {
        ref var work = ref r.Frames[r.Depth - 1].Pending;
        r.Hold = new Cpu.HoldRecord
        {
            Sgi = sgi, TakeTime = arrival, ParkStart = r.ParkStart, WorkEnd = r.WorkEnd, WorkNs = work.Ns, WorkLabel = work.Label,
            IrqsOffSince = r.Stats.IrqsOffSince, MaxIrqsOff = r.Stats.MaxIrqsOffNs, TotalIrqsOff = r.Stats.TotalIrqsOffNs,
            Jitter = _sim.Driver.JitterStream(r),
        };
        r.Stats.TimeInContext.AsSpan().CopyTo(r.Hold.TimeInContext);
        r.Hold.HadLabel = work.Label != 0 && r.Stats.TimeByLabel.TryGetValue(work.Label, out r.Hold.LabelTime);
        _sim.Ops.SplitWork(r, arrival);
    }

    /// <summary>The NMI is taken at the CPU's clock (masks, frame, entry cost exactly as <see cref="ExceptionModel.TakeInterrupt"/>);
    /// the prologue runs in closed form and the CPU waits, unscheduled, for the handler's word.
    /// <paramref name="holdUntil"/> &gt; 0 marks a hold made at send time, cancellable until then.</summary>
    internal void EnterClosedForm(Cpu r, int sgi, IClosedFormHandler h, long holdUntil)
    {
        Holds++;
        if (_sim.Trace.Enabled) _sim.Trace.Mark(r.Time, r.Id, $"take pseudo-NMI SGI {sgi} (handler in closed form)");
        var step = EnterFrame(r, h, holdUntil);
        ApplyEffect(r, step);
        if (HeldWaitHolds(h)) { ReleaseHeld(r, step.End); return; }
        WatchHeld(r, h.WaitPa & ~7UL);
        _sim.MarkDirty(r.Id);
    }

    /// <summary>The NMI frame entered at the CPU's clock and the prologue in closed form, up to the wait (the
    /// prologue's add is returned, not applied).</summary>
    private ClosedFormStep EnterFrame(Cpu r, IClosedFormHandler h, long holdUntil)
    {
        r.Stats.NmisTaken++;
        _sim.Exceptions.EnterInterruptContext(r, nmi: true);
        r.Hold.HandlerStart = r.Time;
        r.Hold.TakeTime = holdUntil;
        var step = h.Enter(r, r.Time);
        r.Hold.Enter = step;
        double waitFrom = step.End;
        r.Stats.TimeInContext[(int)ContextKind.Nmi] += waitFrom - r.Time;
        r.Time = waitFrom;
        r.Held = h;
        r.Park = Cpu.ParkKind.Held;
        r.ParkStart = waitFrom;
        return step;
    }

    private bool HeldWaitHolds(IClosedFormHandler h)
    {
        // Inside a batch memory changes only through this class (which forgets the cached read when it writes), so
        // the targets of one send or one release read the word once.
        ulong pa = h.WaitPa & ~7UL;
        if (_effectBatch == 0) return _sim.Arch.ReadPhys(pa) == h.WaitValue;
        if (_cachedReadPa != pa) { _cachedReadPa = pa; _cachedRead = _sim.Arch.ReadPhys(pa); }
        return _cachedRead == h.WaitValue;
    }

    private ulong _cachedReadPa = NoCachedRead, _cachedRead;
    private const ulong NoCachedRead = ulong.MaxValue;

    private void WatchHeld(Cpu r, ulong pa)
    {
        _watchers.Add(pa, r.Id);
        if (_effectBatch == 0) _watchers.Flush();
    }

    /// <summary>The held CPU's wait ends at <paramref name="woken"/>: epilogue, NMI return, back to its work.</summary>
    private void ReleaseHeld(Cpu r, double woken)
    {
        var h = r.Held!;
        bool deferred = r.Hold.Deferred;
        if (deferred) TakeDeferred(r);
        if (woken > r.ParkStart)
        {
            double parked = woken - r.ParkStart;
            r.Stats.SpinNs += parked;
            r.Stats.TimeInContext[(int)ContextKind.Nmi] += parked;
            // Named by the handler (D's pause: "paused"), as the op-level handler's own section is.
            if (_sim.Trace.Enabled) _sim.Trace.Slice(r.ParkStart, woken, r.Id, h.Label != 0 ? h.Label : _sim.Label("spin"));
            r.Time = woken;
        }
        var step = h.Leave(r, r.Time);
        ApplyEffect(r, step);
        double end = step.End;
        r.Stats.TimeInContext[(int)ContextKind.Nmi] += end - r.Time;
        r.Time = end;
        if (h.Label != 0)
        {
            r.Stats.TimeByLabel.Add(h.Label, end - r.Hold.HandlerStart);
        }
        _sim.Steps += h.Ops;
        r.Stats.Ops += h.Ops;
        r.Held = null;
        if (deferred) ReturnWithoutFrame(r); else _sim.Contexts.PopFrame(r);
        ResumeInterrupted(r);
    }

    /// <summary>Something reaches the held CPU before the hold's arrival time: undo the hold exactly and let the
    /// op-level handler take the SGI when it arrives.</summary>
    private void CancelHold(Cpu r)
    {
        var h = r.Held!;
        Cancels++;
        // The prologue's add never happened: take it back (plain store; a waiter re-checks when it wakes).
        ulong pa = r.Hold.Enter.Pa & ~7UL;
        if (r.Hold.Enter.Delta != 0) { _sim.Arch.WritePhys(r.Id, pa, _sim.Arch.ReadPhys(pa) - r.Hold.Enter.Delta); _cachedReadPa = NoCachedRead; }
        _watchers.Remove(h.WaitPa & ~7UL, r.Id);
        r.Held = null;
        if (r.Hold.Deferred)
        {
            // Nothing but the draws was done to the CPU: give them back; it is still inside its work.
            r.Hold.Deferred = false;
            _deferred--;
            _sim.Driver.RestoreJitterStream(r, r.Hold.Jitter);
            r.Park = Cpu.ParkKind.Work;
            _sim.Ops.MakePending(r, r.Hold.Sgi, r.Hold.TakeTime, h);
            return;
        }
        r.Stats.NmisTaken--;
        _sim.Contexts.PopFrame(r);
        var rec = r.Hold;
        r.Stats.IrqsOffSince = rec.IrqsOffSince;
        r.Stats.MaxIrqsOffNs = rec.MaxIrqsOff;
        r.Stats.TotalIrqsOffNs = rec.TotalIrqsOff;
        ((ReadOnlySpan<double>)rec.TimeInContext).CopyTo(r.Stats.TimeInContext);
        if (rec.HadLabel) r.Stats.TimeByLabel[rec.WorkLabel] = rec.LabelTime;
        else if (rec.WorkLabel != 0) r.Stats.TimeByLabel.Remove(rec.WorkLabel);
        _sim.Driver.RestoreJitterStream(r, rec.Jitter);
        ref var work = ref r.Frames[r.Depth - 1].Pending;
        work.Ns = rec.WorkNs;
        r.Time = rec.ParkStart;
        r.Park = Cpu.ParkKind.Work;
        r.ParkStart = rec.ParkStart;
        r.WorkEnd = rec.WorkEnd;
        _sim.Ops.MakePending(r, rec.Sgi, rec.TakeTime, h);
        if (_sim.Trace.Enabled) _sim.Trace.Mark(rec.TakeTime, r.Id, "closed-form hold cancelled: the op-level handler will run");
    }

    /// <summary>An interrupt or preempting work for <paramref name="r"/> arriving at <paramref name="arrival"/>: if r
    /// is held for an NMI it would take only later, the hold is cancelled (rule 1).</summary>
    internal void OnInterruptQueued(Cpu r, double arrival)
    {
        if (r.Park == Cpu.ParkKind.Held && arrival < r.Hold.TakeTime) CancelHold(r);   // TakeTime 0: taken already
    }

    /// <summary>After the handler: an interrupted Work op continues from the CPU's clock for what was left of it;
    /// any other pending op (or an idle CPU) is simply runnable again, as after an op-level handler returns.</summary>
    private void ResumeInterrupted(Cpu r)
    {
        r.Park = Cpu.ParkKind.None;
        if (r.Depth > 0)
        {
            ref var op = ref r.Frames[r.Depth - 1].Pending;
            if (op.Kind is OpKind.Work or OpKind.Bulk && op.WorkStarted && op.Ns > 0)
            {
                r.Park = Cpu.ParkKind.Work;
                r.ParkStart = r.Time;
                r.WorkEnd = r.Time + op.Ns;
            }
        }
        _sim.MarkDirty(r.Id);
    }

    /// <summary>A write to <paramref name="pa"/> visible at <paramref name="time"/>: release the held CPUs whose wait
    /// it satisfies, each one cache-line transfer later (as <see cref="OpExecutor.Unpark"/> stamps spinners).</summary>
    internal void ReleaseHeldWatchers(ulong pa, double time)
    {
        if (!_watchers.Take(pa, out var mask)) return;
        // Those whose wait is not over (another value, or no longer held here) are put back afterwards.
        var still = default(CpuMask);
        OpenBatch();
        for (int t = mask.Next(0); t >= 0; t = t + 1 < CpuMask.MaxCpus ? mask.Next(t + 1) : -1)
        {
            var r = _sim.Cpus[t];
            if (r.Held is not { } h) continue;
            if (!HeldWaitHolds(h)) { still.Set(t); continue; }
            ReleaseHeld(r, time + _sim.Cost.CacheLineNs);
        }
        EndEffectBatch();
        _watchers.PutBack(pa, still);
    }

    // ---- the handlers' atomic adds, summed over the CPUs that enter or leave together ----

    private int _effectBatch;

    /// <summary>Opens a group (the targets of one SGI send) whose handler adds are applied as one store.</summary>
    internal void BeginEffectBatch() => OpenBatch();

    private void OpenBatch()
    {
        if (_effectBatch++ == 0) _cachedReadPa = NoCachedRead;
    }
    private bool _effectPending;
    private int _effectCpu;
    private ulong _effectPa, _effectDelta;
    private double _effectVisibleAt, _effectStart;

    /// <summary>Applies a step's add now, or adds it to the batch being collected (one store, one wake-up pass
    /// for a whole pause instead of one per CPU). Waiters see the sum as the op-level run shows it: written by the add
    /// that starts last (ties: the higher CPU, processed last), which wakes them when it completes.</summary>
    private void ApplyEffect(Cpu cpu, in ClosedFormStep step)
    {
        if (step.Delta == 0) return;
        if (_effectBatch == 0) { ClosedFormRmw(cpu, step.Pa, step.Delta, step.AddStart, step.VisibleAt); return; }
        ulong pa = step.Pa & ~7UL;
        if (_effectPending && pa != _effectPa) FlushEffects();
        if (!_effectPending) { _effectPending = true; _effectPa = pa; _effectDelta = 0; _effectStart = double.NegativeInfinity; }
        _effectCpu = cpu.Id;
        _effectDelta += step.Delta;
        if (step.AddStart >= _effectStart) { _effectStart = step.AddStart; _effectVisibleAt = step.VisibleAt; }
    }

    /// <summary>Closes a group of entries or releases opened with <see cref="BeginEffectBatch"/>.</summary>
    internal void EndEffectBatch()
    {
        if (--_effectBatch != 0) return;
        _watchers.Flush();
        if (_effectPending) FlushEffects();
        _cachedReadPa = NoCachedRead;
    }

    private void FlushEffects()
    {
        _effectPending = false;
        ClosedFormRmw(_sim.Cpus[_effectCpu], _effectPa, _effectDelta, _effectStart, _effectVisibleAt);
    }

    /// <summary>An atomic add by a closed-form handler on <paramref name="cpu"/>, applied now but performed, as the
    /// op-level run sees it, at <paramref name="start"/> and completing at <paramref name="visibleAt"/> (rule 2).
    /// Returns the old value.</summary>
    private ulong ClosedFormRmw(Cpu cpu, ulong pa, ulong delta, double start, double visibleAt)
    {
        ulong word = pa & ~7UL;
        ulong old = _sim.Arch.ReadPhys(word);
        _sim.Arch.WritePhys(cpu.Id, word, old + delta);
        _cachedReadPa = NoCachedRead;
        // Adds applied ahead of their time (at a send) can make a waiter's condition true before the op-level run
        // would: the waiter wakes when the add that run performs last completes, whichever add got here last.
        _sim.Ops.NotifyWrite(word, _visibility.Added(word, start, visibleAt));
        return old;
    }

    /// <summary>See <see cref="ClosedFormVisibility.VisibleTo"/>.</summary>
    internal double VisibleTo(ulong pa, double now) => _visibility.VisibleTo(pa, now);

    /// <summary>See <see cref="ClosedFormVisibility.Forget"/>.</summary>
    internal void ForgetVisibility(ulong pa, double time) => _visibility.Forget(pa, time);
}
