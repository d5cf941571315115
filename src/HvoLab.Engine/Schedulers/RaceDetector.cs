namespace HvoLab.Engine.Schedulers;

/// <summary>
/// Race detection of dynamic partial-order reduction (Flanagan &amp; Godefroid, POPL 2005, Fig. 4) for one execution
/// of a <see cref="DfsScheduler"/>: happens-before as vector clocks over executed actions, and for the next
/// transition of every process the latest racing action of another process, whose node must then try that process
/// first. The scheduler decides what runs; this class only reads its stack of nodes and adds backtrack points to them.
/// </summary>
internal sealed class RaceDetector(List<DfsScheduler.Node> stack)
{
    /// <summary>Per DPOR process, the vector clock of its last executed action.</summary>
    private int[][] _clock = [];

    /// <summary>DPOR processes: each CPU's own code (both outcomes of a ChooseOne are that code's one transition), and
    /// the delivery of interrupts and of preempting work to it — separate processes, so where an interrupt lands is
    /// explored like any other race (with the CPU's code, on which it depends).</summary>
    /// A buffered store's drain (Arm data model, <see cref="Footprint.Drain"/>) is a process of its own: the memory
    /// system of its CPU, ordered after the CPU's code only where their footprints depend (FootprintDrains.cs).
    private static int Proc(int action, in Footprint fp) =>
        Actions.Kind(action) == Actions.RunOpAlternative && !fp.Drain ? Actions.Make(Actions.Cpu(action), Actions.RunOp) : action;

    /// <summary>Clears the clocks and the walk cache at the start of an execution.</summary>
    public void Reset(Simulator sim)
    {
        int procs = sim.Cpus.Length * 4;
        _clock = new int[procs][];
        for (int i = 0; i < procs; i++) _clock[i] = new int[procs];
        _walkedAt = new int[procs];
        Array.Fill(_walkedAt, -1);
        _walkedFp = new Footprint[procs];
        _deferred.Clear();
    }

    /// <summary>Per action (cpu × kind): the depth of its last race walk in this execution and the footprint walked.</summary>
    private int[] _walkedAt = [];
    private Footprint[] _walkedFp = [];

    /// <summary>Whether the walk for <paramref name="action"/> would repeat the one made in the previous state: same
    /// footprint, and the one action since is another CPU's and independent of it. Then the walk skips that action,
    /// meets the same nodes with the same clocks (only that action's process, or its CPU's code after an interrupt,
    /// got a new clock) and adds the same backtrack points, which are already there.</summary>
    private bool RepeatsLastWalk(int action, in Footprint fp, int depth)
    {
        bool repeat = depth > 0 && _walkedAt[action] == depth - 1 && _walkedFp[action] == fp;
        if (repeat)
        {
            var last = stack[depth - 1];
            repeat = Actions.Cpu(last.Enabled[last.Chosen]) != Actions.Cpu(action) && Footprint.Independent(last.Ops[last.Chosen], fp);
        }
        _walkedAt[action] = depth;
        _walkedFp[action] = fp;
        return repeat;
    }

    /// <summary>Records that <paramref name="action"/> ran with <paramref name="clock"/>.</summary>
    public void Advance(int action, in Footprint fp, int[] clock)
    {
        _clock[Proc(action, fp)] = clock;
        if (Actions.Kind(action) is Actions.TakeInterrupt or Actions.TakePreemptWork)
        {
            // The handler (or preempting work) that this action starts runs as the CPU's code: it happens after it.
            int run = Actions.Make(Actions.Cpu(action), Actions.RunOp);
            var joined = _clock[run] = (int[])_clock[run].Clone();
            for (int k = 0; k < joined.Length; k++) if (clock[k] > joined[k]) joined[k] = clock[k];
        }
    }

