using System.Text.Json;
using HvoLab.Experiments.Checking;
using HvoLab.Experiments.Comparison;
using HvoLab.Experiments.Running;
using HvoLab.Experiments.Scenarios;
using HvoLab.Experiments.Tests.Scenarios;
using HvoLab.Strategies;
using Xunit;

namespace HvoLab.Experiments.Tests.Refusals;

/// <summary>
/// Every runner asks a strategy's own refusal rule before running it: on a machine without pseudo-NMI and without
/// FEAT_BBM level 2, C, D and ours are refused by check (exit 4), compare, sweep and recommend with the kernel's
/// reason, and nothing of theirs runs. The others have no rule that applies there.
/// </summary>
public class RefusalTests
{
    private const string Machine = """
    {
      "name": "refusing",
      "machine": { "cpus": 3, "granule": "4k", "bbm_level": 0, "pseudo_nmi": false, "memory": "1GiB" },
      "operations": [ { "cpu": 0, "op": "alloc", "count": 1, "hugepage": "2MiB" } ],
      "workload": [ { "cpus": [1], "kind": "pfn-walker", "period_ns": 500 } ],
      "scheduler": { "mode": "timed", "seeds": 1, "iterations": 20 }
    }
    """;

    private static readonly string[] Refused = ["C", "D", "ours"];

    [Fact]
    public void EachStrategyHasItsOwnRuleAndOnlyTheOnesThatNeedMissingHardwareRefuse()
    {
        var s = ScenarioLoader.Parse(Machine);
        foreach (var x in StrategyRegistry.BuiltIn)
            Assert.Equal(Refused.Contains(x.Name), ScenarioSystem.RefusalOf(s, x.Name, null) is not null);
        // A variant's options count: D with a normal IPI runs without pseudo-NMI, C forced runs without FEAT_BBM 2.
        Assert.Null(StrategyVariant.Parse(s, "D:irq").RefusalOn(s));
        Assert.Null(ScenarioSystem.RefusalOf(s, "C", new IdenticalContentsOptions { Force = true }));
    }

    public static TheoryData<string> RefusedNames => new(Refused);

    [Theory]
    [MemberData(nameof(RefusedNames))]
    public void CheckExitsFourWithTheReason(string name)
    {
        var (file, reason) = Setup(name);
        var (code, _, err) = CliRun.Run("check", "--strategy", name, "--scenario", file);
        Assert.Equal(4, code);
        Assert.Contains(reason, err);
        var r = CheckRunner.Check(ScenarioLoader.Parse(File.ReadAllText(file)), name, new CheckOptions());
        Assert.Equal((Verdict.Refused, 0L, reason), (r.Verdict, r.Executions, r.Refusal));
    }

    [Theory]
    [MemberData(nameof(RefusedNames))]
    public void CompareReportsTheRowRefusedWithoutRunningIt(string name)
    {
        var (file, reason) = Setup(name);
        var (code, output, _) = CliRun.Run("compare", "--scenario", file, "--format", "json");
        Assert.Equal(0, code);
        var row = Assert.Single(JsonDocument.Parse(output).RootElement.GetProperty("rows").EnumerateArray());
        Assert.Equal(("refused", reason, 0), (row.GetProperty("verdict").GetString(), row.GetProperty("verdict_detail").GetString(), row.GetProperty("runs").GetInt32()));
    }

    [Theory]
    [MemberData(nameof(RefusedNames))]
    public void SweepWritesRefusedRows(string name)
    {
        var (file, reason) = Setup(name);
        var outPath = Path.Combine(Path.GetDirectoryName(file)!, "sweep.jsonl");
        var (code, _, err) = CliRun.Run("sweep", "--scenario", file, "--param", $"strategy={name}", "--param", "cpus=4", "--out", outPath);
        Assert.True(code == 0, err);
        var row = JsonDocument.Parse(Assert.Single(File.ReadAllLines(outPath))).RootElement;
        Assert.Equal(("refused", reason), (row.GetProperty("outcome").GetString(), row.GetProperty("refusal").GetString()));
    }

    [Theory]
    [MemberData(nameof(RefusedNames))]
    public void RecommendNeverChoosesARefusedStrategy(string name)
    {
        var s = ScenarioEdits.Edit(ScenarioLoader.Parse(Machine), x => x with { Strategies = [name] });
        var reason = ScenarioSystem.RefusalOf(s, name, null)!;
        var rec = Recommender.Recommend(s, 1e9, new CompareOptions { Parallel = 1, CheckIterations = 5 });
        var plain = Assert.Single(rec.Candidates, c => c.Row.Strategy == name);
        Assert.Equal((false, "refused: " + reason), (plain.Eligible, plain.Reason));
        // Only variants the kernel would run were measured (D:irq needs no pseudo-NMI).
        Assert.All(rec.Candidates.Where(c => c.Row.Runs > 0), c => Assert.Null(StrategyVariant.Parse(s, c.Row.Strategy).RefusalOn(s)));
    }

    [Fact]
    public void NoPseudoNmiScenarioRefusesOursAndDInsteadOfMeasuringOff()
    {
        var s = ScenarioLoader.Load(Path.Combine(RepoPaths.ScenariosDir(), "no-pseudo-nmi.json"));
        Assert.Equal(["C", "D", "ours"], s.Refusals.Select(r => r.Strategy).Order(StringComparer.Ordinal));   // C: no FEAT_BBM level 2 either
        var result = Comparer.Run(ScenarioEdits.Edit(s, x => x with { Strategies = ["D", "ours"] }), new CompareOptions { Parallel = 1 });
        Assert.All(result.Rows, r => Assert.Equal((Verdict.Refused, 0), (r.Verdict, r.Runs)));
        Assert.Contains("pseudo-NMI", result.Rows.Single(r => r.Strategy == "ours").VerdictDetail);
    }

    private static (string File, string Reason) Setup(string name)
    {
        var dir = Directory.CreateTempSubdirectory("hvolab-refusal-").FullName;
        var file = Path.Combine(dir, "s.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(Machine)!;
        json["strategies"] = new System.Text.Json.Nodes.JsonArray(name);
        File.WriteAllText(file, json.ToJsonString());
        return (file, ScenarioSystem.RefusalOf(ScenarioLoader.Parse(File.ReadAllText(file)), name, null)!);
    }
}
