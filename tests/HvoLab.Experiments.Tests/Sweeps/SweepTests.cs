using System.Text;
using HvoLab.Cli;
using HvoLab.Experiments.Sweeps;
using HvoLab.Experiments.Tests.Comparison;
using Xunit;

namespace HvoLab.Experiments.Tests.Sweeps;

public class SweepTests
{
    private static SweepGrid Grid() => new(SmallScenario.Load(),
        [new SweepParam("cpus", ["8", "9"]), new SweepParam("irq_off", ["5us", "10us"]), new SweepParam("strategy", ["off", "D", "ours"])]);

    /// <summary>The uninterrupted run every other test is compared with, computed once.</summary>
    private static readonly Lazy<(string Dir, byte[] Bytes)> Full = new(() =>
    {
        var dir = SmallScenario.TempDir();
        var path = Path.Combine(dir, "full.jsonl");
        SweepRunner.Run(Grid(), path, new SweepOptions { Parallel = 2 });
        return (dir, File.ReadAllBytes(path));
    });

    private static string[] Lines(byte[] b) => Encoding.UTF8.GetString(b).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void OneRowPerPointStrategySeedInKeyOrder()
    {
        var lines = Lines(Full.Value.Bytes);
        Assert.Equal(4 * 3 * 2, lines.Length);
        var keys = lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("key").GetString()!).ToArray();
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
        Assert.Equal(keys.Length, keys.Distinct().Count());
    }

    [Fact]
    public void ParallelOneGivesTheSameFile()
    {
        var path = Path.Combine(SmallScenario.TempDir(), "p1.jsonl");
        SweepRunner.Run(Grid(), path, new SweepOptions { Parallel = 1 });
        Assert.Equal(Full.Value.Bytes, File.ReadAllBytes(path));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(5, false)]
    [InlineData(5, true)]
    [InlineData(23, true)]
    public void ResumeAfterKillGivesTheUninterruptedFile(int keep, bool torn)
    {
        var lines = Lines(Full.Value.Bytes);
        var path = Path.Combine(SmallScenario.TempDir(), "killed.jsonl");
        var text = string.Concat(lines.Take(keep).Select(l => l + "\n"));
        if (torn) text += lines[keep][..(lines[keep].Length / 2)];   // killed in the middle of writing row keep
        File.WriteAllText(path, text);
        var summary = SweepRunner.Run(Grid(), path, new SweepOptions { Resume = true, Parallel = 2 });
        Assert.Equal(keep, summary.Skipped);
        Assert.Equal(Full.Value.Bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void TwoShardsMergedEqualTheUnshardedRun()
    {
        var dir = SmallScenario.TempDir();
        var a = Path.Combine(dir, "s0.jsonl");
        var b = Path.Combine(dir, "s1.jsonl");
        SweepRunner.Run(Grid(), a, new SweepOptions { Shard = (0, 2), Parallel = 2 });
        SweepRunner.Run(Grid(), b, new SweepOptions { Shard = (1, 2), Parallel = 2 });
        Assert.NotEqual(File.ReadAllBytes(a), File.ReadAllBytes(b));
        var merged = Path.Combine(dir, "merged.jsonl");
        SweepMerge.Merge([b, a, a], merged);   // order and duplicates do not matter
        Assert.Equal(Full.Value.Bytes, File.ReadAllBytes(merged));
    }

    [Fact]
    public void CliSweepWritesRowsAndPlotsAndMerges()
    {
        var dir = SmallScenario.TempDir();
        var file = SmallScenario.WriteFile(dir);
        var o = new StringWriter();
        var e = new StringWriter();
        var outPath = Path.Combine(dir, "cli.jsonl");
        int code = Program.Run(["sweep", "--scenario", file, "--param", "cpus=8,9", "--param", "irq_off=5us,10us", "--param", "strategy=off,D,ours",
            "--out", outPath, "--shard", "0/1", "--parallel", "2"], o, e);
        Assert.True(code == 0, e.ToString());
        Assert.Equal(Full.Value.Bytes, File.ReadAllBytes(outPath));
        foreach (var f in new[] { "cli-remote-stall.png", "cli-remote-stall.svg", "cli-updater-latency.png", "cli-updater-latency.svg" })
            Assert.True(new FileInfo(Path.Combine(dir, f)).Length > 1000, f);
        code = Program.Run(["sweep", "merge", outPath, "--out", Path.Combine(dir, "m.jsonl")], o, e);
        Assert.Equal(0, code);
        Assert.Equal(Full.Value.Bytes, File.ReadAllBytes(Path.Combine(dir, "m.jsonl")));
        Assert.Equal(2, Program.Run(["sweep", "--param", "nonsense=1", "--out", Path.Combine(dir, "x.jsonl")], o, e));
    }
}