    /// <summary>Vector clock of an action at <paramref name="depth"/>: after everything its process did and every
    /// earlier dependent action of another process.</summary>
    public int[] ClockFor(int action, in Footprint fp, int depth)
    {
        int proc = Proc(action, fp);
        var clock = (int[])_clock[proc].Clone();
        for (int j = 0; j < depth; j++)
        {
            var prev = stack[j];
            int prevProc = Proc(prev.Enabled[prev.Chosen], prev.Ops[prev.Chosen]);
            // Already known to happen before (clocks are monotone joins): nothing new, whatever the footprints say.
            if (prevProc == proc || prev.Clock[prevProc] <= clock[prevProc] || Footprint.Independent(prev.Ops[prev.Chosen], fp)) continue;
            var pc = prev.Clock;
            for (int k = 0; k < clock.Length; k++) if (pc[k] > clock[k]) clock[k] = pc[k];
        }
        // Preempting work starts after the action that queued it (the enabling relation is part of happens-before),
        // though the two commute with nothing to exchange (Footprint.Independent).
        if (fp.Kind == FootprintKind.TakePreempt && fp.Addr < (ulong)depth)
        {
            var ec = stack[(int)fp.Addr].Clock;
            for (int k = 0; k < clock.Length; k++) if (ec[k] > clock[k]) clock[k] = ec[k];
        }
        clock[proc]++;
        return clock;
    }

    /// <summary>Race detection in the state reached at <paramref name="depth"/>; <paramref name="node"/> is its node (null in the
    /// final state of an execution, which has none). As in the paper, "for all processes p": not only the enabled
    /// actions but every process with a transition waiting — a CPU parked on a spin or in WFE, an interrupt pending
    /// while masked, queued preempting work — so a race with an action that disabled or never enabled it is found
    /// even when it never runs in this execution.</summary>
    public void DetectRaces(Simulator sim, DfsScheduler.Node? node, int depth)
    {
        foreach (var c in sim.Cpus)
        {
            if (c.Depth > 0) RaceOf(sim, node, depth, Actions.Make(c.Id, Actions.RunOp));
            // A ChooseOne's other outcome, or a buffered store's drain (also once the CPU's code has finished).
            if (sim.HasOpAlternative(c)) RaceOf(sim, node, depth, Actions.Make(c.Id, Actions.RunOpAlternative));
            if (sim.Gic.AnyPending(c.Id)) RaceOf(sim, node, depth, Actions.Make(c.Id, Actions.TakeInterrupt));
            if (c.PreemptWork.Count > 0) RaceOf(sim, node, depth, Actions.Make(c.Id, Actions.TakePreemptWork));
        }
    }

    private int[] _joined = [];

    private int[] Joined(int[] a, int[] b)
    {
        if (_joined.Length != a.Length) _joined = new int[a.Length];
        for (int k = 0; k < a.Length; k++) _joined[k] = Math.Max(a[k], b[k]);
        return _joined;
    }

    /// <summary>Races of a wait with a write it may be unable to precede (node of the write, the wait), judged by
    /// <see cref="ResolveDeferred"/> at the end of the execution, with the action to try at the write's node if the
    /// race is reversible (<see cref="InitialBefore"/>; -1: every enabled action).</summary>
    private readonly Dictionary<(int Node, Footprint Wait), int> _deferred = new();

    private static bool MayBeIrreversible(in Footprint write, in Footprint wait) =>
        write.HasBefore && write.Addr == wait.Addr && !write.ZeroTest;

    /// <summary>End of an execution of <paramref name="depth"/> steps: each deferred race of a wait whose condition
    /// would hold on the word in the reordering that runs it first — or every one, when the search cut the execution
    /// short (<paramref name="complete"/> false: the adds after the cut are not known) — gets the paper's fallback
    /// after all: the initial found when the race was met, else every enabled action at the write's node.</summary>
    public void ResolveDeferred(int depth, bool complete)
    {
        foreach (var ((node, wait), initial) in _deferred)
            if (!complete || !WaitCannotPrecede(node, wait, depth))
            {
                int before = stack[node].Backtrack.Count;
                if (initial >= 0) stack[node].AddBacktrack(initial); else stack[node].AddAllToBacktrack();
                if (RaceProfile.On) RaceProfile.Count(complete ? "wait, reversible" : "wait, execution cut short", stack[node], -1, wait, before);
            }
        _deferred.Clear();
    }

