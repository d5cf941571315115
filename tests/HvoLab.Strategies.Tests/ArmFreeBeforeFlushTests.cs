using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using HvoLab.Kernel;
using Xunit.Abstractions;
using Xunit;

namespace HvoLab.Strategies.Tests;

/// <summary>
/// The third historical fix (free the old vmemmap pages only after the flush) under the Arm data model, as
/// <see cref="HistoricalFixTests"/> checks it under SC: reverted, DPOR finds a freed page still in a TLB with the
/// generic hooks; in place it does not. (rcu-sync and pmd-split-lock under arm: <see cref="ArmHistoricalFixTests"/>.)
/// </summary>
public class ArmFreeBeforeFlushTests(ITestOutputHelper output)
{
    /// <summary>The generic hooks also trip the BBM oracle, so the search goes past failures and the test looks for
    /// the kind that matters.</summary>
    private string[] KernelKinds(RevertedFix reverted)
    {
        var r = new ExhaustiveExplorer(s => HistoricalSetups.FreeBeforeFlush(s, "unsafe", reverted, DataMemoryModel.Arm), new ExplorationOptions
        {
            StopAtFirstViolation = false, Dpor = true, MaxExecutions = 200_000, WallBudget = TimeSpan.FromMinutes(10),
        }).Explore();
        output.WriteLine($"complete={r.Complete} executions={r.Executions} failures={r.Failures.Count} {r.Elapsed.TotalSeconds:F1}s: {r.StopReason}");
        Assert.True(r.Complete, r.StopReason);
        return r.Failures.SelectMany(f => f.Run.Violations)
            .Where(v => !v.Kind.StartsWith("bbm:", StringComparison.Ordinal) && !(v.Kind == "kernel-fault" && v.Explanation.Contains("TlbConflict")))
            .Select(v => v.Kind).Distinct().ToArray();
    }

    [Fact]
    public void FreeBeforeFlushRevertedIsFoundUnderArm() => Assert.Contains("freed-page-in-tlb", KernelKinds(RevertedFix.FreeBeforeFlush));

    [Fact]
    public void FreeBeforeFlushInPlaceIsSafeUnderArm() => Assert.Empty(KernelKinds(RevertedFix.None));
}
