namespace HvoLab.Engine.Schedulers;

/// <summary>
/// The scheduler of one execution of the exhaustive search: replays the DFS stack, then extends it. With dynamic
/// partial-order reduction (Flanagan &amp; Godefroid, "Dynamic Partial-Order Reduction for Model Checking Software",
/// POPL 2005) a node only branches on the actions a race in some explored execution asked for (its backtrack set);
/// sleep sets (Godefroid 1996) prune what is left of equivalent orders. Races use happens-before computed with vector
/// clocks over the footprints of executed actions.
/// </summary>
public sealed partial class DfsScheduler : IScheduler
{
    private readonly List<Node> _stack;
    private readonly ExplorationOptions _opt;
    private int _depth;
    private int _lastCpu = -1;
    private int _preemptions;
    private readonly RaceDetector _races;

    public DfsScheduler(List<Node> stack, ExplorationOptions opt) { _stack = stack; _opt = opt; _races = new RaceDetector(stack); }

    /// <summary>A scheduler that searches only the subtree below <paramref name="pins"/> (choices at the first split
    /// nodes); with <paramref name="probe"/> it stops at the next split node instead and reports its candidates.</summary>
    public DfsScheduler(List<Node> stack, ExplorationOptions opt, int[] pins, bool probe) : this(stack, opt)
    {
        _pins = pins; _probe = probe;
    }
    public SchedulingMode Mode => SchedulingMode.Choice;

    public void OnExecutionStart(Simulator sim) => _races.Reset(sim);

    public int Choose(ReadOnlySpan<int> actions, Simulator sim)
    {
        Node node;
        if (_depth < _stack.Count)
        {
            node = _stack[_depth];
            if (!actions.SequenceEqual(node.Enabled))
                throw new InvalidOperationException($"exhaustive search: the model is not deterministic at depth {_depth} (enabled actions differ on replay)");
            // Replaying, a node above the one backtracking moved to gets the clock it had: the same prefix of the same
            // actions. Only the node whose choice changed needs its clock again (clocks are never mutated).
            if (node.ClockChosen != node.Chosen)
            {
                node.Clock = _races.ClockFor(node.Enabled[node.Chosen], node.Ops[node.Chosen], _depth);
                node.ClockChosen = node.Chosen;
            }
            if (node.SplitOrdinal >= 0) _splitSeen++;
        }
        else
        {
            var ops = new Footprint[actions.Length];
            for (int i = 0; i < actions.Length; i++) ops[i] = FootprintReader.Of(sim, actions[i]);
            node = new Node { Enabled = actions.ToArray(), Ops = ops, Sleep = InheritedSleep(actions, ops), Waiting = WaitingCpus(sim, actions), BufferBlocked = DrainRaces.BufferBlockedCpus(sim) };
            if (_opt.UsesDpor) _races.DetectRaces(sim, node, _depth);
            if (_opt.PreemptionBound is int bound && _preemptions >= bound && _lastCpu >= 0)
            {
                int keep = IndexOfCpu(node.Enabled, _lastCpu, anyKind: true);
                if (keep >= 0) node.Forced = keep;
            }
            int first = node.Forced ?? node.FirstCandidate(_lastCpu);
            if (first < 0) return -1;   // every enabled action is asleep: this interleaving was covered already
            if (IsSplitNode(node))
            {
                first = Split(node, first);
                if (first < 0) return -1;   // probe: the next split node is reached
            }
            else if (_opt.UsesDpor) node.AddBacktrack(node.Enabled[first]);
            else node.AddAllToBacktrack();
            node.Chosen = first;
            node.Clock = _races.ClockFor(node.Enabled[first], node.Ops[first], _depth);
            node.ClockChosen = first;
            _stack.Add(node);
        }
        int chosen = node.Chosen;
        int cpu = Actions.Cpu(node.Enabled[chosen]);
        _races.Advance(node.Enabled[chosen], node.Ops[chosen], node.Clock);
        if (_lastCpu >= 0 && cpu != _lastCpu && IndexOfCpu(node.Enabled, _lastCpu, anyKind: false) >= 0)
            _preemptions++;
        _lastCpu = cpu;
        _depth++;
        return chosen;
    }

    /// <summary>Final state of an execution: no node, but parked CPUs and masked interrupts may still race with the
    /// last actions (a store that made a waiter's condition false for good, say).</summary>
    internal void DetectRacesAtEnd(Simulator sim) => _races.DetectRaces(sim, null, _depth);

    /// <summary>After the execution (<paramref name="pruned"/>: cut short by a sleep set): the races of waits deferred
    /// until every step of it was known (RaceDetector.ResolveDeferred).</summary>
    internal void ResolveDeferredRaces(bool pruned) => _races.ResolveDeferred(_depth, complete: !pruned);

    /// <summary>Index of the first action of <paramref name="cpu"/> (of any kind, or only its own next op); -1 if none.
    /// A loop, not a predicate: a capturing lambda here was an allocation per step of every execution.</summary>
    private static int IndexOfCpu(int[] enabled, int cpu, bool anyKind)
    {
        for (int i = 0; i < enabled.Length; i++)
            if (Actions.Cpu(enabled[i]) == cpu && (anyKind || Actions.Kind(enabled[i]) == Actions.RunOp)) return i;
        return -1;
    }

    /// <summary>CPUs with an op pending that is not among <paramref name="actions"/> (parked on a spin or in WFE).</summary>
    private static int[] WaitingCpus(Simulator sim, ReadOnlySpan<int> actions)
    {
        int[]? waiting = null;
        int n = 0;
        foreach (var c in sim.Cpus)
        {
            if (c.Depth == 0 || actions.Contains(Actions.Make(c.Id, Actions.RunOp))) continue;
            waiting ??= new int[sim.Cpus.Length];
            waiting[n++] = c.Id;
        }
        return waiting is null ? [] : waiting[..n];
    }

    /// <summary>Sleep set of a new node: what slept at the parent, plus the parent's explored siblings, minus
    /// everything dependent with the action the parent took, and minus an action whose id now names the other process
    /// of its CPU (the second action is a drain at one node and the CPU's code at another, DrainRaces.cs):
    /// the transition that slept is not the one enabled now.</summary>
    private List<(int, Footprint)> InheritedSleep(ReadOnlySpan<int> actions, Footprint[] ops)
    {
        var result = new List<(int, Footprint)>();
        if (!_opt.SleepSets || _depth == 0) return result;
        var parent = _stack[_depth - 1];
        int taken = parent.Enabled[parent.Chosen];
        var takenOp = parent.Ops[parent.Chosen];
        foreach (var s in parent.Sleep)
            if (Footprint.IndependentAfter(s.Op, takenOp) && DrainRaces.EnabledAs(actions, ops, s.Action, s.Op.Drain)) result.Add(s);
        for (int i = 0; i < parent.Enabled.Length; i++)
        {
            int a = parent.Enabled[i];
            if (a == taken || !parent.Done.Contains(a)) continue;
            if (Footprint.IndependentAfter(parent.Ops[i], takenOp) && DrainRaces.EnabledAs(actions, ops, a, parent.Ops[i].Drain)) result.Add((a, parent.Ops[i]));
        }
        return result;
    }
}
