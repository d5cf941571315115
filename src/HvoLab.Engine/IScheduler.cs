namespace HvoLab.Engine;

public enum SchedulingMode { Timed, Choice }

/// <summary>
/// A scheduler owns every nondeterministic decision of a run (Coyote's model: one choice interface, so a run is its
/// list of choices and replays exactly). Timed schedulers follow virtual time with seeded jitter; choice schedulers
/// pick the next action among the enabled ones. An action is <c>cpu * 4 + kind</c> (see <see cref="Actions"/>).
/// </summary>
public interface IScheduler
{
    SchedulingMode Mode { get; }
    /// <summary>Index into <paramref name="actions"/> of the action to perform next (Choice mode only).</summary>
    int Choose(ReadOnlySpan<int> actions, Simulator sim);
    /// <summary>Called once before an execution starts.</summary>
    void OnExecutionStart(Simulator sim) { }
}

public static class Actions
{
    public const int RunOp = 0, TakeInterrupt = 1, TakePreemptWork = 2, RunOpAlternative = 3;
    public static int Make(int cpu, int kind) => cpu * 4 + kind;
    public static int Cpu(int action) => action >> 2;
    public static int Kind(int action) => action & 3;
    public static string Describe(int action) => Kind(action) switch
    {
        RunOp => $"CPU{Cpu(action)} runs its next op",
        TakeInterrupt => $"CPU{Cpu(action)} takes its pending interrupt",
        RunOpAlternative => $"CPU{Cpu(action)} runs its next op, second alternative",
        _ => $"CPU{Cpu(action)} runs queued preempting work",
    };
}
