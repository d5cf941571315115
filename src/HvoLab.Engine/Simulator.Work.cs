using HvoLab.Arch;

namespace HvoLab.Engine;

/// <summary>
/// Private work (<see cref="OpKind.Work"/>, <see cref="OpKind.Bulk"/>) in timed runs. Work touches no shared state, so
/// the hardware could take an interrupt at any instant inside it: a Work op that would run past the moment another
/// CPU can next act (the horizon) does not advance the clock at once but parks the CPU until its end
/// (<see cref="Cpu.ParkKind.Work"/>). An interrupt or preempting work that arrives first is taken at its arrival
/// time and the rest of the work runs after the handler returns. So a long stretch (synchronize_rcu's 8 ms, a 50 µs
/// background period) costs one scheduling event, yet delays no interrupt — before, an interrupt arriving inside
/// a Work op was taken only when the op ended, and workloads cut their work into 1 µs pieces to bound that error.
/// In a search (choice mode) a Work op is one step and interrupts are taken between steps, as before. Whether work
/// runs at once or parks is the driver's rule (<see cref="TimedDriver.ExecWork"/>, <see cref="SearchDriver.ExecWork"/>);
/// what is here is shared: completing, splitting and accounting parked work.
/// </summary>
public sealed partial class Simulator
{
    /// <summary>A Work op whose time has all been spent (<see cref="FinishWork"/>): complete it as Execute would.</summary>
    private ExecOutcome CompletedWork(Cpu c, ref PendingOp op)
    {
        op.WorkStarted = false;
        if (_monitors.Count > 0) foreach (var m in _monitors) m.AfterOp(this, c, in op);
        return ExecOutcome.Completed;
    }

    /// <summary>The parked work of <paramref name="c"/> has run to its end: the op completes when the CPU resumes.</summary>
    internal void FinishWork(Cpu c)
    {
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        EndWorkSegment(c, ref op, c.WorkEnd);
    }

    /// <summary>An interrupt or preempting work is taken at <paramref name="at"/> inside parked work: the part done so
    /// far is accounted and the rest stays pending in the interrupted context.</summary>
    internal void SplitWork(Cpu c, double at)
    {
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        at = Math.Clamp(at, c.ParkStart, c.WorkEnd);
        EndWorkSegment(c, ref op, at);
        if (Trace.Enabled) Trace.Mark(at, c.Id, $"work interrupted, {op.Ns:F0} ns left");
    }

    private void EndWorkSegment(Cpu c, ref PendingOp op, double at)
    {
        AccountWork(c, op.Label, c.ParkStart, at);
        c.Stats.TimeInContext[(int)c.Context] += at - c.ParkStart;
        op.Ns = c.WorkEnd - at;
        c.Time = at;
        c.Park = Cpu.ParkKind.None;
    }

    internal void AccountWork(Cpu c, int label, double from, double to)
    {
        if (label == 0) return;
        c.Stats.TimeByLabel.Add(label, to - from);
        if (Trace.Enabled && to > from) Trace.Slice(from, to, c.Id, label);
    }
}
