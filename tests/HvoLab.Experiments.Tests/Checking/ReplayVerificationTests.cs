using System.Text.Json.Nodes;
using HvoLab.Cli.Commands;
using Xunit;

namespace HvoLab.Experiments.Tests.Checking;

/// <summary>Issue #19 defect 7: replay compares the outcome with the recorded violation, notices an edited scenario
/// or header, and rejects malformed traces naming the field. Each tampering below replayed with exit 0 before.</summary>
public sealed class ReplayVerificationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hvolab-replay-").FullName;
    private readonly string _trace;

    public ReplayVerificationTests()
    {
        var (code, _, err) = CliRun.Run("check", "--strategy", "unsafe", "--traces", _dir);
        Assert.True(code == CheckCommands.Unsafe, err);
        _trace = Directory.GetFiles(_dir, "*.trace.json").Single();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (int Code, string Out, string Err) ReplayEdited(Action<JsonObject> edit)
    {
        var node = JsonNode.Parse(File.ReadAllText(_trace))!.AsObject();
        edit(node);
        var path = Path.Combine(_dir, "edited.json");
        File.WriteAllText(path, node.ToJsonString());
        return CliRun.Run("replay", path);
    }

    [Fact]
    public void UntouchedTraceReproduces()
    {
        var (code, text, _) = CliRun.Run("replay", _trace);
        Assert.Equal(CheckCommands.Unsafe, code);   // reproduced: exits as the execution does (it has the violation)
        Assert.Contains("-- reproduced: bbm:bbm after", text);
        var recorded = JsonNode.Parse(File.ReadAllText(_trace))!;
        Assert.Equal("unsafe", recorded["strategy"]!.GetValue<string>());
        Assert.Equal("dpor", recorded["options"]!["reduction"]!.GetValue<string>());
        Assert.Equal(32, recorded["scenario_hash"]!.GetValue<string>().Length);
        var json = JsonNode.Parse(CliRun.Run("replay", _trace, "--format", "json").Out)!;
        Assert.Equal("reproduced", json["replay"]!.GetValue<string>());
    }

    [Fact]
    public void DroppedChoicesDiverge()
    {
        var (code, text, _) = ReplayEdited(n => n["choices"] = new JsonArray(n["choices"]!.AsArray().Take(3).Select(c => (JsonNode?)c!.GetValue<int>()).ToArray()));
        Assert.Equal(CheckCommands.Diverged, code);
        Assert.Contains("-- diverged at step 3 (expected bbm:bbm, got no violation", text);
    }

    [Fact]
    public void ExtraChoicesDiverge()
    {
        var (code, text, _) = ReplayEdited(n =>
        {
            var choices = n["choices"]!.AsArray();
            int recorded = choices.Count;
            for (int i = 0; i < 1_000_000; i++) choices.Add(0);
            Assert.True(recorded < choices.Count);
        });
        Assert.Equal(CheckCommands.Diverged, code);
        Assert.Contains("more recorded choices, got the end of the execution", text);
    }

    [Fact]
    public void ChangedChoiceDivergesAtItsStep()
    {
        var (code, text, _) = ReplayEdited(n => n["choices"]!.AsArray()[1] = 999);
        Assert.Equal(CheckCommands.Diverged, code);
        Assert.Contains("-- diverged at step 1 (expected '", text);
        var json = JsonNode.Parse(CliRun.Run("replay", Path.Combine(_dir, "edited.json"), "--format", "json").Out)!;
        Assert.Equal(1, json["diverged_at_step"]!.GetValue<int>());
    }

    [Fact]
    public void EditedScenarioOrHeaderDiffers()
    {
        var (code, text, _) = ReplayEdited(n => n["scenario"]!["machine"]!["cpus"] = 4);
        Assert.Equal(CheckCommands.ScenarioDiffers, code);
        Assert.Contains("scenario differs: the embedded scenario hashes to", text);
        (code, text, _) = ReplayEdited(n => n["strategy"] = "off");
        Assert.Equal(CheckCommands.ScenarioDiffers, code);
        Assert.Contains("scenario differs: the header", text);
    }

    [Theory]
    [InlineData("choices", "null", "\"choices\" is null")]
    [InlineData("choices", "\"x\"", "\"choices\" has the wrong type")]
    [InlineData("scenario_hash", null, "\"scenario_hash\"")]
    [InlineData("strategy", "null", "\"strategy\" is missing or null")]
    [InlineData("format", "\"hvolab-trace/1\"", "\"format\" is 'hvolab-trace/1'")]
    public void MalformedTracesAreExit2NamingTheField(string field, string? json, string expected)
    {
        var (code, _, err) = ReplayEdited(n =>
        {
            if (json is null) n.Remove(field);
            else n[field] = JsonNode.Parse(json);
        });
        Assert.Equal(2, code);
        Assert.StartsWith("hvolab: error: ", err);
        Assert.Contains(expected, err);
        Assert.DoesNotContain("internal error", err);
    }
}
