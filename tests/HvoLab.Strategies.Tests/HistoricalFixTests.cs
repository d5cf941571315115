using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using HvoLab.Kernel.Mm;
using HvoLab.Kernel.Primitives;
using HvoLab.Kernel.Workloads;
using HvoLab.Kernel;
using Xunit.Abstractions;
using Xunit;

namespace HvoLab.Strategies.Tests;

/// <summary>
/// Each historical fix, reverted, must let the search find its historical failure; in place, the same search must
/// find nothing (and complete). Strategy D keeps the BBM oracle quiet, so a failure is the kernel's, not the arm64
/// break-before-make problem.
/// </summary>
public class HistoricalFixTests(ITestOutputHelper output)
{
    private ExplorationResult Explore(Func<IScheduler, Simulator> factory, long max = 200_000, int? preemptions = null, bool dpor = false)
    {
        // The wall budget is only a safety net: completeness must not depend on how fast the machine is.
        var r = new ExhaustiveExplorer(factory, new ExplorationOptions { MaxExecutions = max, PreemptionBound = preemptions, Dpor = dpor, WallBudget = TimeSpan.FromMinutes(10) }).Explore();
        output.WriteLine($"complete={r.Complete} executions={r.Executions} pruned={r.Pruned} transitions={r.Transitions} {r.Elapsed.TotalSeconds:F1}s: {r.StopReason}");
        foreach (var (run, _) in r.Failures.Take(2))
            foreach (var v in run.Violations.Take(3)) output.WriteLine($"  {v.Kind}: {v.Explanation}");
        return r;
    }

    [Fact]
    public void RcuSyncRevertedFindsTheWriteToReadOnlyTail()
    {
        var r = Explore(s => HistoricalSetups.RcuSync(s, "D", RevertedFix.RcuSync), preemptions: 4);
        var (run, _) = Assert.Single(r.Failures);
        Assert.Equal("write-to-ro-vmemmap", run.Violations[0].Kind);
        Assert.Contains("atomic RMW", run.Violations[0].Explanation);
    }

    [Fact]
    public void RcuSyncInPlaceIsSafeAndTheSearchCompletes()
    {
        var r = Explore(s => HistoricalSetups.RcuSync(s, "D", RevertedFix.None), preemptions: 4);
        Assert.Empty(r.Failures);
        Assert.True(r.Complete, r.StopReason);
    }

    /// <summary>The race DPOR once missed (docs/engine.md, "How the search reduces interleavings"): the walker reads
    /// the refcount before the owner's release and runs its RMW only after the pause NMIs that let HVO remap the page
    /// read-only. DPOR searches without a preemption bound (the two do not combine), so it must find the failure
    /// unbounded and complete the fixed kernel unbounded.</summary>
    [Fact]
    public void RcuSyncRevertedIsFoundByDporToo()
    {
        var r = Explore(s => HistoricalSetups.RcuSync(s, "D", RevertedFix.RcuSync), dpor: true);
        var (run, _) = Assert.Single(r.Failures);
        Assert.Equal("write-to-ro-vmemmap", run.Violations[0].Kind);
        var fixedKernel = Explore(s => HistoricalSetups.RcuSync(s, "D", RevertedFix.None), dpor: true);
        Assert.Empty(fixedKernel.Failures);
        Assert.True(fixedKernel.Complete, fixedKernel.StopReason);
    }

    [Fact]
    public void PmdSplitLockRevertedIsFoundByDporToo()
    {
        var r = Explore(s => HistoricalSetups.PmdSplit(s, "D", RevertedFix.PmdSplitLock), dpor: true);
        Assert.Equal("page-table-check", Assert.Single(r.Failures).Run.Violations[0].Kind);
    }

    [Fact]
    public void PmdSplitLockRevertedFindsAPteMappingThePageTable()
    {
        var r = Explore(s => HistoricalSetups.PmdSplit(s, "D", RevertedFix.PmdSplitLock), preemptions: 3);
        var (run, _) = Assert.Single(r.Failures);
        Assert.Equal("page-table-check", run.Violations[0].Kind);
    }

    [Fact]
    public void PmdSplitLockInPlaceIsSafeAndTheSearchCompletes()
    {
        var r = Explore(s => HistoricalSetups.PmdSplit(s, "D", RevertedFix.None), preemptions: 3);
        Assert.Empty(r.Failures);
        Assert.True(r.Complete, r.StopReason);
    }

    /// <summary>The generic hooks rewrite live entries, so executions also carry "bbm:*" reports and TLB-conflict
    /// aborts: the search keeps going past failures and the test looks for the kinds that matter.</summary>
    private ExplorationResult ExploreAll(Func<IScheduler, Simulator> factory, bool dpor = false)
    {
        var r = new ExhaustiveExplorer(factory, new ExplorationOptions
        {
            StopAtFirstViolation = false, PreemptionBound = dpor ? null : 2, Dpor = dpor, MaxExecutions = 200_000, WallBudget = TimeSpan.FromMinutes(10),
        }).Explore();
        output.WriteLine($"complete={r.Complete} executions={r.Executions} failures={r.Failures.Count} {r.Elapsed.TotalSeconds:F1}s: {r.StopReason}");
        return r;
    }

    /// <summary>Violation kinds other than the consequences of the missing break-before-make: the oracle's "bbm:*"
    /// reports and the TLB-conflict aborts a reader takes when the live rewrite leaves two translations cached.</summary>
    private static string[] KernelKinds(ExplorationResult r) =>
        r.Failures.SelectMany(f => f.Run.Violations)
            .Where(v => !v.Kind.StartsWith("bbm:", StringComparison.Ordinal) && !(v.Kind == "kernel-fault" && v.Explanation.Contains("TlbConflict")))
            .Select(v => v.Kind).Distinct().ToArray();

    /// <summary>Under D every old PTE is cleared and flushed inside the pause before the new one is written, so no
    /// TLB can still hold an old vmemmap page when it is freed, even with the free moved before the generic flush:
    /// the historical bug is only observable with the generic (x86) hooks, which rewrite in place.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FreeBeforeFlushRevertedFindsAFreedPageStillInATlb(bool dpor)
    {
        var r = ExploreAll(s => HistoricalSetups.FreeBeforeFlush(s, "unsafe", RevertedFix.FreeBeforeFlush), dpor);
        Assert.Contains("freed-page-in-tlb", KernelKinds(r));
        var d = Explore(s => HistoricalSetups.FreeBeforeFlush(s, "D", RevertedFix.FreeBeforeFlush), preemptions: dpor ? null : 2, dpor: dpor);
        Assert.Empty(d.Failures);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FreeBeforeFlushInPlaceFreesOnlyAfterTheFlush(bool dpor)
    {
        var r = ExploreAll(s => HistoricalSetups.FreeBeforeFlush(s, "unsafe", RevertedFix.None), dpor);
        Assert.True(r.Complete, r.StopReason);
        var kinds = KernelKinds(r);
        foreach (var v in r.Failures.SelectMany(f => f.Run.Violations).Where(v => kinds.Contains(v.Kind)).Take(3)) output.WriteLine($"  {v.Kind}: {v.Explanation}");
        Assert.Empty(kinds);
        Assert.NotEmpty(r.Failures);   // the bbm reports of the generic hooks are there: the monitors were running
    }
}
