namespace HvoLab.Engine;

/// <summary>
/// Rule 2 of <see cref="ClosedFormRunner"/>: a closed-form handler's atomic add is applied to memory when the runner
/// computes it, which can be before the op-level run would perform it. Per word, this remembers the add the op-level
/// run would perform last (its start and its completion), so a waiter sees the word's value when that run would show
/// it, and a later op-level write makes the record obsolete.
/// </summary>
internal sealed class ClosedFormVisibility(Simulator sim)
{
    private readonly Dictionary<ulong, (double Start, double Done)> _visibleAt = new();

    /// <summary>A closed-form add to <paramref name="word"/> performed at <paramref name="start"/>, completing at
    /// <paramref name="done"/>; returns the completion of the add that starts last, which is when waiters wake.</summary>
    public double Added(ulong word, double start, double done)
    {
        if (!_visibleAt.TryGetValue(word, out var v) || v.Start <= start) _visibleAt[word] = v = (start, done);
        return v.Done;
    }

    /// <summary>A WaitPhys at <paramref name="now"/> whose condition holds may be looking at a closed-form add the
    /// op-level run would not have performed yet (it starts later): then it waits, as the op-level waiter would, until
    /// that add completes and its cache line arrives; otherwise -∞.</summary>
    public double VisibleTo(ulong pa, double now)
    {
        if (_visibleAt.Count == 0 || !_visibleAt.TryGetValue(pa & ~7UL, out var v) || now >= v.Start) return double.NegativeInfinity;
        return v.Done + sim.Cost.CacheLineNs;
    }

    /// <summary>An op-level write at <paramref name="time"/> supersedes an older closed-form visibility time.</summary>
    public void Forget(ulong pa, double time)
    {
        if (_visibleAt.Count != 0 && _visibleAt.TryGetValue(pa, out var v) && v.Done <= time) _visibleAt.Remove(pa);
    }
}
