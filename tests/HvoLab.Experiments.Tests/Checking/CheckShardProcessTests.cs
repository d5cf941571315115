using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit;

namespace HvoLab.Experiments.Tests.Checking;

/// <summary>A distributed exhaustive search: the built CLI (hvolab.dll beside this test assembly) runs each shard as
/// its own process (check --shard i/n --out FILE), then check merge combines the files; the merged verdict,
/// completeness, execution count and violation kinds must be those of one run.</summary>
public class CheckShardProcessTests
{
    private static string Scenario(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HvoLab.sln"))) dir = dir.Parent;
        return Path.Combine(dir!.FullName, "scenarios", name + ".json");
    }

    private static (int Code, string Out, string Err) Hvolab(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "hvolab.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, err.Result);
    }

    private static JsonNode Json(string text) => JsonNode.Parse(text[text.IndexOf('{')..])!;

    [Theory]
    [InlineData("check-nmi-reader", "D", false, 0)]
    [InlineData("check-nmi-reader", "A", false, 1)]
    public void ShardsInSeparateProcessesMergeIntoTheVerdictOfOneRun(string scenario, string strategy, bool all, int exitCode)
    {
        var dir = Directory.CreateTempSubdirectory("hvolab-shards").FullName;
        string[] common = ["check", "--strategy", strategy, "--scenario", Scenario(scenario), "--mode", "exhaustive", "--traces", Path.Combine(dir, "traces"), .. (all ? new[] { "--all" } : [])];
        var (code, output, err) = Hvolab([.. common, "--parallel", "1", "--format", "json"]);
        Assert.True(code == exitCode, err);
        var one = Json(output);
        const int shards = 3;
        var files = new List<string>();
        for (int i = 0; i < shards; i++)
        {
            string file = Path.Combine(dir, $"shard-{i}.json");
            (code, _, err) = Hvolab([.. common, "--shard", $"{i}/{shards}", "--out", file, "--parallel", "1"]);
            Assert.True(code is 0 or 1, err);
            files.Add(file);
        }
        (code, output, err) = Hvolab(["check", "merge", .. files, "--traces", Path.Combine(dir, "merged-traces"), "--format", "json"]);
        Assert.True(code == exitCode, err);
        var merged = Json(output);
        Assert.Equal((string?)one["verdict"], (string?)merged["verdict"]);
        Assert.Equal((bool)one["complete"]!, (bool)merged["complete"]!);
        if (all || (bool)one["complete"]!) Assert.Equal((long)one["executions"]!, (long)merged["executions"]!);
        var kinds = (JsonNode n) => n["violations"]!.AsArray().Select(v => (string)v!["kind"]!).Order().ToArray();
        Assert.Equal(kinds(one), kinds(merged));
        // A missing shard is refused, naming it.
        (code, _, err) = Hvolab(["check", "merge", files[0], files[2]]);
        Assert.Equal(2, code);
        Assert.Contains("1/3", err);
    }
}
