namespace HvoLab.Engine.Schedulers;

/// <summary>Re-runs a recorded list of choices exactly. A choice that is not enabled means the model or scenario
/// changed since the trace was recorded, and is reported as such rather than guessed around.</summary>
public sealed class ReplayScheduler(IReadOnlyList<int> choices) : IScheduler
{
    private int _next;
    public SchedulingMode Mode => SchedulingMode.Choice;
    public int Choose(ReadOnlySpan<int> actions, Simulator sim)
    {
        if (_next >= choices.Count) return -1;   // the recorded execution ended here
        int want = choices[_next++];
        int idx = actions.IndexOf(want);
        if (idx < 0)
            throw new ReplayDivergenceException(
                $"trace step {_next - 1}: recorded action '{Actions.Describe(want)}' is not enabled (enabled: {string.Join("; ", actions.ToArray().Select(Actions.Describe))}); the trace does not match this model or scenario");
        return idx;
    }
}

public sealed class ReplayDivergenceException(string message) : Exception(message);
