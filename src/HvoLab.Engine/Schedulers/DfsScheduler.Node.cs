namespace HvoLab.Engine.Schedulers;

public sealed partial class DfsScheduler
{
    public sealed class Node
    {
        public required int[] Enabled;
        public required Footprint[] Ops;
        public required List<(int Action, Footprint Op)> Sleep;
        /// <summary>CPUs whose code has an op pending but cannot run it here (parked on a spin or in WFE).</summary>
        public required int[] Waiting;
        /// <summary>CPUs whose op waits here for their own buffered stores to drain (Arm data model).</summary>
        public int[] BufferBlocked = [];
        public readonly List<int> Done = new();
        /// <summary>Actions this node must try (DPOR); every enabled action when DPOR is off.</summary>
        public readonly HashSet<int> Backtrack = new();
        public int Chosen;
        public int? Forced;   // preemption bound reached: only this index may run
        /// <summary>A split node's choice fixed by the subtree being searched (<see cref="SearchSplit"/>): its
        /// siblings are other subtrees, searched elsewhere, so backtracking never moves it.</summary>
        public bool Pinned;
        /// <summary>Ordinal of this node among the split nodes of its execution, -1 if it is not one.</summary>
        public int SplitOrdinal = -1;
        /// <summary>Vector clock of the chosen action (per DPOR process: how many of its actions happen before it).</summary>
        public int[] Clock = [];
        /// <summary>The choice <see cref="Clock"/> was computed for (-1: none yet).</summary>
        public int ClockChosen = -1;
        /// <summary>Actions given away to another worker (<see cref="SearchPart"/>): searched there, so not here, but
        /// not done either — the siblings tried here before them must not see them asleep.</summary>
        public List<int>? GivenAway;

        public bool IsEnabled(int action) => Array.IndexOf(Enabled, action) >= 0;

        /// <summary>Makes this node try <paramref name="action"/> for a race that asks for it (Flanagan &amp; Godefroid
        /// 2005, Fig. 4: "add p to backtrack(pre(S, i))"), or for the first choice of the node. Three cases try more:
        /// <list type="bullet">
        /// <item>A ChooseOne's two outcomes are one transition of the CPU's code with two results. DPOR assumes
        /// deterministic processes, so an internal choice is explored in full wherever it is explored at all (as
        /// VeriSoft does with VS_toss).</item>
        /// <item>Taking an interrupt (or preempting work) here rather than running the CPU's next op is the same kind
        /// of choice. Once the interrupt is taken, the CPU's later ops happen after it (its handler runs as the CPU's
        /// code), so no race would ever ask for the op to run first: only this does. (An op run first needs no help:
        /// it races with the interrupt taken later.) Where the CPU's code is parked or asleep here, its op could only
        /// come first after other CPUs' actions, so every enabled action is tried.</item>
        /// <item>An asleep action is covered only by explorations that start with it; a race may need other actions
        /// first (the writer of what it must read), which an ancestor's exploration of it would order differently:
        /// every enabled action is tried (conservative backtracking).</item>
        /// </list></summary>
        public void AddBacktrack(int action)
        {
            if (IsSleeping(action)) { int b = Backtrack.Count; AddAllToBacktrack(); if (RaceProfile.On) RaceProfile.Count("asked for an asleep action", this, action, default, b); return; }
            Backtrack.Add(action);
            int cpu = Actions.Cpu(action), kind = Actions.Kind(action);
            int run = Actions.Make(cpu, Actions.RunOp), alternative = Actions.Make(cpu, Actions.RunOpAlternative);
            if (kind is Actions.TakeInterrupt or Actions.TakePreemptWork && (Array.IndexOf(Waiting, cpu) >= 0 || IsSleeping(run)))
            {
                int b = Backtrack.Count;
                AddAllToBacktrack();
                if (RaceProfile.On) RaceProfile.Count(IsSleeping(run) ? "take, own op asleep" : "take, own op parked", this, action, default, b);
                return;
            }
            // A buffered store's drain is a process of its own (Arm data model), not a second outcome of the op.
            if (kind != Actions.RunOp && !IsDrain(action)) AddIfEnabled(run);
            if (kind != Actions.RunOpAlternative && !IsDrain(alternative)) AddIfEnabled(alternative);
        }

        private bool IsDrain(int action)
        {
            int i = Array.IndexOf(Enabled, action);
            return i >= 0 && Ops[i].Drain;
        }

        private void AddIfEnabled(int action)
        {
            if (IsEnabled(action)) Backtrack.Add(action);
        }

        /// <summary>Conservative backtracking: every enabled action (Flanagan &amp; Godefroid 2005, Fig. 4, for a race
        /// whose later process could not run here).</summary>
        public void AddAllToBacktrack()
        {
            foreach (int a in Enabled) Backtrack.Add(a);
        }

        public bool IsSleeping(int action)
        {
            foreach (var s in Sleep) if (s.Action == action) return true;
            return false;
        }

        /// <summary>Index of the next action to try: in the backtrack set, not done, not asleep; -1 if none.</summary>
        public int NextCandidate()
        {
            if (Pinned) return -1;
            if (Forced is int f) return Done.Contains(Enabled[f]) ? -1 : f;
            for (int i = 0; i < Enabled.Length; i++)
            {
                int a = Enabled[i];
                if (Backtrack.Contains(a) && !Done.Contains(a) && !IsSleeping(a) && GivenAway?.Contains(a) != true) return i;
            }
            return -1;
        }

        /// <summary>A copy of this node for a search that starts below it (a <see cref="SearchPart"/>): same actions,
        /// footprints, sleep set and clock; pinned to <paramref name="chosen"/>, with <paramref name="done"/> as the
        /// siblings a single search would have tried before it. Its backtrack set collects what the part's races add.</summary>
        public Node CopyPinned(int chosen, IEnumerable<int> done)
        {
            var copy = new Node
            {
                Enabled = Enabled, Ops = Ops, Sleep = Sleep, Waiting = Waiting, BufferBlocked = BufferBlocked,
                Chosen = chosen, Forced = Forced, Pinned = true, SplitOrdinal = SplitOrdinal,
                Clock = chosen == ClockChosen ? Clock : [], ClockChosen = chosen == ClockChosen ? ClockChosen : -1,
            };
            copy.Done.AddRange(done);
            copy.Backtrack.UnionWith(Backtrack);
            return copy;
        }

        /// <summary>Indices of the actions this node can try (enabled, not asleep) in the order a fully branched node
        /// tries them: <paramref name="first"/>, then the others by index, as <see cref="NextCandidate"/> picks them.</summary>
        public int[] CandidateOrder(int first)
        {
            var order = new List<int> { first };
            for (int i = 0; i < Enabled.Length; i++)
                if (i != first && !IsSleeping(Enabled[i])) order.Add(i);
            return [.. order];
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
}