    /// <summary>Whether <paramref name="wait"/> (the next step of a CPU) could not run just before the write at
    /// <paramref name="i"/> in any reordering of this execution (all <paramref name="depth"/> steps of it, the ones after
    /// the wait included): the word it waits on would then hold the value before the write plus the blind adds after it
    /// that do not happen after it (only blind adds commute with a blind add to
    /// the same word; every other write to it happens after the write), and the condition fails on that value. False
    /// whenever that value is not known (engine.md item 14).</summary>
    private bool WaitCannotPrecede(int i, in Footprint wait, int depth)
    {
        var node = stack[i];
        var write = node.Ops[node.Chosen];
        if (!MayBeIrreversible(write, wait)) return false;
        ulong value = write.Before;
        int proc = Proc(node.Enabled[node.Chosen], write), own = node.Clock[proc];
        for (int j = i + 1; j < depth; j++)
        {
            var later = stack[j];
            var op = later.Ops[later.Chosen];
            if (later.Clock[proc] >= own || !Footprint.MayWriteWaitedWord(op, wait)) continue;   // after the write, or not the word
            if (!write.Blind || !op.Blind || !op.HasBefore || op.Addr != wait.Addr) return false;
            value += op.Added;
        }
        return !wait.WaitWouldRun(value);
    }

    /// <summary>A member of Flanagan &amp; Godefroid's set E at node <paramref name="i"/> for a race whose partner
    /// <paramref name="action"/>, enabled in the state at <paramref name="depth"/>, could not run there; -1 when none is
    /// found (then every enabled action is tried). It is the action of the earliest step after i that does not happen
    /// after i but happens before <paramref name="action"/> (clocks with the action's own dependences, as if it ran now):
    /// an initial of Source-DPOR's notdep(i).action (Abdulla, Aronis, Jonsson &amp; Sagonas, JACM 2017). Its process has
    /// no step between i and it (an earlier one would be an earlier such step, or happen after i and so make it happen
    /// after i), so that step is the process's next one at i, and nothing after i that it needs comes before it
    /// (docs/engine.md, item 17). SC only: under the Arm data model a drain's enabler joins its clock elsewhere
    /// (<see cref="Footprint.IssuedAt"/>) and the store buffer's own set E applies (DrainRaces.cs).</summary>
    private int InitialBefore(Simulator sim, int i, int depth, int action, in Footprint fp, ref int[]? full)
    {
        if (sim.HasStoreBuffers) return -1;
        full ??= ClockFor(action, fp, depth);
        var node = stack[i];
        int pi = Proc(node.Enabled[node.Chosen], node.Ops[node.Chosen]), own = node.Clock[pi];
        for (int k = i + 1; k < depth; k++)
        {
            var later = stack[k];
            int a = later.Enabled[later.Chosen], pk = Proc(a, later.Ops[later.Chosen]);
            if (later.Clock[pi] >= own || full[pk] < later.Clock[pk]) continue;   // after i, or not before the action
            return node.IsEnabled(a) ? a : -1;
        }
        return -1;
    }

