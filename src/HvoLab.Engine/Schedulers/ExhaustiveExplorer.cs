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
    /// <summary>How many branching nodes at the top of the tree are split nodes (<see cref="SearchSplit"/>): fully
    /// branched, so the subtrees below them can be searched independently. 0: one tree, plain DPOR everywhere. The
    /// execution count of a complete search depends on this, never on <see cref="Workers"/> or <see cref="Shard"/>.</summary>
    public int SplitDepth { get; init; }
    /// <summary>Threads searching subtrees at the same time.</summary>
    public int Workers { get; init; } = 1;
    /// <summary>Search only the subtrees whose index is <c>Index</c> modulo <c>Count</c> (a shard of a distributed search).</summary>
    public (int Index, int Count) Shard { get; init; } = (0, 1);
    /// <summary>Cut a part (<see cref="SearchPart"/>) off the stack every this many executions even with no worker
    /// asking, and search it at the point its giver would merge it if nobody took it (0: only when asked). The search is
    /// the same whatever is cut; this makes the part logic testable without threads.</summary>
    public int CutPartsEvery { get; init; }
    /// <summary>A level of split nodes that would make more subtrees than this is not split (<see cref="SearchSplit"/>).</summary>
    public int MaxSubtrees { get; init; } = 256;
}

public sealed record ExplorationResult(bool Complete, long Executions, long Pruned, long Transitions, TimeSpan Elapsed,
    IReadOnlyList<(RunResult Run, IReadOnlyList<int> Choices)> Failures, string StopReason)
{
    public double ExecutionsPerSecond => Elapsed.TotalSeconds > 0 ? Executions / Elapsed.TotalSeconds : Executions;
    /// <summary>How many subtrees the split made (1 without a split), over every shard.</summary>
    public int Subtrees { get; init; } = 1;
    /// <summary>For each failure, the index of the subtree it was found in (its position in the order of a single search).</summary>
    public IReadOnlyList<int> FailureSubtrees { get; init; } = [];
    /// <summary>When each worker ran out of work (time since the search started): how evenly the work was shared.</summary>
    public IReadOnlyList<TimeSpan> WorkersFinished { get; init; } = [];
    /// <summary>Per worker, the time it spent running executions; the rest of <see cref="WorkersFinished"/> it waited.</summary>
    public IReadOnlyList<TimeSpan> WorkersBusy { get; init; } = [];
    /// <summary>Parts of subtrees searched apart (<see cref="SearchPart"/>): handed from one worker to another, or cut on
    /// the <see cref="ExplorationOptions.CutPartsEvery"/> schedule.</summary>
    public int SharedParts { get; init; }
    /// <summary>Bytes the process allocated during the search (every thread: the search is most of it), and how long
    /// the garbage collector paused it — every worker at once. Load-independent, unlike the wall time: what the
    /// per-execution rebuild of the system costs (docs/performance.md, "Session 7").</summary>
    public long AllocatedBytes { get; init; }
    public TimeSpan GcPause { get; init; }
}

/// <summary>
/// Systematic depth-first search over all interleavings (stateless model checking, as in VeriSoft / CHESS / Coyote's
/// DFS strategy): each execution is rebuilt from the factory and driven by a <see cref="DfsScheduler"/> that replays
/// the current prefix and extends it; backtracking picks the deepest untried choice. Sleep sets (Godefroid 1996) skip
/// interleavings that only reorder independent actions. The search is complete when the stack is exhausted within
/// the budgets. With a split (<see cref="ExplorationOptions.SplitDepth"/>) the tree is cut into subtrees that worker
/// threads, or shards on other machines, search independently; their union is the tree a single search explores.
/// </summary>
public sealed class ExhaustiveExplorer(Func<IScheduler, Simulator> factory, ExplorationOptions? options = null)
{
    private readonly ExplorationOptions _opt = options ?? new ExplorationOptions();

    public ExplorationResult Explore()
    {
        if (_opt.Workers < 1) throw new ArgumentOutOfRangeException(nameof(options), _opt.Workers, "workers must be >= 1");
        var (shard, shards) = _opt.Shard;
        if (shards < 1 || shard < 0 || shard >= shards)
            throw new ArgumentOutOfRangeException(nameof(options), $"{shard}/{shards}", "shard must be i/n with 0 <= i < n");
        var clock = Stopwatch.StartNew();
        long allocated = GC.GetTotalAllocatedBytes();
        var paused = GC.GetTotalPauseDuration();
        List<int[]> subtrees = [[]];
        var opt = _opt;
        if (_opt.SplitDepth > 0)
        {
            if (SearchSplit.Subtrees(factory, _opt, clock) is not { } split)
                return new ExplorationResult(false, 0, 0, 0, clock.Elapsed, [], _opt.Cancel.IsCancellationRequested ? "interrupted" : "wall-clock budget reached");
            subtrees = split.Subtrees;
            opt = _opt with { SplitDepth = split.Depth };
        }
        var mine = Enumerable.Range(0, subtrees.Count).Where(i => i % shards == shard).ToArray();
        int workers = _opt.Workers;   // not capped by the subtree count: workers share parts of subtrees
        var sharing = workers > 1 ? new WorkSharing(workers) : null;
        var search = new SubtreeSearch(factory, opt, clock) { Sharing = sharing };
        var outcomes = new SubtreeSearch.Outcome?[mine.Length];
        var finished = new TimeSpan[workers];
        int next = -1;
        void Worker(int me)
        {
            while (true)
            {
                sharing?.Enter();
                int k = Interlocked.Increment(ref next);
                if (k >= mine.Length) { sharing?.Leave(); break; }
                outcomes[k] = search.Search(mine[k], subtrees[mine[k]], me);
                sharing?.Leave();
            }
            // The list is used up: help whoever still searches, until nobody does.
            while (sharing is not null && !sharing.AllIdle)
                if (!search.TryHelp(me)) Thread.Sleep(1);
            sharing?.Decline(me);
            finished[me] = clock.Elapsed;
        }
        if (workers == 1) Worker(0);
        else
        {
            var threads = Enumerable.Range(0, workers).Select(w => new Thread(() => Worker(w)) { IsBackground = true }).ToArray();
            foreach (var t in threads) t.Start();
            foreach (var t in threads) t.Join();
        }
        return search.Combine(outcomes, subtrees.Count) with
        {
            WorkersFinished = finished, WorkersBusy = search.Busy, SharedParts = (sharing?.Parts ?? 0) + search.SelfCutParts,
            AllocatedBytes = GC.GetTotalAllocatedBytes() - allocated, GcPause = GC.GetTotalPauseDuration() - paused,
        };
    }
}
