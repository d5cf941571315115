using HvoLab.Cli;
using HvoLab.Experiments.Scenarios;
using HvoLab.Experiments.Tests.Scenarios;
using Xunit;

namespace HvoLab.Experiments.Tests.Cli;

public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hvolab-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CliRun.Run(args);

    private string WriteScenario(string json)
    {
        var path = Path.Combine(_dir, $"s{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static void AssertOneLineUserError(int code, string err, string contains)
    {
        Assert.Equal(2, code);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("hvolab: error: ", lines[0]);
        Assert.Contains(contains, lines[0]);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void ValidateBadFileIsOneLineExit2()
    {
        var (code, _, err) = Run("scenario", "validate", WriteScenario("""{"machine":{"cpus":300}}"""));
        AssertOneLineUserError(code, err, "$.machine.cpus: 300 is not allowed; use 1..256");
        (code, _, err) = Run("scenario", "validate", WriteScenario("{ nope"));
        AssertOneLineUserError(code, err, "malformed JSON at line 1");
        (code, _, err) = Run("scenario", "validate", Path.Combine(_dir, "missing.json"));
        AssertOneLineUserError(code, err, "missing.json\" does not exist");
    }

    [Fact]
    public void ValidateGoodFilePrintsValidWarningsAndRefusals()
    {
        var (code, output, err) = Run("scenario", "validate", WriteScenario("""{"machine":{"pseudo_nmi":false},"operations":[{"hugepage":"64KiB"}]}"""));
        Assert.Equal(0, code);
        Assert.Equal("", err);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("valid", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("warning: $.operations[0].hugepage", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("refused: C: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("refused: D: ", StringComparison.Ordinal));
    }

    [Fact]
    public void ShowPrintsResolvedScenarioThatParses()
    {
        var (code, output, _) = Run("scenario", "show");
        Assert.Equal(0, code);
        Assert.Equal(ScenarioLoader.Serialize(ScenarioLoader.Default()), output);
        (code, output, _) = Run("scenario", "show", "--scenario", Path.Combine(RepoPaths.ScenariosDir(), "small-check.json"));
        Assert.Equal(0, code);
        Assert.Equal(3, ScenarioLoader.Parse(output).Machine.Cpus);
    }

    [Fact]
    public void SchemaCommandPrintsJson()
    {
        var (code, output, _) = Run("scenario", "schema");
        Assert.Equal(0, code);
        using var doc = System.Text.Json.JsonDocument.Parse(output);
        Assert.True(doc.RootElement.TryGetProperty("$schema", out _));
    }

    [Fact]
    public void PteDecodeNamesTheLinuxProtection()
    {
        var (code, output, _) = Run("pte", "decode", "0x00e8000040000703");
        Assert.Equal(0, code);
        Assert.Contains("PAGE_KERNEL", output);
        Assert.Contains("page of 4 KiB", output);
    }

    [Fact]
    public void PteEncodeRoundTripsThroughDecode()
    {
        var (code, output, _) = Run("pte", "encode", "PAGE_KERNEL_RO", "--pfn", "0x1234");
        Assert.Equal(0, code);
        string value = output.Split('\n')[0].Trim();
        var (code2, decoded, _) = Run("pte", "decode", value);
        Assert.Equal(0, code2);
        Assert.Contains("PAGE_KERNEL_RO", decoded);
        Assert.Contains("0x1234000", decoded);
    }

    [Theory]
    [InlineData("litmus", "x.litmus")]
    [InlineData("litmus", ".", "--max-executions", "0")]
    [InlineData("litmus", ".", "--test-wall", "-1")]
    [InlineData("pte", "decode", "0xzz")]
    [InlineData("pte", "encode", "PAGE_NOPE", "--pfn", "1")]
    public void ToolMistakesExit2WithOneLine(params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("compare", "--granule", "8k")]
    [InlineData("compare", "--hugepage", "3MiB")]
    [InlineData("compare", "--cpus", "1000")]
    [InlineData("compare", "--format", "yaml")]
    [InlineData("compare", "--cpus", "many")]
    [InlineData("check", "--strategy", "F")]
    [InlineData("check")]
    [InlineData("check", "--strategy", "D", "--revert-fix", "nope")]
    [InlineData("recommend", "--stall-budget", "fast")]
    [InlineData("sweep", "--param", "cpus", "--out", "x.jsonl")]
    [InlineData("sweep", "--param", "a=1", "--out", "x.jsonl", "--shard", "4/4")]
    [InlineData("pte", "decode", "1", "--level", "7")]
    [InlineData("no-such-command")]
    [InlineData("scenario", "validate")]
    public void UserMistakesExit2WithOneLine(params string[] args)
    {
        var (code, _, err) = Run(args);
        AssertOneLineUserError(code, err, "");
    }

    [Fact]
    public void CompareOverridesAreValidatedByScenarioRules()
    {
        var (code, _, err) = Run("compare", "--granule", "64k", "--hugepage", "1GiB");
        AssertOneLineUserError(code, err, "$.operations[0].hugepage: \"1GiB\" is not allowed; use \"2MiB\", \"512MiB\", \"16GiB\"");
        // Valid overrides run (compare is implemented): a small 8-CPU, 1-seed comparison.
        (code, _, _) = Run("compare", "--cpus", "8", "--pages", "2", "--seeds", "1", "--format", "json");
        Assert.Equal(0, code);
    }

    [Fact]
    public void HelpListsCommands()
    {
        var (code, output, _) = Run("--help");
        Assert.Equal(0, code);
        foreach (var c in new[] { "scenario", "compare", "check", "replay", "trace", "sweep", "recommend", "savings", "litmus", "bench", "pte", "strategies" })
            Assert.Contains(c, output);
    }
}
