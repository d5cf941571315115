namespace HvoLab.Engine;

/// <summary>The scheduler of one execution of the exhaustive search: replays the DFS stack, then extends it.</summary>
public sealed class DfsScheduler : IScheduler
{
    public sealed class Node
    {
        public required int[] Enabled;
        public required Footprint[] Ops;
        public required List<(int Action, Footprint Op)> Sleep;
        public readonly List<int> Done = new();
        public int Chosen;
        public int? Forced;   // preemption bound reached: only this index may run

        public bool IsSleeping(int action)
        {
            foreach (var s in Sleep) if (s.Action == action) return true;
            return false;
        }

        /// <summary>Index of the next action to try: not done, not asleep; -1 if none.</summary>
        public int NextCandidate()
        {
            if (Forced is int f) return Done.Contains(Enabled[f]) ? -1 : f;
            for (int i = 0; i < Enabled.Length; i++)
                if (!Done.Contains(Enabled[i]) && !IsSleeping(Enabled[i])) return i;
            return -1;
        }
    }

    private readonly List<Node> _stack;
    private readonly ExplorationOptions _opt;
    private int _depth;
    private int _lastCpu = -1;
    private int _preemptions;

    public DfsScheduler(List<Node> stack, ExplorationOptions opt) { _stack = stack; _opt = opt; }
    public SchedulingMode Mode => SchedulingMode.Choice;

    public int Choose(ReadOnlySpan<int> actions, Simulator sim)
    {
        Node node;
        if (_depth < _stack.Count)
        {
            node = _stack[_depth];
            if (!actions.SequenceEqual(node.Enabled))
                throw new InvalidOperationException($"exhaustive search: the model is not deterministic at depth {_depth} (enabled actions differ on replay)");
        }
        else
        {
            var ops = new Footprint[actions.Length];
            for (int i = 0; i < actions.Length; i++) ops[i] = Footprint.Of(sim, actions[i]);
            node = new Node { Enabled = actions.ToArray(), Ops = ops, Sleep = InheritedSleep(actions) };
            if (_opt.PreemptionBound is int bound && _preemptions >= bound && _lastCpu >= 0)
            {
                int keep = Array.FindIndex(node.Enabled, a => Actions.Cpu(a) == _lastCpu);
                if (keep >= 0) node.Forced = keep;
            }
            int first = node.NextCandidate();
            if (first < 0) return -1;   // every enabled action is asleep: this interleaving was covered already
            node.Chosen = first;
            _stack.Add(node);
        }
        int chosen = node.Chosen;
        int cpu = Actions.Cpu(node.Enabled[chosen]);
        if (_lastCpu >= 0 && cpu != _lastCpu && Array.Exists(node.Enabled, a => Actions.Cpu(a) == _lastCpu && Actions.Kind(a) == Actions.RunOp))
            _preemptions++;
        _lastCpu = cpu;
        _depth++;
        return chosen;
    }

    /// <summary>Sleep set of a new node: what slept at the parent, plus the parent's explored siblings, minus
    /// everything dependent with the action the parent took.</summary>
    private List<(int, Footprint)> InheritedSleep(ReadOnlySpan<int> actions)
    {
        var result = new List<(int, Footprint)>();
        if (!_opt.SleepSets || _depth == 0) return result;
        var parent = _stack[_depth - 1];
        int taken = parent.Enabled[parent.Chosen];
        var takenOp = parent.Ops[parent.Chosen];
        foreach (var s in parent.Sleep)
            if (Footprint.Independent(s.Op, takenOp) && actions.Contains(s.Action)) result.Add(s);
        for (int i = 0; i < parent.Enabled.Length; i++)
        {
            int a = parent.Enabled[i];
            if (a == taken || !parent.Done.Contains(a)) continue;
            if (Footprint.Independent(parent.Ops[i], takenOp) && actions.Contains(a)) result.Add((a, parent.Ops[i]));
        }
        return result;
    }
}
