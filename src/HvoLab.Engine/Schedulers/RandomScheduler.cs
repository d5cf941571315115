namespace HvoLab.Engine.Schedulers;

/// <summary>Random walk: each step picks an enabled action uniformly from a seeded generator.</summary>
public sealed class RandomScheduler(ulong seed) : IScheduler
{
    private SplitMix64 _rng = new(seed);
    public SchedulingMode Mode => SchedulingMode.Choice;
    public int Choose(ReadOnlySpan<int> actions, Simulator sim) => _rng.NextInt(actions.Length);
}
