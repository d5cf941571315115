namespace HvoLab.Engine;

/// <summary>
/// The scheduler of one execution of the exhaustive search: replays the DFS stack, then extends it. With dynamic
/// partial-order reduction (Flanagan &amp; Godefroid, "Dynamic Partial-Order Reduction for Model Checking Software",
/// POPL 2005) a node only branches on the actions a race in some explored execution asked for (its backtrack set);
/// sleep sets (Godefroid 1996) prune what is left of equivalent orders. Races use happens-before computed with vector
/// clocks over the footprints of executed actions.
/// </summary>
public sealed class DfsScheduler : IScheduler
{
    public sealed class Node
    {
        public required int[] Enabled;
        public required Footprint[] Ops;
        public required List<(int Action, Footprint Op)> Sleep;
        public readonly List<int> Done = new();
        /// <summary>Actions this node must try (DPOR); every enabled action when DPOR is off.</summary>
        public readonly HashSet<int> Backtrack = new();
        public int Chosen;
        public int? Forced;   // preemption bound reached: only this index may run
        /// <summary>Vector clock of the chosen action (per CPU: how many of its actions happen before it).</summary>
        public int[] Clock = [];

        public bool IsSleeping(int action)
        {
            foreach (var s in Sleep) if (s.Action == action) return true;
            return false;
        }

        /// <summary>Index of the next action to try: in the backtrack set, not done, not asleep; -1 if none.</summary>
        public int NextCandidate()
        {
            if (Forced is int f) return Done.Contains(Enabled[f]) ? -1 : f;
            for (int i = 0; i < Enabled.Length; i++)
            {
                int a = Enabled[i];
                if (Backtrack.Contains(a) && !Done.Contains(a) && !IsSleeping(a)) return i;
            }
            return -1;
        }

        /// <summary>The first action worth starting with: not asleep, preferring the CPU that ran last (fewer switches).</summary>
        public int FirstCandidate(int lastCpu)
        {
            int best = -1;
            for (int i = 0; i < Enabled.Length; i++)
            {
                if (IsSleeping(Enabled[i])) continue;
                if (best < 0 || (Actions.Cpu(Enabled[i]) == lastCpu && Actions.Cpu(Enabled[best]) != lastCpu)) best = i;
            }
            return best;
        }
    }

    private readonly List<Node> _stack;
    private readonly ExplorationOptions _opt;
    private int _depth;
    private int _lastCpu = -1;
    private int _preemptions;
    private int[][] _cpuClock = [];

    public DfsScheduler(List<Node> stack, ExplorationOptions opt) { _stack = stack; _opt = opt; }
    public SchedulingMode Mode => SchedulingMode.Choice;

    /// <summary>DPOR processes: each CPU's own code, and the delivery of interrupts and of preempting work to it —
    /// separate processes, so where an interrupt lands is explored like any other race (with the CPU's code).</summary>
    private static int Proc(int action) => action;   // cpu * 4 + kind

    public void OnExecutionStart(Simulator sim)
    {
        int procs = sim.Cpus.Length * 4;
        _cpuClock = new int[procs][];
        for (int i = 0; i < procs; i++) _cpuClock[i] = new int[procs];
    }

