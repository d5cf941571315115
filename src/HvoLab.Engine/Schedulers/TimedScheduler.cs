namespace HvoLab.Engine.Schedulers;

/// <summary>
/// Virtual-time scheduling: the CPU with the earliest next event runs next, and runs on inline until its clock
/// passes another CPU's next event. Per-op costs carry seeded jitter (HardwareCosts.Jitter, seed in SimOptions), which
/// is what turns one scenario into a latency distribution over seeds.
/// </summary>
public sealed class TimedScheduler : IScheduler
{
    public SchedulingMode Mode => SchedulingMode.Timed;
    public int Choose(ReadOnlySpan<int> actions, Simulator sim) => 0;
}
