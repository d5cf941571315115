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

    /// <summary>Issue #19 defect 8: a resume after the scenario or the parameters changed used to append rows of the
    /// new sweep to the old file.</summary>
    [Fact]
    public void ResumeOfAnotherSweepStopsWithAClearError()
    {
        var lines = Lines(Full.Value.Bytes);
        var path = Path.Combine(SmallScenario.TempDir(), "other.jsonl");
        File.WriteAllText(path, lines[0] + "\n");
        var changedScenario = new SweepGrid(HvoLab.Experiments.Scenarios.ScenarioEdits.Edit(SmallScenario.Load(), x => x with { Seed = 99 }),
            [new SweepParam("cpus", ["8", "9"]), new SweepParam("irq_off", ["5us", "10us"]), new SweepParam("strategy", ["off", "D", "ours"])]);
        var changedParams = new SweepGrid(SmallScenario.Load(),
            [new SweepParam("cpus", ["8"]), new SweepParam("irq_off", ["5us", "10us"]), new SweepParam("strategy", ["off", "D", "ours"])]);
        foreach (var grid in new[] { changedScenario, changedParams })
        {
            Assert.NotEqual(Grid().Id, grid.Id);
            var e = Assert.Throws<InvalidDataException>(() => SweepRunner.Run(grid, path, new SweepOptions { Resume = true, Parallel = 1 }));
            Assert.StartsWith($"--resume: \"{path}\" holds rows of another sweep", e.Message);
            Assert.Equal(lines[0] + "\n", File.ReadAllText(path));   // untouched
        }
        Assert.Equal(Grid().Id, new SweepGrid(SmallScenario.Load(),
            [new SweepParam("cpus", ["8", "9"]), new SweepParam("irq_off", ["5us", "10us"]), new SweepParam("strategy", ["off", "D", "ours"])]).Id);
    }

    /// <summary>Issue #19 defect 8: merge silently kept the first of two rows with the same key and other values.</summary>
    [Fact]
    public void MergeReportsConflictingRowsAndOtherSweeps()
    {
        var dir = SmallScenario.TempDir();
        var lines = Lines(Full.Value.Bytes);
        var a = Path.Combine(dir, "a.jsonl");
        var b = Path.Combine(dir, "b.jsonl");
        File.WriteAllText(a, lines[0] + "\n" + lines[1] + "\n");
        File.WriteAllText(b, lines[1].Replace("\"ipis\":", "\"ipis\":1") + "\n");
        var e = Assert.Throws<InvalidDataException>(() => SweepMerge.Merge([a, b], Path.Combine(dir, "m.jsonl")));
        Assert.Contains("conflicting rows for key", e.Message);
        File.WriteAllText(b, lines[1] + "\n");   // the same row twice is fine
        Assert.Equal(2, SweepMerge.Merge([a, b], Path.Combine(dir, "m.jsonl")));
        var sweepId = System.Text.Json.JsonDocument.Parse(lines[2]).RootElement.GetProperty("sweep").GetString()!;
        File.WriteAllText(b, lines[2].Replace(sweepId, new string('0', 32)) + "\n");
        Assert.Contains("holds rows of sweep 0000", Assert.Throws<InvalidDataException>(() => SweepMerge.Merge([a, b], Path.Combine(dir, "m.jsonl"))).Message);
        Assert.False(File.Exists(Path.Combine(dir, "m2.jsonl")));
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
