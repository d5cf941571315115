using System.Text.Json;
using HvoLab.Cli;
using HvoLab.Cli.Commands;
using HvoLab.Experiments.Bench;
using Xunit;

namespace HvoLab.Experiments.Tests.Cli;

/// <summary>The shape of <c>hvolab bench</c>'s output on a tiny configuration; timings are not asserted (a
/// benchmark's figures belong to the bench command, not to unit tests).</summary>
public class BenchCommandTests
{
    private static (int Code, string Out) Bench(string format)
    {
        var o = new StringWriter();
        int code = ToolCommands.RunBench(new CliContext(o, new StringWriter()), BenchConfig.Tiny, format);
        return (code, o.ToString());
    }

    [Fact]
    public void JsonIsAnArrayOfNameValueUnitTargetMet()
    {
        var (code, text) = Bench("json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(text);
        Assert.Equal(JsonValueKind.Array, doc.RootElement.ValueKind);
        Assert.True(doc.RootElement.GetArrayLength() >= 5);
        foreach (var row in doc.RootElement.EnumerateArray())
        {
            Assert.Equal(["name", "value", "unit", "target", "met"], row.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Equal(JsonValueKind.Number, row.GetProperty("value").ValueKind);
            Assert.Contains(row.GetProperty("met").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
        }
        var names = doc.RootElement.EnumerateArray().Select(r => r.GetProperty("name").GetString()!).ToList();
        Assert.Contains(names, n => n.StartsWith("engine ops/s"));
        Assert.Contains(names, n => n.StartsWith("exhaustive D"));
        Assert.Contains(names, n => n.Contains("peak RSS") && n.Contains("(tiny)"));
        Assert.Contains(names, n => n.Contains("user CPU time") && n.Contains("(tiny)"));
        Assert.Contains(names, n => n.StartsWith("check B, check-default"));
        Assert.Contains(names, n => n.StartsWith("check D, two updaters"));
        Assert.Contains(names, n => n.Contains("--parallel 2 over --parallel 1"));
    }

    [Fact]
    public void TableListsEveryFigureBesideItsTarget()
    {
        var (code, text) = Bench("table");
        Assert.Equal(0, code);
        var lines = text.Split('\n');
        Assert.StartsWith("machine: ", lines[0]);
        Assert.Contains("cores", lines[0]);
        Assert.StartsWith("figure", lines[1]);
        Assert.Contains("target", lines[1]);
        Assert.Contains(lines, l => l.StartsWith("engine ops/s") && l.Contains("≥ 20,000,000"));
        int rss = Array.FindIndex(lines, l => l.Contains("peak RSS"));
        Assert.Contains("≤ 2048 MiB", lines[rss] + lines[rss + 1]);
        Assert.All(lines, l => Assert.True(l.Length <= 100, $"{l.Length} characters: {l}"));
    }

    [Fact]
    public void UnknownFormatIsAUserError()
    {
        var o = new StringWriter(); var e = new StringWriter();
        Assert.Equal(2, Program.Run(["bench", "--format", "xml"], o, e));
    }
}
