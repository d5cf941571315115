using System.Diagnostics;

namespace HvoLab.Engine.Schedulers;

/// <summary>
/// The depth-first search of one subtree, and the state the subtrees of one search share: the execution budget, the
/// wall clock, and — when the search stops at the first violation — the lowest subtree that found one. Subtrees above
/// it go on (they come first in a single search and may hold an earlier violation); those below it stop. So the
/// violation reported is the one a single search reports, whatever the number of workers.
/// </summary>
internal sealed class SubtreeSearch(Func<IScheduler, Simulator> factory, ExplorationOptions opt, Stopwatch clock)
{
    internal sealed record Outcome(int Index, bool Complete, long Executions, long Pruned, long Transitions,
        List<(RunResult Run, IReadOnlyList<int> Choices)> Failures, string StopReason);

    private long _executions;
    private int _selfCut;
    /// <summary>Parts cut on the <see cref="ExplorationOptions.CutPartsEvery"/> schedule.</summary>
    public int SelfCutParts => Volatile.Read(ref _selfCut);
    private readonly long[] _busyTicks = new long[Math.Max(1, opt.Workers)];

    /// <summary>Per worker, the time spent running executions (the rest of its time it waited or asked for work).</summary>
    public TimeSpan[] Busy => [.. _busyTicks.Select(t => Stopwatch.GetElapsedTime(0, t))];
    private int _cutoff = int.MaxValue;

    /// <summary>Work sharing between the workers (null with one worker).</summary>
    public WorkSharing? Sharing { get; init; }

    /// <summary>Searches subtree <paramref name="index"/>, named by its <paramref name="pins"/>, as worker <paramref name="worker"/>.</summary>
    public Outcome Search(int index, int[] pins, int worker) => Run(index, pins, [], null, worker);

    /// <summary>Searches a part another worker gave away (<see cref="SearchPart"/>).</summary>
    public Outcome Search(SearchPart part, int worker) => Run(part.Index, [], [.. part.Prefix], part, worker);

    private Outcome Run(int index, int[] pins, List<DfsScheduler.Node> stack, SearchPart? part, int worker)
    {
        var failures = new List<(RunResult, IReadOnlyList<int>)>();
        var given = new List<SearchPart>();   // parts of this search given away and not merged back yet
        long executions = 0, pruned = 0, transitions = 0;
        while (true)
        {
            if (part?.Cancelled == true) return Stop("cancelled");
            if (index > Volatile.Read(ref _cutoff)) return Stop("violation found");
            if (opt.Cancel.IsCancellationRequested) return Stop("interrupted");
            if (Interlocked.Read(ref _executions) >= opt.MaxExecutions) return Stop("execution budget reached");
            if (clock.Elapsed > opt.WallBudget) return Stop("wall-clock budget reached");
            Sharing?.Poll(worker, stack, index, given);
            if (opt.CutPartsEvery > 0 && executions % opt.CutPartsEvery == opt.CutPartsEvery - 1 && SearchPart.CutFrom(stack, index) is { } cut) { given.Add(cut); Interlocked.Increment(ref _selfCut); }
            long started = Stopwatch.GetTimestamp();
            var dfs = new DfsScheduler(stack, opt, pins, probe: false);
            var sim = factory(dfs);
            var run = sim.Run();
            // The final state has no node of its own, but what still waits in it (a parked CPU, a masked interrupt)
            // races with the actions before it like any next transition.
            if (opt.UsesDpor && run.Outcome != RunOutcome.Pruned) dfs.DetectRacesAtEnd(sim);
            if (opt.UsesDpor) dfs.ResolveDeferredRaces(run.Outcome == RunOutcome.Pruned);
            _busyTicks[worker] += Stopwatch.GetTimestamp() - started;
            executions++;
            Interlocked.Increment(ref _executions);
            transitions += run.Steps;
            if (run.Outcome == RunOutcome.Pruned) pruned++;
            if (run.Outcome is RunOutcome.Violation or RunOutcome.Deadlock or RunOutcome.BudgetExceeded or RunOutcome.ModelError)
            {
                failures.Add((run, run.Choices.ToArray()));
                if (opt.StopAtFirstViolation)
                {
                    LowerCutoff(index);
                    return Stop("violation found");
                }
            }
            while (true)
            {
                var node = stack.Count > 0 ? stack[^1] : null;
                if (node is null) return Done(true, "search complete");
                node.Done.Add(node.Enabled[node.Chosen]);
                int next;
                // A part cut at this node goes back in before the node tries a sibling after it, or before anything above
                // the node is read: a single search tries the part there (lowest index first).
                while (NextGivenBack(given, stack.Count - 1, next = node.NextCandidate()) is { } g)
                {
                    var o = WaitFor(given[g], worker, stack, index, given);
                    given[g].MergeInto(stack);
                    given.RemoveAt(g);
                    executions += o.Executions; pruned += o.Pruned; transitions += o.Transitions;
                    failures.AddRange(o.Failures);
                    if (!o.Complete) return Stop(o.StopReason);
                }
                if (next >= 0) { node.Chosen = next; break; }
                stack.RemoveAt(stack.Count - 1);
            }
        }

        Outcome Done(bool complete, string why) => new(index, complete, executions, pruned, transitions, failures, why);
        Outcome Stop(string why)
        {
            foreach (var g in given) g.Cancelled = true;   // later in search order than where this search stopped
            return Done(false, why);
        }
    }

