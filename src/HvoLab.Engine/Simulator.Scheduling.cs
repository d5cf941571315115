using HvoLab.Arch;

namespace HvoLab.Engine;

/// <summary>Which CPU may do what next, and performing the chosen action.</summary>
public sealed partial class Simulator
{
    /// <summary>Fills <paramref name="buffer"/> with the enabled actions (choice mode; arrival times ignored).</summary>
    internal int CollectActions(int[] buffer)
    {
        int n = 0;
        foreach (var c in Cpus)
        {
            if (c.Depth > 0 && c.Park == Cpu.ParkKind.None && !ParkIfWaitFails(c))
            {
                buffer[n++] = Actions.Make(c.Id, Actions.RunOp);
                if (c.Frames[c.Depth - 1].Pending.Kind == OpKind.Choose) buffer[n++] = Actions.Make(c.Id, Actions.RunOpAlternative);
            }
            if (Gic.Deliverable(c.Id, in c.Masks, long.MaxValue) >= 0) buffer[n++] = Actions.Make(c.Id, Actions.TakeInterrupt);
            if (PreemptWorkDeliverable(c, double.PositiveInfinity)) buffer[n++] = Actions.Make(c.Id, Actions.TakePreemptWork);
        }
        return n;
    }

    /// <summary>A pending WaitPhys whose condition is false is not enabled: park the CPU on its word right away.</summary>
    private bool ParkIfWaitFails(Cpu c)
    {
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        if (op.Kind != OpKind.WaitPhys || WaitHolds(ref op)) return false;
        ulong pa = op.WaitPa & ~7UL;
        c.ClearReads();
        c.RecordRead(pa, Arch.ReadPhys(pa));
        Park(c, Cpu.ParkKind.Spin);
        return true;
    }

    /// <summary>Pending op of a CPU that an action would run (for partial-order reduction), or null.</summary>
    public PendingOp? PendingOpOf(int action)
    {
        var c = Cpus[Actions.Cpu(action)];
        if (Actions.Kind(action) is not (Actions.RunOp or Actions.RunOpAlternative) || c.Depth == 0) return null;
        return c.Frames[c.Depth - 1].Pending;
    }

    internal void Perform(int action)
    {
        var c = Cpus[Actions.Cpu(action)];
        switch (Actions.Kind(action))
        {
            case Actions.RunOp: Resume(c); break;
            case Actions.TakeInterrupt: TakeInterrupt(c, Gic.Deliverable(c.Id, in c.Masks, long.MaxValue)); break;
            case Actions.RunOpAlternative: c.ChoiceAlt = 1; Resume(c); break;
            default: TakePreemptWork(c); break;
        }
    }

    /// <summary>When this CPU next has something to do in virtual time, or +∞.</summary>
    internal double NextEventTime(Cpu c)
    {
        double t = double.PositiveInfinity;
        if (c.Depth > 0 && c.Park == Cpu.ParkKind.None) t = c.Time;
        else if (c.Park == Cpu.ParkKind.Wfe) t = c.ParkStart + Cost.EventStreamPeriodNs;
        else if (c.Park is Cpu.ParkKind.Work or Cpu.ParkKind.Timed) t = c.WorkEnd;
        long arr = Gic.EarliestDeliverableArrival(c.Id, in c.Masks);
        if (arr != long.MaxValue) t = Math.Min(t, Math.Max(c.Time, arr));
        if (c.PreemptWork.Count > 0 && PreemptWorkDeliverable(c, double.PositiveInfinity))
            t = Math.Min(t, Math.Max(c.Time, c.PreemptWork.Peek().Arrival));
        return t;
    }

    private void PerformTimed(Cpu c, double at)
    {
        // Nothing due yet (held in a closed-form handler, or inside work with nothing to take): the caller re-keys it.
        if (c.Park == Cpu.ParkKind.Held) return;
        if (c.Park == Cpu.ParkKind.Work && at < c.WorkEnd && Gic.Deliverable(c.Id, in c.Masks, (long)at) < 0 && !PreemptWorkDeliverable(c, at)) return;
        if (at > c.Time)
        {
            if (c.Park == Cpu.ParkKind.Wfe && at >= c.ParkStart + Cost.EventStreamPeriodNs && Gic.Deliverable(c.Id, in c.Masks, (long)at) < 0)
            {
                Unpark(c, at);       // woken by the event stream (a spurious WFE wake-up)
                return;
            }
            if (c.Park == Cpu.ParkKind.None) c.Time = at;
        }
        double when = Math.Max(c.Time, at);
        int sgi = Gic.Deliverable(c.Id, in c.Masks, (long)when);
        if (sgi >= 0) { TakeInterrupt(c, sgi); return; }
        if (PreemptWorkDeliverable(c, when)) { TakePreemptWork(c); return; }
        if (c.Park == Cpu.ParkKind.Work) FinishWork(c);
        else if (c.Park == Cpu.ParkKind.Timed) Unpark(c, c.WorkEnd);
        Resume(c);
    }

    /// <summary>Executes the top context's pending op, then resumes its continuation (which may run further ops inline).</summary>
    private void Resume(Cpu c)
    {
        if (c.Depth == 0) return;
        if (IsTimed) _horizon = HorizonFromQueue(c);
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        // Parked work that has run to its end (FinishWork) is complete: nothing left to execute.
        var outcome = op.WorkStarted && op.Ns == 0 && op.Kind is OpKind.Work or OpKind.Bulk ? CompletedWork(c, ref op) : Execute(c);
        if (outcome == ExecOutcome.Faulted) { StartFault(c); return; }
        if (outcome == ExecOutcome.Parked) return;
        ref var f = ref c.Frames[c.Depth - 1];
        var k = f.Continuation;
        f.Continuation = null;
        var prev = _running;
        _running = c;
        try { k!(); }
        catch (Exception e) { _modelError = $"CPU{c.Id}: {e}"; }
        finally { _running = prev; }
    }

    /// <summary>Called by <see cref="CpuOp.IsCompleted"/>: run the op now, without a switch, if the schedule allows.</summary>
    internal bool TryRunInline(Cpu c)
    {
        if (!_looping || c != _running || _abort || _modelError != null) return false;
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        if (IsTimed)
        {
            if (c.Time > _horizon) return false;
            if (Gic.AnyPending(c.Id) && Gic.Deliverable(c.Id, in c.Masks, (long)c.Time) >= 0) return false;
            if (c.PreemptWork.Count > 0 && PreemptWorkDeliverable(c, c.Time)) return false;
        }
        else if (op.Kind != OpKind.Work) return false;   // in a search every shared-state op is a choice point
        if (Steps > Options.StepBudget) return false;
        var outcome = Execute(c);
        if (outcome == ExecOutcome.Completed) return true;
        if (outcome == ExecOutcome.Faulted) _forceFault = c;
        return false;
    }
}
