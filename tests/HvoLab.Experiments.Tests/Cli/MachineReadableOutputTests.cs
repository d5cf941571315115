using System.Text.Json;
using HvoLab.Cli;
using Xunit;

namespace HvoLab.Experiments.Tests.Cli;

/// <summary>Issue #15: JSON from pte (the fields of the text, per level) and the search's progress report.</summary>
public sealed class MachineReadableOutputTests
{
    [Fact]
    public void PteEncodeAndDecodeGiveTheSameFieldsAsJson()
    {
        var enc = CliRun.Run("pte", "encode", "PAGE_KERNEL_RO", "--pfn", "0x1234", "--format", "json");
        Assert.True(enc.Code == 0, enc.Err);
        using var e = JsonDocument.Parse(enc.Out);
        Assert.Equal("page", e.RootElement.GetProperty("kind").GetString());
        Assert.Equal("0x1234", e.RootElement.GetProperty("pfn").GetString());
        Assert.True(e.RootElement.GetProperty("rdonly").GetBoolean());
        Assert.False(e.RootElement.TryGetProperty("nt", out _));   // bit 16 of a level-3 page is an address bit
        Assert.Equal("PAGE_KERNEL_RO", e.RootElement.GetProperty("linux_prot").GetString());

        var dec = CliRun.Run("pte", "decode", e.RootElement.GetProperty("value").GetString()!, "--format", "json");
        Assert.True(dec.Code == 0, dec.Err);
        Assert.Equal(enc.Out, dec.Out);

        // A level-2 block has nT (FEAT_BBM); the same value read as a table at level 1 has only table attributes.
        var block = CliRun.Run("pte", "encode", "PROT_SECT_NORMAL", "--pfn", "0x200", "--level", "2", "--format", "json");
        Assert.True(block.Code == 0, block.Err);
        using var b = JsonDocument.Parse(block.Out);
        Assert.Equal("block", b.RootElement.GetProperty("kind").GetString());
        Assert.True(b.RootElement.TryGetProperty("nt", out _));
        var bad = CliRun.Run("pte", "decode", "0x3", "--format", "yaml");
        Assert.Equal(2, bad.Code);
    }

    [Fact]
    public void CheckProgressReportsExecutionsRateAndTheBudgetLeft()
    {
        var reports = new List<(double Fraction, string Detail)>();
        var p = new CheckProgress("check D", "exhaustive", maxExecutions: 1000, wallSeconds: 1e9, (f, d) => reports.Add((f, d)));
        for (int i = 0; i < 500; i++) p.OnExecution();
        Assert.NotEmpty(reports);
        Assert.Equal(0.481, reports[^1].Fraction, 3);   // the last report, at execution 481, against 1,000
        Assert.Contains("481 executions", reports[^1].Detail);
        Assert.Contains("budget 1,000 or", reports[^1].Detail);
        Assert.All(reports.Zip(reports.Skip(1)), x => Assert.True(x.Second.Fraction >= x.First.Fraction));
    }

    [Fact]
    public void ShellCompletionSuggestsCommandsOptionsAndValues()
    {
        // What scripts/hvolab-completion.bash asks: the [suggest:POSITION] directive over the whole line.
        var commands = CliRun.Run("[suggest:9]", "hvolab ch");
        Assert.Equal(0, commands.Code);
        Assert.Contains("check", commands.Out.Split('\n', StringSplitOptions.TrimEntries));
        var line = "hvolab check --mo";
        var options = CliRun.Run($"[suggest:{line.Length}]", line);
        Assert.Contains("--mode", options.Out.Split('\n', StringSplitOptions.TrimEntries));
        line = "hvolab check --mode ";
        var values = CliRun.Run($"[suggest:{line.Length}]", line);
        Assert.Equal(["exhaustive", "pct", "random"], values.Out.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Order());
        Assert.True(File.Exists(Path.Combine(Scenarios.RepoPaths.ScenariosDir(), "..", "scripts", "hvolab-completion.bash")));
    }

    [Fact]
    public void ScenarioValidateAsJsonSaysValidOrWhyNot()
    {
        var good = CliRun.Run("scenario", "validate", Path.Combine(Scenarios.RepoPaths.ScenariosDir(), "check-default.json"), "--format", "json");
        Assert.True(good.Code == 0, good.Err);
        using (var doc = JsonDocument.Parse(good.Out))
        {
            Assert.True(doc.RootElement.GetProperty("valid").GetBoolean());
            Assert.Equal("check-default", doc.RootElement.GetProperty("name").GetString());
            Assert.Matches("^[0-9a-f]{32}$", doc.RootElement.GetProperty("scenario_hash").GetString());
            Assert.Equal(JsonValueKind.Array, doc.RootElement.GetProperty("refusals").ValueKind);
        }
        var dir = Directory.CreateTempSubdirectory("hvolab-validate-").FullName;
        try
        {
            var path = Path.Combine(dir, "bad.json");
            File.WriteAllText(path, """{ "machine": { "cpus": 0 } }""");
            var bad = CliRun.Run("scenario", "validate", path, "--format", "json");
            Assert.Equal(2, bad.Code);
            using var doc = JsonDocument.Parse(bad.Out);
            Assert.False(doc.RootElement.GetProperty("valid").GetBoolean());
            Assert.Contains("machine.cpus", doc.RootElement.GetProperty("error").GetString());
            Assert.StartsWith("hvolab: error:", bad.Err);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void CheckWritesTheProvenanceObjectThatCompareAndRecommendWrite()
    {
        var check = CliRun.Run("check", "--strategy", "B", "--scenario", Path.Combine(Scenarios.RepoPaths.ScenariosDir(), "check-default.json"),
            "--mode", "pct", "--iterations", "5", "--format", "json");
        Assert.True(check.Code is 0 or 3, check.Err);
        using var doc = JsonDocument.Parse(check.Out);
        var p = doc.RootElement.GetProperty("provenance");
        Assert.Equal(MachineReadableProvenance.Fields, p.EnumerateObject().Select(f => f.Name));
        Assert.Equal(["hvolab", "check", "--strategy", "B"], p.GetProperty("command_line").EnumerateArray().Take(4).Select(a => a.GetString()!));
        Assert.Equal([1UL], p.GetProperty("seeds").EnumerateArray().Select(x => x.GetUInt64()));
        Assert.False(doc.RootElement.TryGetProperty("scenario_hash", out _));   // once, inside provenance
    }
}

/// <summary>The fields of the "provenance" object, in order, in every JSON output (compare, recommend, check).</summary>
public static class MachineReadableProvenance
{
    public static readonly string[] Fields = ["version", "command_line", "scenario_hash", "seeds"];
}