    /// <summary>Walks back from the latest action for one that races with <paramref name="action"/> (dependent, of
    /// another process, not happening before it). Where that process was enabled, the node tries it first and the
    /// walk stops (the paper's "add p"): reversing the latest race is enough, the explorations it starts reveal the
    /// earlier ones. Where it was not, the race cannot be reversed there — the action may even be what enabled it (the
    /// SGI send before the take) — so the node tries a member of the paper's set E (<see cref="InitialBefore"/>) or,
    /// when none is known, every enabled action, as the paper's fallback does, and the
    /// walk goes on: stopping there would hide an earlier race that can be reversed (the CPU's own access that the
    /// interrupt could have preceded had the SGI been sent sooner), which is how bd225530a4c7's race was missed.</summary>
    private void RaceOf(Simulator sim, DfsScheduler.Node? node, int depth, int action)
    {
        int index = node is null ? -1 : Array.IndexOf(node.Enabled, action);
        var fp = index >= 0 ? node!.Ops[index] : FootprintReader.Of(sim, action);
        if (node is not null && RepeatsLastWalk(action, fp, depth)) return;
        int proc = Proc(action, fp);
        var known = _clock[proc];
        // A drain happens after the step that issued its store (its only enabler): what happens before that step
        // never races with it (FootprintDrains.cs).
        if (fp.Drain && fp.IssuedAt >= 0 && fp.IssuedAt < depth) known = Joined(known, stack[fp.IssuedAt].Clock);
        int entry = -1;   // the latest interrupt or preemption of this CPU's code seen so far, walking back
        int[]? full = null;   // the racing action's clock as if it ran now (InitialBefore)
        // A zero-tested add that makes its word zero races with every add of the word before it that did not (they
        // commute among themselves): reversing only the latest race would move the zero to that add and never give
        // the earlier ones their turn to be last (Footprint.ZeroTest). Its other races are handled as any race.
        bool makesZero = fp.MakesZero;
        bool takesInterrupt = Actions.Kind(action) == Actions.TakeInterrupt;
        for (int j = depth - 1; j >= 0; j--)
        {
            var prev = stack[j];
            int prevAction = prev.Enabled[prev.Chosen];
            int prevProc = Proc(prevAction, prev.Ops[prev.Chosen]);
            if (proc == Actions.Make(Actions.Cpu(action), Actions.RunOp) && Actions.Cpu(prevAction) == Actions.Cpu(action)
                && Actions.Kind(prevAction) is Actions.TakeInterrupt or Actions.TakePreemptWork) entry = prevAction;
            if (prevProc == proc || prev.Clock[prevProc] <= known[prevProc]) continue;   // happens-before: not a race; look further back
            // Arm data model (DrainRaces.cs). After its store was issued, a drain not offered where its CPU's
            // code ran was held back (by a store that could pass, run as such or not, or a ChooseOne): the code step that
            // made the holder pending disabled it (DrainRaces.DrainBeforeItsHolder).
            if (fp.Drain && j > fp.IssuedAt && DrainRaces.HeldBackAt(prev, action)) DrainRaces.DrainBeforeItsHolder(stack, j, fp.IssuedAt, action);
            if (fp.Drain && DrainRaces.RanBeforeItsDrain(prev, prevAction, action)) continue;
            if (Footprint.Independent(prev.Ops[prev.Chosen], fp) || Footprint.NeverCoEnabled(prev.Ops[prev.Chosen], fp)) continue;
            // The CPU's own op ran with the interrupt masked: the two are never enabled together (FootprintMasks.cs).
            if (takesInterrupt && Footprint.MasksEveryPending(prev.Ops[prev.Chosen], sim, Actions.Cpu(action))) continue;
            // The send that found nothing pending on the CPU enabled its take: never reversible (FootprintMasks.cs).
            if (takesInterrupt && Footprint.EnablesTake(prev.Ops[prev.Chosen], Actions.Cpu(action))) continue;
            // A wait that may be unable to run before this write in any reordering: judged at the end of the
            // execution, when every add that commutes with the write is known (FootprintWaits.cs).
            if (entry < 0 && fp.IsWait && !prev.IsEnabled(action) && MayBeIrreversible(prev.Ops[prev.Chosen], fp))
            {
                _deferred.TryAdd((j, fp), index >= 0 ? InitialBefore(sim, j, depth, action, fp, ref full) : -1);
                continue;
            }
            bool everyRace = makesZero && Footprint.SameZeroTest(prev.Ops[prev.Chosen], fp);
            int before = prev.Backtrack.Count;
            // Enabled as the same process: the CPU's second action may be its drain here and its code there (DrainRaces.cs).
            if (entry < 0 && DrainRaces.EnabledAsItsProcess(prev, action, fp))
            {
                prev.AddBacktrack(action);
                if (RaceProfile.On) RaceProfile.Count("direct", prev, action, fp, before);
                if (everyRace) continue;
                return;
            }
            // The paper's set E: a process whose later action happens before this one. An interrupt taken since
            // changed what this CPU's code runs next (its handler), so the CPU's code at that node would run
            // something else: reversing the race needs the interrupt first.
            if (entry >= 0 && prev.IsEnabled(entry))
            {
                prev.AddBacktrack(entry);
                if (RaceProfile.On) RaceProfile.Count("interrupt first", prev, action, fp, before);
                if (everyRace) continue;
                return;
            }
            // Arm data model: a member of the paper's set E where one is known (DrainRaces.cs).
            if (entry < 0 && sim.HasStoreBuffers && DrainRaces.TryAddSetE(prev, action, fp, proc)) { if (everyRace) continue; return; }
            // Not enabled there: one member of set E, an initial of what leads to the action (SC), else every enabled action.
            int initial = index >= 0 ? InitialBefore(sim, j, depth, action, fp, ref full) : -1;
            if (initial >= 0) prev.AddBacktrack(initial); else prev.AddAllToBacktrack();
            if (RaceProfile.On) RaceProfile.Fallback(stack, j, depth, action, fp, initial >= 0, entry >= 0, before);
        }
    }
}
