namespace HvoLab.Engine;

/// <summary>
/// Livelock detection from lack of progress, a rule of timed runs (<see cref="TimedDriver"/>): when, for
/// <see cref="SimOptions.LivelockWindowNs"/> of simulated time, every live main task waits (spin or WFE park) on
/// locations no CPU changes while only background work and interrupts run, the run ends as a livelock. Without this a
/// stuck run was found only at the step budget: 200M operations, a minute, and gigabytes of events for `hvolab trace`
/// (issue #19, defect 6).
/// </summary>
internal sealed class ProgressWatch(Simulator sim)
{
    private double _lastProgressNs;
    private long _mainWakeups, _wakeupsAtSample = -1;

    /// <summary>A CPU left a park (a watched location changed); a main task's wake-up is progress at the next sample.</summary>
    public void Woken(Cpu c)
    {
        if (!c.IsBackground) _mainWakeups++;
    }

    /// <summary>Sampled every 4096 scheduling events: is a main task not parked, or was one woken since the last
    /// sample? False while there is progress or the window has not passed yet.</summary>
    public bool Stalled(long schedulingEvents, double now)
    {
        if (sim.Options.LivelockWindowNs <= 0 || (schedulingEvents & 0xFFF) != 0) return false;
        bool progress = _mainWakeups != _wakeupsAtSample;
        _wakeupsAtSample = _mainWakeups;
        if (!progress)
            foreach (var c in sim.Cpus)
                if (!IsWaiting(c) && !c.IsBackground && c.Depth > 0 && RunTermination.IsMainTaskAlive(c))
                {
                    progress = true;
                    break;
                }
        if (progress) _lastProgressNs = now;
        return !progress && now - _lastProgressNs > sim.Options.LivelockWindowNs;
    }

    private static bool IsWaiting(Cpu c) => c.Park is Cpu.ParkKind.Spin or Cpu.ParkKind.Wfe;

    /// <summary>Records the livelock and ends the run.</summary>
    public RunOutcome Report(double now)
    {
        var waiting = sim.Cpus.Where(c => !c.IsBackground && c.Depth > 0 && RunTermination.IsMainTaskAlive(c)).Select(c => c.Id).ToArray();
        sim.ReportViolation(ViolationKind.Livelock, waiting, 0,
            $"no progress for {(now - _lastProgressNs) / 1e6:F1} ms of simulated time (window {sim.Options.LivelockWindowNs / 1e6:F1} ms): " +
            $"the main tasks of CPUs {string.Join(",", waiting)} wait on locations no CPU changes while only background work and " +
            $"interrupts run (after {sim.Steps} operations)");
        return RunOutcome.BudgetExceeded;
    }
}
