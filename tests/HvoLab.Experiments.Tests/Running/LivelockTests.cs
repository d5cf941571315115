using HvoLab.Engine;
using HvoLab.Experiments.Running;
using HvoLab.Experiments.Scenarios;
using Xunit;

namespace HvoLab.Experiments.Tests.Running;

/// <summary>Issue #19 defect 6: a stuck timed run ends from lack of progress, not at the 200M step budget, and
/// `trace` keeps its memory bounded (--max-events) and streams the file.</summary>
public sealed class LivelockTests
{
    /// <summary>small-check's machine and workload, timed: B's stop_machine waits forever for the CPU that only takes
    /// NMIs (its stopper never runs), while the NMI source keeps the run going.</summary>
    private const string Stuck = """
    { "machine": { "cpus": 3, "granule": "4k", "pseudo_nmi": true, "memory": "1GiB" },
      "operations": [ { "cpu": 0, "op": "alloc", "count": 1, "hugepage": "2MiB" } ],
      "workload": [ { "cpus": [1], "kind": "pfn-walker", "period_ns": 200 }, { "cpus": [2], "kind": "nmi-reader", "period_ns": 200 } ],
      "scheduler": { "mode": "timed", "seeds": 1 } }
    """;

    [Fact]
    public void NoProgressEndsTheRunAsALivelockLongBeforeTheStepBudget()
    {
        var s = ScenarioLoader.Parse(Stuck);
        var m = TimedRunner.RunOne(s, "B", 1);
        Assert.Equal(RunOutcome.BudgetExceeded, m.Outcome);
        var v = Assert.Single(m.Violations);
        Assert.Equal("livelock", v.Kind);
        Assert.StartsWith("no progress for 10", v.Explanation);
        Assert.True(m.Steps < 2_000_000, $"{m.Steps} steps");   // the step budget is 200M
        Assert.InRange(m.EndTimeNs, 100e6, 110e6);
    }

    [Fact]
    public void ProgressWindowGrowsWithTheLongestConfiguredSection()
    {
        var s = ScenarioLoader.Parse("""{"machine":{"cpus":2},"operations":[{"cpu":0,"op":"alloc","hugepage":"2MiB"}],"workload":[{"cpus":[1],"kind":"background","irq_off_ns":{"min":1,"max":5000000}}]}""");
        Assert.Equal(500e6, ScenarioSystem.LivelockWindowNs(s));
        Assert.Equal(100e6, ScenarioSystem.LivelockWindowNs(ScenarioLoader.Parse(Stuck)));
    }

    [Fact]
    public void TraceStopsAtMaxEventsWithAClearMessageAndAValidPartialFile()
    {
        var dir = Directory.CreateTempSubdirectory("hvolab-trace-").FullName;
        try
        {
            var scenario = Path.Combine(dir, "stuck.json");
            File.WriteAllText(scenario, Stuck);
            var output = Path.Combine(dir, "t.json");
            var (code, _, err) = CliRun.Run("trace", "--strategy", "B", "--scenario", scenario, "--out", output, "--max-events", "20000", "--accesses");
            Assert.Equal(2, code);
            Assert.StartsWith("hvolab: error: --max-events: the run reached 20,000 events at ", err);
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(output));   // --accesses: one drawn event per recorded one
            Assert.InRange(doc.RootElement.GetProperty("traceEvents").GetArrayLength(), 10_000, 20_003);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