    /// <summary>Which of the parts cut at depth <paramref name="depth"/> a single search tries before the sibling at index
    /// <paramref name="next"/> (-1: before leaving the node): the one with the lowest index below it, or null.</summary>
    private static int? NextGivenBack(List<SearchPart> given, int depth, int next)
    {
        int? best = null;
        for (int g = 0; g < given.Count; g++)
            if (given[g].Depth == depth && (next < 0 || given[g].Given < next) && (best is not { } b || given[g].Given < given[b].Given)) best = g;
        return best;
    }

    /// <summary>Waits for a part this worker gave away, searching parts of the others meanwhile (and still giving
    /// away what is left of its own stack above the part).</summary>
    private Outcome WaitFor(SearchPart part, int worker, List<DfsScheduler.Node> stack, int index, List<SearchPart> given)
    {
        if (!part.Taken) part.Finish(Search(part, worker));
        while (part.Result is null)
        {
            Sharing!.Poll(worker, stack, index, given);
            if (part.Result is null && !TryHelp(worker)) Thread.Sleep(1);
        }
        return part.Result;
    }

    /// <summary>Takes a part from another worker and searches it; false when none was given.</summary>
    public bool TryHelp(int worker)
    {
        if (Sharing!.Take(worker) is not { } part) return false;
        part.Finish(Search(part, worker));
        Sharing.Leave();
        return true;
    }

    private void LowerCutoff(int index)
    {
        for (int seen = Volatile.Read(ref _cutoff); index < seen; seen = Volatile.Read(ref _cutoff))
            if (Interlocked.CompareExchange(ref _cutoff, index, seen) == seen) return;
    }

    /// <summary>The result of the whole search from its subtrees' outcomes (null: not started, a budget or an
    /// earlier violation stopped the search first).</summary>
    public ExplorationResult Combine(IReadOnlyList<Outcome?> outcomes, int subtrees)
    {
        long executions = 0, pruned = 0, transitions = 0;
        bool complete = true;
        string? stop = null;
        var failures = new List<(RunResult, IReadOnlyList<int>)>();
        var failureSubtrees = new List<int>();
        foreach (var o in outcomes)
        {
            if (o is null) { complete = false; continue; }
            executions += o.Executions; pruned += o.Pruned; transitions += o.Transitions;
            if (!o.Complete) { complete = false; stop ??= o.StopReason; }
            foreach (var f in o.Failures)
            {
                if (opt.StopAtFirstViolation && failures.Count > 0) break;
                failures.Add(f);
                failureSubtrees.Add(o.Index);
            }
        }
        if (failures.Count > 0 && opt.StopAtFirstViolation) stop = "violation found";
        stop ??= complete ? "search complete" : opt.Cancel.IsCancellationRequested ? "interrupted" : Interlocked.Read(ref _executions) >= opt.MaxExecutions ? "execution budget reached" : "wall-clock budget reached";
        return new ExplorationResult(complete, executions, pruned, transitions, clock.Elapsed, failures, stop)
        {
            Subtrees = subtrees, FailureSubtrees = failureSubtrees,
        };
    }
}
