namespace HvoLab.Engine;

/// <summary>
/// Timed runs: the CPU with the earliest next event acts (ties by CPU number, <see cref="TimedEventQueue"/>); an op runs
/// inline while its CPU's clock has not passed the next event of any other CPU (the horizon); each cost carries a
/// seeded jitter; an interrupt is taken at its arrival; private work that would run past the horizon parks its CPU
/// until its end, so an interrupt arriving first splits it (OpExecutor.SplitWork); waits are charged as spin time.
/// </summary>
internal sealed class TimedDriver : ExecutionDriver
{
    private readonly TimedEventQueue _queue;
    private readonly double _jitter;
    // One jitter stream per CPU: a CPU's draws depend only on its own sequence of costs, not on how the other CPUs'
    // events interleave with it, so a closed-form handler draws exactly what the op-level handler draws, and a
    // mechanism that computes a CPU's future (a cohort, a compound segment) can draw ahead and rewind.
    private readonly SplitMix64[] _jitterRng;
    private double _horizon = double.PositiveInfinity;
    private long _schedulingEvents;
    private readonly ProgressWatch _progress;

    public TimedDriver(Simulator sim) : base(sim)
    {
        _queue = new TimedEventQueue(this, sim.Cpus);
        _jitter = sim.Cost.Jitter;
        // Each CPU's stream starts at its own point of the SplitMix64 sequence, taken from a generator seeded by the run.
        var seeds = new SplitMix64(sim.Options.Seed);
        _jitterRng = new SplitMix64[sim.Cpus.Length];
        for (int i = 0; i < _jitterRng.Length; i++) _jitterRng[i] = new SplitMix64(seeds.Next());
        _progress = new ProgressWatch(sim);
    }

    public override long SchedulingEvents => _schedulingEvents;
    public override bool ClosedFormHandlers => Sim.Options.ClosedFormHandlers;

    public override RunOutcome Run()
    {
        var outcome = Loop();
        Sim.ClosedForm.MaterializeDeferred();
        return outcome;
    }

    private RunOutcome Loop()
    {
        _queue.Init();
        while (true)
        {
            if (Sim.Termination.StopReason() is { } stop) return stop;
            if (Sim.TakeForcedFault() is { } f) { Sim.Exceptions.StartFault(f); MarkDirty(f.Id); continue; }
            Sim.Termination.UpdateStopRequested();
            var next = _queue.PeekEarliest(out double best);
            if (next is null) { Sim.ClosedForm.MaterializeDeferred(); return Sim.Termination.EndWithoutActions(); }   // final checks read every CPU
            if (Sim.Termination.OverBudget()) return Sim.Termination.ReportBudget();
            if (_progress.Stalled(_schedulingEvents, best)) return _progress.Report(best);
            if (Sim.Trace.Full) return RunOutcome.EventCapReached;
            _schedulingEvents++;
            Perform(next, best);
            MarkDirty(next.Id);   // after, not before: Resume flushes the queue for its horizon mid-step
        }
    }

    public override double Jitter(Cpu c, double ns)
    {
        if (_jitter == 0 || ns == 0) return ns;
        return ns * (1 + _jitter * (2 * _jitterRng[c.Id].NextDouble() - 1));
    }

    public override SplitMix64 JitterStream(Cpu c) => _jitterRng[c.Id];
    public override void RestoreJitterStream(Cpu c, SplitMix64 stream) => _jitterRng[c.Id] = stream;

    public override double TakeTime(Cpu c, double arrival) => Math.Max(c.Time, arrival);
    public override void MarkDirty(int cpu) => _queue.MarkDirty(cpu);
    public override void Woken(Cpu c)
    {
        _horizon = Math.Min(_horizon, c.Time);
        _progress.Woken(c);
    }
    public override void SgiPosted(Cpu target) => _horizon = Math.Min(_horizon, NextEventTime(target));
    public override void BeforeResume(Cpu c) => _horizon = _queue.HorizonFromQueue(c);

    public override bool MayRunInline(Cpu c, ref PendingOp op)
    {
        if (c.Time > _horizon) return false;
        if (Sim.Gic.AnyPending(c.Id) && Sim.Gic.Deliverable(c.Id, in c.Masks, (long)c.Time) >= 0) return false;
        return c.PreemptWork.Count == 0 || !Sim.Exceptions.PreemptWorkDeliverable(c, c.Time);
    }

