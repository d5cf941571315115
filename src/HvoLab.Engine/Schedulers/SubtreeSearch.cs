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
    private int _cutoff = int.MaxValue;

    public Outcome Search(int index, int[] pins)
    {
        var stack = new List<DfsScheduler.Node>();
        var failures = new List<(RunResult, IReadOnlyList<int>)>();
        long executions = 0, pruned = 0, transitions = 0;
        while (true)
        {
            if (index > Volatile.Read(ref _cutoff)) return Done(false, "violation found");
            if (opt.Cancel.IsCancellationRequested) return Done(false, "interrupted");
            if (Interlocked.Read(ref _executions) >= opt.MaxExecutions) return Done(false, "execution budget reached");
            if (clock.Elapsed > opt.WallBudget) return Done(false, "wall-clock budget reached");
            var dfs = new DfsScheduler(stack, opt, pins, probe: false);
            var sim = factory(dfs);
            var run = sim.Run();
            // The final state has no node of its own, but what still waits in it (a parked CPU, a masked interrupt)
            // races with the actions before it like any next transition.
            if (opt.UsesDpor && run.Outcome != RunOutcome.Pruned) dfs.DetectRacesAtEnd(sim);
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
                    return Done(false, "violation found");
                }
            }
            if (!Backtrack(stack)) return Done(true, "search complete");
        }

        Outcome Done(bool complete, string why) => new(index, complete, executions, pruned, transitions, failures, why);
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

    /// <summary>Moves the deepest node with an untried, non-sleeping action to that action; false when none is left.</summary>
    private static bool Backtrack(List<DfsScheduler.Node> stack)
    {
        while (stack.Count > 0)
        {
            var node = stack[^1];
            node.Done.Add(node.Enabled[node.Chosen]);
            int next = node.NextCandidate();
            if (next >= 0) { node.Chosen = next; return true; }
            stack.RemoveAt(stack.Count - 1);
        }
        return false;
    }
}
