using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using HvoLab.Kernel.Mm;
using HvoLab.Kernel;
using Xunit.Abstractions;
using Xunit;

namespace HvoLab.Strategies.Tests;

/// <summary>
/// The historical fixes under the Arm data model (machine.memory_model "arm"): reverted, DPOR still finds each
/// failure; in place, the search completes without one. The subset that runs in seconds; the SC versions are
/// <see cref="HistoricalFixTests"/>.
/// </summary>
public class ArmHistoricalFixTests(ITestOutputHelper output)
{
    private ExplorationResult Explore(Func<IScheduler, Simulator> factory, int? preemptions = null)
    {
        var r = new ExhaustiveExplorer(factory, new ExplorationOptions
        {
            MaxExecutions = 200_000, Dpor = preemptions is null, PreemptionBound = preemptions, WallBudget = TimeSpan.FromMinutes(10),
        }).Explore();
        output.WriteLine($"complete={r.Complete} executions={r.Executions} transitions={r.Transitions} {r.Elapsed.TotalSeconds:F1}s: {r.StopReason}");
        return r;
    }

    [Fact]
    public void RcuSyncRevertedIsFoundUnderArm()
    {
        var r = Explore(s => HistoricalSetups.RcuSync(s, "D", RevertedFix.RcuSync, DataMemoryModel.Arm));
        Assert.Equal("write-to-ro-vmemmap", Assert.Single(r.Failures).Run.Violations[0].Kind);
    }

    [Fact]
    public void RcuSyncInPlaceIsSafeUnderArm()
    {
        var r = Explore(s => HistoricalSetups.RcuSync(s, "D", RevertedFix.None, DataMemoryModel.Arm));
        Assert.Empty(r.Failures);
        Assert.True(r.Complete, r.StopReason);
    }

    /// <summary>Under SC, DPOR finds this in 425 executions; under Arm neither DPOR nor the bounded search reaches it
    /// within 200,000 executions (the drains multiply the orders), so the random search finds it here.</summary>
    [Fact]
    public void PmdSplitLockRevertedIsFoundUnderArm()
    {
        for (ulong seed = 1; seed <= 2000; seed++)
        {
            var run = HistoricalSetups.PmdSplit(new RandomScheduler(seed), "D", RevertedFix.PmdSplitLock, DataMemoryModel.Arm).Run();
            if (run.Violations.Count == 0) continue;
            output.WriteLine($"seed {seed}: {run.Violations[0].Kind}");
            Assert.Equal("page-table-check", run.Violations[0].Kind);
            return;
        }
        Assert.Fail("2000 random executions under Arm did not find the pmd split race");
    }
}
