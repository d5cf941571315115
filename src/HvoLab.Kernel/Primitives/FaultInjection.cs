using HvoLab.Engine;

namespace HvoLab.Kernel.Primitives;

/// <summary>struct fault_attr's knobs (include/linux/fault-inject.h; Documentation/fault-injection): fail with
/// <see cref="Probability"/> percent, only on every <see cref="Interval"/>-th call, at most <see cref="Times"/> times
/// (-1 = no limit).</summary>
public sealed record FaultAttr(int Probability, int Interval = 1, long Times = -1);

/// <summary>
/// should_fail() of lib/fault-inject.c for one attribute, in its order of checks: times exhausted → no; interval
/// (count % interval) → no; probability against a random number below 100 → no; else fail and use up one time. The
/// random numbers come from the run's seed, so a scenario and seed always inject at the same calls.
/// </summary>
public sealed class FaultInjector(FaultAttr attr, ulong seed)
{
    private SplitMix64 _rng = new(seed);
    private long _times = attr.Times;
    private long _count;

    /// <summary>Failures injected so far (the selftest reports 1000000 − remaining times).</summary>
    public long Injected { get; private set; }

    public bool ShouldFail()
    {
        if (_times == 0) return false;
        if (attr.Interval > 1 && ++_count % attr.Interval != 0) return false;
        if (attr.Probability <= (int)(_rng.Next() % 100)) return false;
        if (_times > 0) _times--;
        Injected++;
        return true;
    }
}