    public override void ChargeWait(Cpu c, double wakeTime)
    {
        if (wakeTime <= c.Time) return;
        double parked = wakeTime - c.Time;
        c.Stats.SpinNs += parked;
        c.Stats.TimeInContext[(int)c.Context] += parked;
        if (Sim.Trace.Enabled) Sim.Trace.Slice(c.Time, wakeTime, c.Id, Sim.Label("spin"));
        c.Time = wakeTime;
    }

    /// <summary>Runs the op at once if it ends before the horizon and before any interrupt would be taken; otherwise
    /// parks the CPU until the work's end (<see cref="Cpu.ParkKind.Work"/>).</summary>
    public override ExecOutcome ExecWork(Cpu c, ref PendingOp op)
    {
        if (!op.WorkStarted) { op.Ns = Jitter(c, op.Ns); op.WorkStarted = true; }
        double end = c.Time + op.Ns;
        if (op.Ns == 0 || (end <= _horizon && !InterruptArrivesBefore(c, end)))
        {
            Sim.Ops.AccountWork(c, op.Label, c.Time, end);
            c.Time = end;
            op.Ns = 0;
            return ExecOutcome.Completed;
        }
        c.Park = Cpu.ParkKind.Work;
        c.ParkStart = c.Time;
        c.WorkEnd = end;
        return ExecOutcome.Parked;
    }

    /// <summary>True if an interrupt this CPU would take, or preempting work it would run, arrives before <paramref name="t"/>.</summary>
    private bool InterruptArrivesBefore(Cpu c, double t)
    {
        if (Sim.Gic.AnyPending(c.Id) && Sim.Gic.EarliestDeliverableArrival(c.Id, in c.Masks) < t) return true;
        return c.PreemptWork.Count > 0 && Sim.Exceptions.PreemptWorkDeliverable(c, t);
    }

    /// <summary>When this CPU next has something to do in virtual time, or +∞.</summary>
    internal double NextEventTime(Cpu c)
    {
        // Held in a closed-form NMI handler: PSTATE.I is set and the context is an NMI, so no interrupt and no
        // preempting work can be taken; only the write that releases it (or a cancellation) gives it an event again.
        if (c.Park == Cpu.ParkKind.Held) return double.PositiveInfinity;
        double t = double.PositiveInfinity;
        if (c.Depth > 0 && c.Park == Cpu.ParkKind.None) t = c.Time;
        else if (c.Park == Cpu.ParkKind.Wfe) t = c.ParkStart + Sim.Cost.EventStreamPeriodNs;
        else if (c.Park is Cpu.ParkKind.Work or Cpu.ParkKind.Timed) t = c.WorkEnd;
        long arr = Sim.Gic.EarliestDeliverableArrival(c.Id, in c.Masks);
        if (arr != long.MaxValue) t = Math.Min(t, Math.Max(c.Time, arr));
        if (c.PreemptWork.Count > 0 && Sim.Exceptions.PreemptWorkDeliverable(c, double.PositiveInfinity))
            t = Math.Min(t, Math.Max(c.Time, c.PreemptWork.Peek().Arrival));
        return t;
    }

    /// <summary>The CPU whose next event is the earliest acts at <paramref name="at"/>.</summary>
    private void Perform(Cpu c, double at)
    {
        var gic = Sim.Gic;
        // Nothing due yet (held in a closed-form handler, or inside work with nothing to take): the caller re-keys it.
        if (c.Park == Cpu.ParkKind.Held) return;
        if (c.Park == Cpu.ParkKind.Work && at < c.WorkEnd && gic.Deliverable(c.Id, in c.Masks, (long)at) < 0 && !Sim.Exceptions.PreemptWorkDeliverable(c, at)) return;
        if (at > c.Time)
        {
            if (c.Park == Cpu.ParkKind.Wfe && at >= c.ParkStart + Sim.Cost.EventStreamPeriodNs && gic.Deliverable(c.Id, in c.Masks, (long)at) < 0)
            {
                Sim.Ops.Unpark(c, at);       // woken by the event stream (a spurious WFE wake-up)
                return;
            }
            if (c.Park == Cpu.ParkKind.None) c.Time = at;
        }
        double when = Math.Max(c.Time, at);
        int sgi = gic.Deliverable(c.Id, in c.Masks, (long)when);
        if (sgi >= 0) { Sim.Exceptions.TakeInterrupt(c, sgi); return; }
        if (Sim.Exceptions.PreemptWorkDeliverable(c, when)) { Sim.Exceptions.TakePreemptWork(c); return; }
        if (c.Park == Cpu.ParkKind.Work) Sim.Ops.FinishWork(c);
        else if (c.Park == Cpu.ParkKind.Timed) Sim.Ops.Unpark(c, c.WorkEnd);
        Sim.Resume(c);
    }
}
