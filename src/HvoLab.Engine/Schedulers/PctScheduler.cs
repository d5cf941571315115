namespace HvoLab.Engine.Schedulers;

/// <summary>
/// Probabilistic Concurrency Testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, "A Randomized Scheduler with
/// Probabilistic Guarantees of Finding Bugs", ASPLOS 2010). Each CPU gets a random distinct priority; the highest
/// priority enabled CPU runs; at d−1 random steps in [1, k] the running CPU's priority drops below all others. A bug
/// of depth d is found with probability at least 1/(n·k^(d−1)) per execution.
/// </summary>
public sealed class PctScheduler : IScheduler
{
    private readonly int _depth;
    private readonly int _maxSteps;
    private SplitMix64 _rng;
    private int[] _priority = [];
    private int[] _changePoints = [];
    private int _step;

    public PctScheduler(ulong seed, int bugDepth = 3, int estimatedSteps = 2000)
    {
        if (bugDepth < 1) throw new ArgumentOutOfRangeException(nameof(bugDepth), bugDepth, "bug depth d must be >= 1");
        _rng = new SplitMix64(seed); _depth = bugDepth; _maxSteps = Math.Max(1, estimatedSteps);
    }

    public SchedulingMode Mode => SchedulingMode.Choice;

    public void OnExecutionStart(Simulator sim)
    {
        int n = sim.Cpus.Length;
        _priority = new int[n];
        var order = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--) { int j = _rng.NextInt(i + 1); (order[i], order[j]) = (order[j], order[i]); }
        for (int i = 0; i < n; i++) _priority[order[i]] = _depth + i;   // priorities above every change-point value
        _changePoints = new int[_depth - 1];
        for (int i = 0; i < _changePoints.Length; i++) _changePoints[i] = 1 + _rng.NextInt(_maxSteps);
        _step = 0;
    }

    public int Choose(ReadOnlySpan<int> actions, Simulator sim)
    {
        _step++;
        int best = 0;
        for (int i = 1; i < actions.Length; i++)
            if (_priority[Actions.Cpu(actions[i])] > _priority[Actions.Cpu(actions[best])]) best = i;
        for (int i = 0; i < _changePoints.Length; i++)
            if (_changePoints[i] == _step)
            {
                _priority[Actions.Cpu(actions[best])] = i;   // drop below every initial priority
                best = 0;
                for (int j = 1; j < actions.Length; j++)
                    if (_priority[Actions.Cpu(actions[j])] > _priority[Actions.Cpu(actions[best])]) best = j;
            }
        return best;
    }
}
