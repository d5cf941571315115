using HvoLab.Cli;
using HvoLab.Experiments.Tests.Comparison;
using Xunit;

namespace HvoLab.Experiments.Tests.Reliability;

/// <summary>The same scenario and seed give the same bytes: compare JSON across runs and --parallel settings, the
/// Perfetto trace of a timed run, and the replayable traces of check. (Sweeps across --parallel and shards:
/// SweepTests.ParallelOneGivesTheSameFile and TwoShardsMergedEqualTheUnshardedRun.)</summary>
public class DeterminismTests
{
    private static string Run(params string[] args)
    {
        var (code, output, err) = CliRun.Run(args);
        Assert.True(code is 0 or 1, err);
        return output;
    }

    [Fact]
    public void CompareJsonIsByteIdenticalAcrossRunsAndParallelism()
    {
        var file = SmallScenario.WriteFile(SmallScenario.TempDir());
        var a = Run("compare", "--scenario", file, "--seeds", "1", "--format", "json", "--parallel", "1");
        var b = Run("compare", "--scenario", file, "--seeds", "1", "--format", "json", "--parallel", "2");
        var c = Run("compare", "--scenario", file, "--seeds", "1", "--format", "json", "--parallel", "2");
        // The command lines differ (--parallel 1 vs 2) and are recorded on purpose; everything else is byte-identical.
        Assert.Equal(WithoutCommandLine(a), WithoutCommandLine(b));
        Assert.Equal(b, c);
        Assert.Contains("\"--parallel\"", a);
    }

    /// <summary>Compare JSON without provenance.command_line, the one field that records how it was asked for.</summary>
    internal static string WithoutCommandLine(string json)
    {
        var root = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        var provenance = root["provenance"]!.AsObject();
        Assert.True(provenance.Remove("command_line"));
        return root.ToJsonString();
    }

    [Fact]
    public void TimedTraceAndCheckTracesAreByteIdentical()
    {
        var dir = SmallScenario.TempDir();
        var file = SmallScenario.WriteFile(dir);
        var bytes = new List<byte[]>();
        for (int i = 0; i < 2; i++)
        {
            Run("trace", "--strategy", "unsafe", "--scenario", file, "--seed", "3", "--out", Path.Combine(dir, $"t{i}.json"));
            bytes.Add(File.ReadAllBytes(Path.Combine(dir, $"t{i}.json")));
            Run("check", "--strategy", "unsafe", "--scenario", Path.Combine(Scenarios.RepoPaths.ScenariosDir(), "small-check.json"),
                "--mode", "random", "--iterations", "20", "--seed", "5", "--traces", Path.Combine(dir, $"c{i}"));
        }
        Assert.Equal(bytes[0], bytes[1]);
        var traces0 = Directory.GetFiles(Path.Combine(dir, "c0")).Order().ToArray();
        var traces1 = Directory.GetFiles(Path.Combine(dir, "c1")).Order().ToArray();
        Assert.NotEmpty(traces0);
        Assert.Equal(traces0.Select(Path.GetFileName), traces1.Select(Path.GetFileName));
        for (int i = 0; i < traces0.Length; i++) Assert.Equal(File.ReadAllBytes(traces0[i]), File.ReadAllBytes(traces1[i]));
    }
}