    public int Choose(ReadOnlySpan<int> actions, Simulator sim)
    {
        Node node;
        if (_depth < _stack.Count)
        {
            node = _stack[_depth];
            if (!actions.SequenceEqual(node.Enabled))
                throw new InvalidOperationException($"exhaustive search: the model is not deterministic at depth {_depth} (enabled actions differ on replay)");
            node.Clock = ClockFor(node.Enabled[node.Chosen], node.Ops[node.Chosen], _depth);
        }
        else
        {
            var ops = new Footprint[actions.Length];
            for (int i = 0; i < actions.Length; i++) ops[i] = Footprint.Of(sim, actions[i]);
            node = new Node { Enabled = actions.ToArray(), Ops = ops, Sleep = InheritedSleep(actions) };
            if (_opt.Dpor) DetectRaces(sim, node);
            if (_opt.PreemptionBound is int bound && _preemptions >= bound && _lastCpu >= 0)
            {
                int keep = Array.FindIndex(node.Enabled, a => Actions.Cpu(a) == _lastCpu);
                if (keep >= 0) node.Forced = keep;
            }
            int first = node.Forced ?? node.FirstCandidate(_lastCpu);
            if (first < 0) return -1;   // every enabled action is asleep: this interleaving was covered already
            if (_opt.Dpor) node.Backtrack.Add(node.Enabled[first]);
            else foreach (int a in node.Enabled) node.Backtrack.Add(a);
            node.Chosen = first;
            node.Clock = ClockFor(node.Enabled[first], node.Ops[first], _depth);
            _stack.Add(node);
        }
        int chosen = node.Chosen;
        int cpu = Actions.Cpu(node.Enabled[chosen]);
        _cpuClock[Proc(node.Enabled[chosen])] = node.Clock;
        if (Actions.Kind(node.Enabled[chosen]) != Actions.RunOp)
        {
            // The handler (or preempting work) that this action starts runs as the CPU's code: it happens after it.
            var run = _cpuClock[Actions.Make(cpu, Actions.RunOp)] = (int[])_cpuClock[Actions.Make(cpu, Actions.RunOp)].Clone();
            for (int k = 0; k < run.Length; k++) if (node.Clock[k] > run[k]) run[k] = node.Clock[k];
        }
        if (_lastCpu >= 0 && cpu != _lastCpu && Array.Exists(node.Enabled, a => Actions.Cpu(a) == _lastCpu && Actions.Kind(a) == Actions.RunOp))
            _preemptions++;
        _lastCpu = cpu;
        _depth++;
        return chosen;
    }

    /// <summary>Vector clock of an action at <paramref name="depth"/>: after everything its CPU did and every earlier
    /// dependent action of another CPU.</summary>
    private int[] ClockFor(int action, in Footprint fp, int depth)
    {
        int proc = Proc(action);
        var clock = (int[])_cpuClock[proc].Clone();
        for (int j = 0; j < depth; j++)
        {
            var prev = _stack[j];
            if (Proc(prev.Enabled[prev.Chosen]) == proc || Footprint.Independent(prev.Ops[prev.Chosen], fp)) continue;
            var pc = prev.Clock;
            for (int k = 0; k < clock.Length; k++) if (pc[k] > clock[k]) clock[k] = pc[k];
        }
        clock[proc]++;
        return clock;
    }

    /// <summary>For every CPU's next action here (enabled or waiting), find the latest earlier action of another CPU
    /// that it races with (dependent, not ordered by happens-before) and make that earlier node try this CPU first.</summary>
    private void DetectRaces(Simulator sim, Node node)
    {
        var next = new List<(int Action, Footprint Fp)>();
        for (int i = 0; i < node.Enabled.Length; i++) next.Add((node.Enabled[i], node.Ops[i]));
        for (int c = 0; c < sim.Cpus.Length; c++)
        {
            int run = Actions.Make(c, Actions.RunOp);
            if (Array.IndexOf(node.Enabled, run) < 0 && sim.PendingOpOf(run) is not null)
                next.Add((run, Footprint.Of(sim, run)));   // parked: its op still waits to run
        }
        foreach (var (action, fp) in next)
        {
            int proc = Proc(action);
            for (int j = _depth - 1; j >= 0; j--)
            {
                var prev = _stack[j];
                int prevAction = prev.Enabled[prev.Chosen];
                int prevProc = Proc(prevAction);
                if (prevProc == proc || Footprint.Independent(prev.Ops[prev.Chosen], fp)) continue;
                if (prev.Clock[prevProc] <= _cpuClock[proc][prevProc]) continue;   // happens-before: not a race; look further back
                if (Array.IndexOf(prev.Enabled, action) >= 0) prev.Backtrack.Add(action);
                else foreach (int a in prev.Enabled) prev.Backtrack.Add(a);
                break;
            }
        }
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
