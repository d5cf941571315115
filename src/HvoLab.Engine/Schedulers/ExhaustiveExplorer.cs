using System.Diagnostics;

namespace HvoLab.Engine.Schedulers;

public sealed record ExplorationOptions
{
    public long MaxExecutions { get; init; } = 1_000_000;
    public TimeSpan WallBudget { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Bound on preemptions (switches away from a CPU that could go on); null = unbounded.</summary>
    public int? PreemptionBound { get; init; }
    /// <summary>Use sleep sets (partial-order reduction). Off only to measure what they save.</summary>
    public bool SleepSets { get; init; } = true;
    /// <summary>Dynamic partial-order reduction: branch only where an explored execution showed a race. A search with
    /// a preemption bound uses sleep sets only: the bound forces choices that DPOR's backtracking does not know about,
    /// so its backtrack sets would not cover the bounded interleavings (Coons, Musuvathi &amp; McKinley, "Bounded
    /// partial-order reduction", OOPSLA 2013).</summary>
    public bool Dpor { get; init; }

    internal bool UsesDpor => Dpor && PreemptionBound is null;
    /// <summary>Stops the search between executions (Ctrl-C); the result is incomplete with reason "interrupted".</summary>
    public CancellationToken Cancel { get; init; }
    /// <summary>Stop at the first execution with a violation.</summary>
    public bool StopAtFirstViolation { get; init; } = true;
}

public sealed record ExplorationResult(bool Complete, long Executions, long Pruned, long Transitions, TimeSpan Elapsed,
    IReadOnlyList<(RunResult Run, IReadOnlyList<int> Choices)> Failures, string StopReason)
{
    public double ExecutionsPerSecond => Elapsed.TotalSeconds > 0 ? Executions / Elapsed.TotalSeconds : Executions;
}

/// <summary>
/// Systematic depth-first search over all interleavings (stateless model checking, as in VeriSoft / CHESS / Coyote's
/// DFS strategy): each execution is rebuilt from the factory and driven by a <see cref="DfsScheduler"/> that replays
/// the current prefix and extends it; backtracking picks the deepest untried choice. Sleep sets (Godefroid 1996) skip
/// interleavings that only reorder independent actions. The search is complete when the stack is exhausted within
/// the budgets.
/// </summary>
public sealed class ExhaustiveExplorer(Func<IScheduler, Simulator> factory, ExplorationOptions? options = null)
{
    private readonly ExplorationOptions _opt = options ?? new ExplorationOptions();

    public ExplorationResult Explore()
    {
        var sw = Stopwatch.StartNew();
        var stack = new List<DfsScheduler.Node>();
        var failures = new List<(RunResult, IReadOnlyList<int>)>();
        long executions = 0, pruned = 0, transitions = 0;
        while (true)
        {
            if (_opt.Cancel.IsCancellationRequested) return Done(false, "interrupted");
            if (executions >= _opt.MaxExecutions) return Done(false, "execution budget reached");
            if (sw.Elapsed > _opt.WallBudget) return Done(false, "wall-clock budget reached");
            var dfs = new DfsScheduler(stack, _opt);
            var sim = factory(dfs);
            var run = sim.Run();
            // The final state has no node of its own, but what still waits in it (a parked CPU, a masked interrupt)
            // races with the actions before it like any next transition.
            if (_opt.UsesDpor && run.Outcome != RunOutcome.Pruned) dfs.DetectRacesAtEnd(sim);
            executions++;
            transitions += run.Steps;
            if (run.Outcome == RunOutcome.Pruned) pruned++;
            if (run.Outcome is RunOutcome.Violation or RunOutcome.Deadlock or RunOutcome.BudgetExceeded or RunOutcome.ModelError)
            {
                failures.Add((run, run.Choices.ToArray()));
                if (_opt.StopAtFirstViolation) return Done(false, "violation found");
            }
            if (!Backtrack(stack)) return Done(true, "search complete");
        }

        ExplorationResult Done(bool complete, string why) =>
            new(complete, executions, pruned, transitions, sw.Elapsed, failures, why);
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
