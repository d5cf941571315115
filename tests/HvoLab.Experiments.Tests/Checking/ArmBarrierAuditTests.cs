using HvoLab.Engine;
using HvoLab.Experiments.Checking;
using HvoLab.Experiments.Scenarios;
using Xunit;

namespace HvoLab.Experiments.Tests.Checking;

/// <summary>
/// Under the Arm data model a barrier that only orders data accesses can be shown needed: without the wmb() before
/// the pause IPI (gic_ipi_send_mask), a paused CPU can take the IPI while cpu_paused = true still sits in the
/// updater's store buffer, leave the pause at once, and read struct pages HVO is rewriting. Under SC the same search
/// finds nothing (docs/strategies.md, "Barriers").
/// </summary>
public class ArmBarrierAuditTests
{
    private const string IpiWmb = "gic_ipi_send_mask: wmb()";

    private static HvoLab.Experiments.Scenarios.Scenario SmallCheck(DataMemoryModel model)
    {
        var s = VerdictTests.Load("small-check");
        return ScenarioEdits.Edit(s, x => x with { Machine = x.Machine with { MemoryModel = model } });
    }

    [Fact]
    public void TheWmbBeforeThePauseIpiIsNeededUnderArmAndTheTraceReplays()
    {
        var dir = Path.Combine(Path.GetTempPath(), "hvolab-arm-barrier-test-" + Environment.ProcessId);
        try
        {
            var r = CheckRunner.Check(SmallCheck(DataMemoryModel.Arm), "D", new CheckOptions
            {
                Mode = SchedulerMode.Random, Iterations = 3000, OmitBarrierSite = IpiWmb, TraceDirectory = dir,
            });
            Assert.Equal(Verdict.Unsafe, r.Verdict);
            var v = r.Violations[0];
            var trace = ScheduleTrace.Load(v.TracePath!);
            Assert.Equal(IpiWmb, trace.OmitBarrier);
            var (run, _) = CheckRunner.Replay(trace);
            Assert.Contains(run.Violations, x => x.Kind == v.Kind);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void WithoutTheWmbScStillFindsNothingInTheSameSearch()
    {
        var r = CheckRunner.Check(SmallCheck(DataMemoryModel.Sc), "D", new CheckOptions { Mode = SchedulerMode.Random, Iterations = 300, OmitBarrierSite = IpiWmb });
        Assert.Equal(Verdict.NotRefuted, r.Verdict);
    }
}
