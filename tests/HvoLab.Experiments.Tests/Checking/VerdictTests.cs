using HvoLab.Strategies;
using HvoLab.Experiments.Checking;
using HvoLab.Experiments.Running;
using HvoLab.Experiments.Scenarios;
using Xunit;
using Xunit.Abstractions;

namespace HvoLab.Experiments.Tests.Checking;

/// <summary>
/// The verdict of every strategy on the small configurations in scenarios/check-*.json, from the model running.
/// Complete exhaustive searches where they fit in a test (D, ours, the failures of unsafe and A); bounded PCT for B
/// and C, whose complete searches take minutes (figures in docs/strategies.md).
/// </summary>
public class VerdictTests(ITestOutputHelper output)
{
    internal static Scenario Load(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HvoLab.sln"))) dir = dir.Parent;
        return ScenarioLoader.Load(Path.Combine(dir!.FullName, "scenarios", name + ".json"));
    }

    private CheckResult Check(string scenario, string strategy, string mode = "exhaustive", int iterations = 300, bool all = false)
    {
        var s = Load(scenario);
        var r = CheckRunner.Check(s, strategy, new CheckOptions
        {
            Mode = ScenarioWords.Mode.ParseOption("mode", mode), Iterations = iterations, MaxExecutions = 2_000_000, WallSeconds = 600, AllViolations = all,
        });
        output.WriteLine($"{strategy} on {scenario}: {r.Verdict}, complete={r.Complete}, {r.Executions} executions, {r.Seconds:F1} s; " +
                         string.Join("; ", r.Violations.Select(v => v.Kind + ": " + v.Explanation)));
        return r;
    }

    [Fact]
    public void UnsafeBreaksBreakBeforeMakeAtTheSplit()
    {
        var r = Check("check-default", "unsafe");
        Assert.Equal(Verdict.Unsafe, r.Verdict);
        Assert.StartsWith("bbm:", r.Violations[0].Kind);
        Assert.Contains("break-before-make", r.Violations[0].Explanation);
    }

    [Fact]
    public void AnNmiOnTheUpdaterFaultsInsideDsWindowButNotInOurs()
    {
        var d = Check("check-nmi-on-updater", "D");
        Assert.Equal(Verdict.Unsafe, d.Verdict);
        Assert.Equal("kernel-fault", d.Violations[0].Kind);
        Assert.Contains("Nmi context", d.Violations[0].Explanation);
        var ours = Check("check-nmi-on-updater", "ours");
        Assert.True(ours.Verdict.IsSafe());
        Assert.True(ours.Complete);
    }

    [Fact]
    public void BIsSafeUnderPctAndItsStopMachineShowsInTheTrace()
    {
        var r = Check("check-default", "B", mode: "pct", iterations: 300);
        Assert.True(r.Verdict.IsSafe());
        var m = TimedRunner.RunOne(ScenarioEdits.Edit(Load("check-default"), x => x with { Scheduler = new SchedulerSpec() }), "B", 1, recordEvents: true, out var sys);
        Assert.Contains(sys.System.Sim.Trace.Events, e => e.Text == "stop_machine");
        Assert.Empty(m.Violations);
    }

    [Fact]
    public void ForcedCWithoutBbmLevel2IsCaughtByTheOracle()
    {
        var s = Load("check-default");
        s = ScenarioEdits.Edit(s, x => x with { StrategyOptions = x.StrategyOptions.With("C", new IdenticalContentsOptions { Force = true }) });
        var r = CheckRunner.Check(s, "C", new CheckOptions { Mode = SchedulerMode.Exhaustive, MaxExecutions = 1000 });
        Assert.Equal(Verdict.Unsafe, r.Verdict);
        Assert.StartsWith("bbm:", r.Violations[0].Kind);
    }
}
