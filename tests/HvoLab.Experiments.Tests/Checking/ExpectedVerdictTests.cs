using System.Text.Json;
using HvoLab.Experiments.Checking;
using HvoLab.Experiments.Scenarios;
using Xunit;

namespace HvoLab.Experiments.Tests.Checking;

/// <summary>Runs every row of scenarios/verdicts.expected.json: the model decides, the file records what it decided.
/// Each row names its memory model, given as `check --memory-model` would give it. Exhaustive rows run with each
/// reduction the row lists (default: DPOR and sleep sets alone): every one must reach the recorded verdict. Rows marked
/// "long" (more than about 20 s of CPU) run only with HVOLAB_LONG_PINS=1 (docs/strategies.md, "Pinned verdicts under arm").</summary>
public class ExpectedVerdictTests
{
    private static bool LongPins => Environment.GetEnvironmentVariable("HVOLAB_LONG_PINS") == "1";

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HvoLab.sln"))) dir = dir.Parent;
        return dir!.FullName;
    }

    private static JsonElement[] FileRows()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoRoot(), "scenarios", "verdicts.expected.json")));
        return doc.RootElement.GetProperty("rows").EnumerateArray().Select(r => r.Clone()).ToArray();
    }

    private static bool IsLong(JsonElement row) => row.TryGetProperty("long", out var l) && l.GetBoolean();

    public static TheoryData<string, string, string, string, int, string, string?, bool, string> Rows()
    {
        var data = new TheoryData<string, string, string, string, int, string, string?, bool, string>();
        foreach (var row in FileRows())
        {
            if (IsLong(row) && !LongPins) continue;
            string mode = row.GetProperty("mode").GetString()!;
            string[] reductions = row.TryGetProperty("reductions", out var rs) ? rs.EnumerateArray().Select(r => r.GetString()!).ToArray()
                : mode == "exhaustive" ? ["dpor", "sleep"] : ["dpor"];
            foreach (string reduction in reductions)
                data.Add(row.GetProperty("scenario").GetString()!, row.GetProperty("strategy").GetString()!,
                    row.TryGetProperty("memory_model", out var m) ? m.GetString()! : "(missing)", mode,
                    row.TryGetProperty("iterations", out var it) ? it.GetInt32() : 300, row.GetProperty("verdict").GetString()!,
                    row.TryGetProperty("kind", out var k) ? k.GetString() : null,
                    row.TryGetProperty("complete", out var c) && c.GetBoolean(), reduction);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void VerdictMatchesTheExpectedFile(string scenario, string strategy, string memoryModel, string mode, int iterations, string verdict, string? kind,
        bool complete, string reduction)
    {
        var s = VerdictTests.Load(scenario);
        var r = CheckRunner.Check(s, strategy, new CheckOptions
        {
            Mode = ScenarioWords.Mode.ParseOption("mode", mode), Iterations = iterations, MaxExecutions = 2_000_000, WallSeconds = 600, Reduction = reduction,
            MemoryModel = MemoryModelChoice.ForSearch(s, memoryModel),
        });
        Assert.Equal(memoryModel, r.MemoryModel!.ModelWord);
        Assert.Equal(verdict, r.Verdict.Word());
        if (kind is not null) Assert.Equal(kind, r.Violations[0].Kind);
        if (complete) Assert.True(r.Complete, r.StopReason);
    }

    /// <summary>A row without its model would silently follow check's default; the long rows are the ones the docs
    /// list with the command that runs them.</summary>
    [Fact]
    public void EveryRowNamesItsModelAndTheDocsNameTheLongRows()
    {
        var docs = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "strategies.md"));
        Assert.Contains("HVOLAB_LONG_PINS=1 dotnet test tests/HvoLab.Experiments.Tests", docs);
        foreach (var row in FileRows())
        {
            var model = row.TryGetProperty("memory_model", out var m) ? m.GetString() : null;
            Assert.True(model is "sc" or "arm", $"{row}: memory_model is {model ?? "missing"}; write \"sc\" or \"arm\"");
            if (IsLong(row)) Assert.Contains($"{row.GetProperty("strategy").GetString()} on {row.GetProperty("scenario").GetString()}", docs);
        }
        // Every exhaustive sc pin has its arm row (the default of check is arm).
        var arm = FileRows().Where(r => r.GetProperty("memory_model").GetString() == "arm")
            .Select(r => (r.GetProperty("scenario").GetString(), r.GetProperty("strategy").GetString())).ToHashSet();
        foreach (var row in FileRows().Where(r => r.GetProperty("memory_model").GetString() == "sc" && r.GetProperty("mode").GetString() == "exhaustive"))
            Assert.Contains((row.GetProperty("scenario").GetString(), row.GetProperty("strategy").GetString()), arm);
    }
}
