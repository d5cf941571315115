using System.Text.Json;
using System.Text.Json.Nodes;
using HvoLab.Cli;
using HvoLab.Experiments.Checking;
using HvoLab.Experiments.Scenarios;
using HvoLab.Experiments.Reports;
using HvoLab.Experiments.Tests.Checking;
using Xunit;

namespace HvoLab.Experiments.Tests.Cli;

/// <summary>Issue #15: check's exit codes and verdict words, counterexamples in execution order with kernel symbols,
/// did-you-mean, durations with units, replay JSON.</summary>
public sealed class VerdictOutputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hvolab-ux-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>check-default with D's pause IPI as an ordinary IRQ and two concurrent updaters (CPU0 and CPU2).</summary>
    private string DIrqTwoUpdaters(bool pseudoNmi = true, string ipi = "irq")
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(Scenarios.RepoPaths.ScenariosDir(), "check-default.json")))!.AsObject();
        root["machine"]!["pseudo_nmi"] = pseudoNmi;
        root["strategy_options"] = new JsonObject { ["D"] = new JsonObject { ["ipi"] = ipi } };
        var op = root["operations"]![0]!.DeepClone().AsObject();
        op["cpu"] = 2;
        root["operations"]!.AsArray().Add(op);
        root["workload"] = new JsonArray();
        var path = Path.Combine(_dir, $"d-{pseudoNmi}-{ipi}.json");
        File.WriteAllText(path, root.ToJsonString());
        return path;
    }

    [Fact]
    public void CheckExitCodes0To4And130()
    {
        var proved = CliRun.Run("check", "--strategy", "off");
        Assert.Equal(0, proved.Code);
        Assert.StartsWith("off: proved", proved.Out);

        var violation = CliRun.Run("check", "--strategy", "D", "--scenario", DIrqTwoUpdaters(), "--traces", _dir);
        Assert.Equal(1, violation.Code);
        Assert.StartsWith("D: unsafe", violation.Out);

        Assert.Equal(2, CliRun.Run("check", "--strategy", "Q").Code);

        var budget = CliRun.Run("check", "--strategy", "off", "--mode", "pct", "--iterations", "2");
        Assert.Equal(3, budget.Code);
        Assert.StartsWith("off: not refuted (pct 2, 3 CPUs)", budget.Out);
        Assert.Contains("stopped by: iterations done", budget.Out);

        var refused = CliRun.Run("check", "--strategy", "D", "--scenario", DIrqTwoUpdaters(pseudoNmi: false, ipi: "nmi"));
        Assert.Equal(4, refused.Code);
        Assert.Contains("refused", refused.Out);
        Assert.Contains("IRQ priority masking", refused.Out);

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Program.Run(["check", "--strategy", "off", "--mode", "pct", "--iterations", "50"], o, e, cts.Token);
        Assert.Equal(130, code);
        Assert.Contains("stopped by: interrupted", o.ToString());
        Assert.Contains("partial", e.ToString());
    }

    [Fact]
    public void TheDDeadlockNamesThePauseGlobalsAndListsStepsInExecutionOrder()
    {
        var r = CliRun.Run("check", "--strategy", "D", "--scenario", DIrqTwoUpdaters(), "--traces", _dir);
        Assert.Equal(1, r.Code);
        int at = r.Out.IndexOf("D: deadlock", StringComparison.Ordinal);
        var headline = r.Out[at..r.Out.IndexOf("replay:", at, StringComparison.Ordinal)];
        Assert.Contains("cpu_pause_lock", headline);
        Assert.Contains("nr_cpus_paused", headline);
        var numbers = StepNumbers(r.Out);
        Assert.True(numbers.Count > 5);
        Assert.Equal(numbers.OrderBy(n => n), numbers);
        Assert.Contains("send SGI", r.Out);
        // The IPI is sent before the receiver takes it, although the receiver's clock reads less.
        Assert.True(Line(r.Out, "send SGI") < Line(r.Out, "take IRQ SGI"));
    }

    [Fact]
    public void TheACounterexampleShowsThePteClearBeforeTheFault()
    {
        var s = VerdictTests.Load("check-nmi-reader");
        var result = CheckRunner.Check(s, "A", new CheckOptions { Mode = SchedulerMode.Exhaustive, MaxExecutions = 2_000_000, WallSeconds = 600, TraceDirectory = _dir });
        Assert.Equal(Verdict.Unsafe, result.Verdict);
        var cx = Explainer.Explain(ScheduleTrace.Load(result.Violations[0].TracePath!));
        Assert.Contains("init_mm.page_table_lock", cx.Headline);
        int clear = cx.Steps.First(x => x.What.StartsWith("clears PTE of vmemmap VA", StringComparison.Ordinal)).Number;
        var fault = cx.Steps.First(x => x.What.Contains("fault", StringComparison.Ordinal) && x.What.Contains("struct page of PFN", StringComparison.Ordinal));
        Assert.True(clear < fault.Number);
        Assert.Contains("(folio head +", fault.What);
        Assert.Contains("(level 3)", cx.Steps.First(x => x.Number == clear).What);
        // Grouping by CPU keeps the execution-order numbers.
        Assert.Contains(cx.Lines(byCpu: true), l => l == "-- CPU1");
    }

    [Fact]
    public void ReplayPrintsTheSameNumberedStepsAndJson()
    {
        CliRun.Run("check", "--strategy", "D", "--scenario", DIrqTwoUpdaters(), "--traces", _dir);
        var trace = Directory.GetFiles(_dir, "*.trace.json").Single();
        var text = CliRun.Run("replay", trace);
        Assert.Contains("cpu_pause_lock", text.Out);
        Assert.Equal(StepNumbers(text.Out).OrderBy(n => n), StepNumbers(text.Out));
        var json = CliRun.Run("replay", trace, "--format", "json");
        using var doc = JsonDocument.Parse(json.Out);
        Assert.Equal("deadlock", doc.RootElement.GetProperty("violations")[0].GetProperty("kind").GetString());
        Assert.True(doc.RootElement.GetProperty("steps").GetArrayLength() > 10);
    }

    [Fact]
    public void DidYouMeanForCommandsAndOptions()
    {
        var cmd = CliRun.Run("comapre");
        Assert.Equal(2, cmd.Code);
        Assert.Contains("unknown command \"comapre\"; did you mean \"compare\"?", cmd.Err);
        var opt = CliRun.Run("check", "--strategy", "D", "--scenaro", "x.json");
        Assert.Equal(2, opt.Code);
        Assert.Contains("did you mean \"--scenario\"?", opt.Err);
        var help = CliRun.Run("help", "check");
        Assert.Equal(0, help.Code);
        Assert.Contains("--by-cpu", help.Out);
    }

    [Fact]
    public void DurationsNeedAUnit()
    {
        var r = CliRun.Run("recommend", "--stall-budget", "50");
        Assert.Equal(2, r.Code);
        Assert.Contains("--stall-budget: \"50\" has no unit", r.Err);
    }

    [Fact]
    public void VerdictTextSayTheStrength()
    {
        var complete = new CheckResult("D", Verdict.Proved, "exhaustive", true, 10, 100, 1, [], null, "search complete");
        Assert.Equal("proved", VerdictText.Of(complete, 3));
        Assert.Equal(0, VerdictText.ExitCode(complete));
        var budget = complete with { Verdict = Verdict.NotRefuted, Complete = false, Mode = "pct", Executions = 300 };
        Assert.Equal("not refuted (pct 300, 3 CPUs)", VerdictText.Of(budget, 3));
        Assert.Equal(3, VerdictText.ExitCode(budget));
        Assert.Equal("not refuted (pct 300, 3 CPUs)", VerdictText.OfRow(Verdict.NotRefuted, 300));
        Assert.Equal("unsafe", VerdictText.OfRow(Verdict.Unsafe, 300));
    }

    private static List<int> StepNumbers(string output) => output.Split('\n')
        .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^\s*(\d+)\s+\d+\s+CPU\d"))
        .Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    private static int Line(string output, string what) => Array.FindIndex(output.Split('\n'), l => l.Contains(what, StringComparison.Ordinal));
}
