using HvoLab.Engine;
using HvoLab.Experiments.Checking;
using HvoLab.Experiments.Scenarios;
using Xunit;

namespace HvoLab.Experiments.Tests.Checking;

/// <summary>
/// hvolab barriers' two mechanisms, on small-check with D (the full audit, about 40 s, is in docs/strategies.md):
/// the barrier sites an execution passes are recorded, and leaving one out changes the verdict when the machine
/// needs it, with a trace that replays to the same violation with the barrier still left out.
/// </summary>
public class BarrierAuditTests
{
    private const string FlushDsbIshSt = "flush_tlb_kernel_range: dsb(ishst)";

    [Fact]
    public void AnExecutionRecordsTheBarrierSitesItPasses()
    {
        var sites = new SortedSet<string>(StringComparer.Ordinal);
        Simulator? sim = null;
        var r = CheckRunner.Check(VerdictTests.Load("small-check"), "D", new CheckOptions
        {
            Mode = SchedulerMode.Random, Iterations = 1, OnBuild = s => sim = s,
        });
        Assert.Equal(Verdict.NotRefuted, r.Verdict);
        sites.UnionWith(sim!.BarrierSites);
        Assert.Contains(FlushDsbIshSt, sites);
        Assert.Contains("flush_tlb_kernel_range: dsb(ish)", sites);
        Assert.Contains("__set_pte: dsb(ishst)", sites);
    }

    [Fact]
    public void LeavingOutTheDsbBeforeTheTlbiBreaksBreakBeforeMakeAndTheTraceReplays()
    {
        var dir = Path.Combine(Path.GetTempPath(), "hvolab-barrier-test-" + Environment.ProcessId);
        try
        {
            var r = CheckRunner.Check(VerdictTests.Load("small-check"), "D", new CheckOptions
            {
                OmitBarrierSite = FlushDsbIshSt, TraceDirectory = dir,
            });
            Assert.Equal(Verdict.Unsafe, r.Verdict);
            var v = r.Violations[0];
            Assert.StartsWith("bbm:", v.Kind);
            var trace = ScheduleTrace.Load(v.TracePath!);
            Assert.Equal(FlushDsbIshSt, trace.OmitBarrier);
            var (run, _) = CheckRunner.Replay(trace);
            Assert.Contains(run.Violations, x => x.Kind == v.Kind);
            Assert.DoesNotContain(CheckRunner.Replay(trace with { OmitBarrier = null }).Run.Violations, x => x.Kind == v.Kind);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void BarriersRejectsAnUnknownStrategyWithExit2()
    {
        var (code, _, err) = CliRun.Run("barriers", "--strategy", "nosuch");
        Assert.Equal(2, code);
        Assert.Contains("--strategy", err);
        Assert.DoesNotContain("   at ", err);
    }
}
