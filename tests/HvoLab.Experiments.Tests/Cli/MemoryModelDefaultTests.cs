using System.Text.Json.Nodes;
using HvoLab.Experiments.Running;
using HvoLab.Experiments.Scenarios;
using Xunit;

namespace HvoLab.Experiments.Tests.Cli;

/// <summary>Issue #20: check and barriers search under arm unless the scenario or --memory-model says otherwise, say
/// which model and where it came from, and refuse to merge shards searched under different models; timed runs stay SC.</summary>
public sealed class MemoryModelDefaultTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hvolab-memory-model-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Shipped(string name) => Path.Combine(Scenarios.RepoPaths.ScenariosDir(), name + ".json");

    /// <summary>A copy of a shipped check scenario with machine.memory_model set (null: left silent).</summary>
    private string Copy(string name, string? model)
    {
        var root = JsonNode.Parse(File.ReadAllText(Shipped(name)))!.AsObject();
        Assert.False(root["machine"]!.AsObject().ContainsKey("memory_model"));   // the shipped files are silent
        if (model is not null) root["machine"]!["memory_model"] = model;
        var path = Path.Combine(_dir, $"{name}-{model ?? "silent"}.json");
        File.WriteAllText(path, root.ToJsonString());
        return path;
    }

    private static JsonNode Json(string text) => JsonNode.Parse(text)!;

    [Theory]
    [InlineData(null, null, "arm", "default")]
    [InlineData("sc", null, "sc", "file")]
    [InlineData("arm", null, "arm", "file")]
    [InlineData("arm", "sc", "sc", "option")]
    [InlineData(null, "sc", "sc", "option")]
    public void CheckReportsTheModelAndWhereItCameFrom(string? file, string? option, string model, string source)
    {
        string[] args = ["check", "--strategy", "off", "--scenario", Copy("check-default", file), "--parallel", "1", "--format", "json",
            .. option is null ? Array.Empty<string>() : ["--memory-model", option]];
        var (code, output, err) = CliRun.Run(args);
        Assert.True(code == 0, err);
        var r = Json(output);
        Assert.Equal(model, (string?)r["memory_model"]);
        Assert.Equal(source, (string?)r["memory_model_source"]);
        // The model is part of what was searched: the provenance hashes the scenario with it written in, so it is the
        // hash of the file that says the same model.
        (code, output, err) = CliRun.Run("check", "--strategy", "off", "--scenario", Copy("check-default", model), "--parallel", "1", "--format", "json");
        Assert.True(code == 0, err);
        Assert.Equal((string?)Json(output)["provenance"]!["scenario_hash"], (string?)r["provenance"]!["scenario_hash"]);
    }

    [Fact]
    public void TheModelChangesTheScenarioHashOfTheSearch()
    {
        string Hash(string model)
        {
            var (code, output, err) = CliRun.Run("check", "--strategy", "off", "--scenario", Shipped("check-default"), "--parallel", "1", "--format", "json", "--memory-model", model);
            Assert.True(code == 0, err);
            return (string)Json(output)["provenance"]!["scenario_hash"]!;
        }
        Assert.NotEqual(Hash("sc"), Hash("arm"));
    }

    [Fact]
    public void CheckTextSaysTheModelOnTheScenarioLine()
    {
        var (code, output, err) = CliRun.Run("check", "--strategy", "off", "--parallel", "1");
        Assert.True(code == 0, err);
        Assert.Contains("\n  memory model arm (default; machine.memory_model not set)\n", output);
        (code, output, err) = CliRun.Run("check", "--strategy", "off", "--parallel", "1", "--memory-model", "sc");
        Assert.True(code == 0, err);
        Assert.Contains("\n  memory model sc (--memory-model)\n", output);
    }

    /// <summary>The default changes what is searched: sc and arm prove "off" on check-default, but the Arm model's
    /// store drains add executions (139 under sc, 143 under arm at this commit).</summary>
    [Fact]
    public void TheDefaultSearchIsTheArmSearch()
    {
        long Executions(params string[] extra)
        {
            var (code, output, err) = CliRun.Run(["check", "--strategy", "off", "--scenario", Shipped("check-default"), "--parallel", "1", "--format", "json", .. extra]);
            Assert.True(code == 0, err);
            return (long)Json(output)["executions"]!;
        }
        long byDefault = Executions(), arm = Executions("--memory-model", "arm"), sc = Executions("--memory-model", "sc");
        Assert.Equal(arm, byDefault);
        Assert.NotEqual(sc, byDefault);
    }

    [Fact]
    public void BarriersDefaultsToArmAndTheOptionWins()
    {
        var (code, output, err) = CliRun.Run("barriers", "--strategy", "unsafe", "--scenario", Shipped("check-default"), "--format", "json",
            "--traces", Path.Combine(_dir, "b1"));
        Assert.True(code == 0, err);
        Assert.Equal("arm", (string?)Json(output)["memory_model"]);
        Assert.Equal("default", (string?)Json(output)["memory_model_source"]);
        (code, output, err) = CliRun.Run("barriers", "--strategy", "unsafe", "--scenario", Copy("check-default", "arm"), "--memory-model", "sc",
            "--traces", Path.Combine(_dir, "b2"));
        Assert.True(code == 0, err);
        Assert.Contains("(memory model: sc (--memory-model))", output);
    }

    [Theory]
    [InlineData("check")]
    [InlineData("barriers")]
    public void ABadModelIsExit2NamingTheOptionOrTheField(string command)
    {
        var (code, _, err) = CliRun.Run(command, "--strategy", "off", "--memory-model", "tso");
        Assert.Equal(2, code);
        Assert.Contains("--memory-model: \"tso\" is not allowed; use sc, arm", err);
        var bad = Path.Combine(_dir, "bad.json");
        File.WriteAllText(bad, """{"machine":{"memory_model":"relaxed"}}""");
        (code, _, err) = CliRun.Run(command, "--strategy", "off", "--scenario", bad);
        Assert.Equal(2, code);
        Assert.Contains("$.machine.memory_model: \"relaxed\" is not allowed; use \"sc\", \"arm\"", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void ShardsSearchedUnderDifferentModelsAreNotMerged()
    {
        string Shard(int i, params string[] extra)
        {
            var file = Path.Combine(_dir, $"shard-{i}.json");
            var (code, _, err) = CliRun.Run(["check", "--strategy", "D", "--scenario", Shipped("check-nmi-reader"), "--mode", "exhaustive",
                "--shard", $"{i}/2", "--out", file, "--parallel", "1", .. extra]);
            Assert.True(code == 0, err);
            return file;
        }
        string armShard = Shard(0), scShard = Shard(1, "--memory-model", "sc");
        var (code, _, err) = CliRun.Run("check", "merge", armShard, scShard);
        Assert.Equal(2, code);
        Assert.Contains("was searched under memory model sc (option)", err);
        Assert.Contains("under arm (default)", err);
        // The same model from the file and from the default is one search.
        string armFromOption = Shard(1, "--memory-model", "arm");
        (code, var output, err) = CliRun.Run("check", "merge", armShard, armFromOption, "--format", "json");
        Assert.True(code == 0, err);
        Assert.Equal("arm", (string?)Json(output)["memory_model"]);
    }

    /// <summary>The engine buffers stores only under a search scheduler: a timed run of a file that says arm is the
    /// run of the same file saying sc (docs/arch.md).</summary>
    [Fact]
    public void TimedRunsAreScWhateverTheFieldSays()
    {
        var arm = ScenarioLoader.Parse(File.ReadAllText(Copy("small-check", "arm")));
        var sc = ScenarioLoader.Parse(File.ReadAllText(Copy("small-check", "sc")));
        var a = TimedRunner.RunOne(arm, "D", 1);
        var b = TimedRunner.RunOne(sc, "D", 1);
        Assert.Equal(b.Steps, a.Steps);
        Assert.Equal(b.EndTimeNs, a.EndTimeNs);
        Assert.Equal(b.OperationLatencyNs, a.OperationLatencyNs);
    }
}
