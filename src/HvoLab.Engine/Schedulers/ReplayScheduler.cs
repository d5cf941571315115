namespace HvoLab.Engine.Schedulers;

/// <summary>Re-runs a recorded list of choices exactly. A choice that is not enabled means the model or scenario
/// changed since the trace was recorded, and is reported as such rather than guessed around.</summary>
public sealed class ReplayScheduler(IReadOnlyList<int> choices) : IScheduler
{
    private int _next;
    public SchedulingMode Mode => SchedulingMode.Choice;

    /// <summary>Recorded choices used so far; fewer than recorded after the run means the execution ended early.</summary>
    public int Consumed => _next;

    public int Choose(ReadOnlySpan<int> actions, Simulator sim)
    {
        if (_next >= choices.Count) return -1;   // the recorded execution ended here
        int want = choices[_next++];
        int idx = actions.IndexOf(want);
        if (idx < 0)
            throw new ReplayDivergenceException(_next - 1, Actions.Describe(want), actions.ToArray().Select(Actions.Describe).ToArray());
        return idx;
    }
}

/// <summary>The recorded choice at <see cref="Step"/> is not among the enabled actions.</summary>
public sealed class ReplayDivergenceException(int step, string expected, IReadOnlyList<string> enabled)
    : Exception($"trace step {step}: recorded action '{expected}' is not enabled (enabled: {string.Join("; ", enabled)}); the trace does not match this model or scenario")
{
    public int Step { get; } = step;
    public string Expected { get; } = expected;
    public IReadOnlyList<string> Enabled { get; } = enabled;
}
