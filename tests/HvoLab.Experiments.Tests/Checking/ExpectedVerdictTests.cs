using System.Text.Json;
using HvoLab.Experiments.Checking;
using HvoLab.Experiments.Scenarios;
using Xunit;

namespace HvoLab.Experiments.Tests.Checking;

/// <summary>Runs every row of scenarios/verdicts.expected.json: the model decides, the file records what it decided.
/// Exhaustive rows run with each reduction (DPOR and sleep sets alone): both must reach the recorded verdict.</summary>
public class ExpectedVerdictTests
{
    public static TheoryData<string, string, string, int, string, string?, bool, string> Rows()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HvoLab.sln"))) dir = dir.Parent;
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir!.FullName, "scenarios", "verdicts.expected.json")));
        var data = new TheoryData<string, string, string, int, string, string?, bool, string>();
        foreach (var row in doc.RootElement.GetProperty("rows").EnumerateArray())
        {
            string mode = row.GetProperty("mode").GetString()!;
            foreach (string reduction in mode == "exhaustive" ? ["dpor", "sleep"] : new[] { "dpor" })
                data.Add(row.GetProperty("scenario").GetString()!, row.GetProperty("strategy").GetString()!, mode,
                    row.TryGetProperty("iterations", out var it) ? it.GetInt32() : 300, row.GetProperty("verdict").GetString()!,
                    row.TryGetProperty("kind", out var k) ? k.GetString() : null,
                    row.TryGetProperty("complete", out var c) && c.GetBoolean(), reduction);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void VerdictMatchesTheExpectedFile(string scenario, string strategy, string mode, int iterations, string verdict, string? kind, bool complete,
        string reduction)
    {
        var r = CheckRunner.Check(VerdictTests.Load(scenario), strategy, new CheckOptions
        {
            Mode = ScenarioWords.Mode.ParseOption("mode", mode), Iterations = iterations, MaxExecutions = 2_000_000, WallSeconds = 600, Reduction = reduction,
        });
        Assert.Equal(verdict, r.Verdict.Word());
        if (kind is not null) Assert.Equal(kind, r.Violations[0].Kind);
        if (complete) Assert.True(r.Complete, r.StopReason);
    }
}
