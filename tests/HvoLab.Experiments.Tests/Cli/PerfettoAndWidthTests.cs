using System.Text.Json;
using HvoLab.Engine;
using HvoLab.Experiments.Reports;
using Xunit;

namespace HvoLab.Experiments.Tests.Cli;

/// <summary>Issue #15: the Perfetto export's structure and size, and output that fits 100 columns.</summary>
public sealed class PerfettoAndWidthTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hvolab-pf-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TraceOfDOnTheDefaultScenarioIsSmallNamedAndLinked()
    {
        var path = Path.Combine(_dir, "d.json");
        var r = CliRun.Run("trace", "--strategy", "D", "--out", path);
        Assert.Equal(0, r.Code);
        Assert.True(new FileInfo(path).Length < 20_000_000, $"{new FileInfo(path).Length} bytes");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var events = doc.RootElement.GetProperty("traceEvents").EnumerateArray().ToList();
        foreach (var e in events)
        {
            Assert.True(e.TryGetProperty("ph", out _));
            Assert.True(e.TryGetProperty("pid", out _));
            Assert.True(e.TryGetProperty("tid", out _));
            if (e.GetProperty("ph").GetString() != "M") Assert.True(e.TryGetProperty("ts", out _));
        }
        var meta = events.Where(e => e.GetProperty("ph").GetString() == "M").Select(e => e.GetProperty("name").GetString()).ToHashSet();
        Assert.Contains("process_name", meta);
        Assert.Contains("thread_name", meta);
        var names = events.Where(e => e.GetProperty("ph").GetString() != "M").Select(e => e.GetProperty("name").GetString()!).ToHashSet();
        Assert.Contains("NMI handler", names);
        Assert.Contains("BBM window", names);
        Assert.Contains("TLBI", names);
        Assert.Contains("send IPI", names);
        // The pause as its own slices (#15): the paused CPUs, and the updater's set-up and tear-down; and RCU.
        Assert.Contains("paused", names);
        Assert.Contains("pause_remote_cpus", names);
        Assert.Contains("resume_remote_cpus", names);
        Assert.Contains("synchronize_rcu", names);
        Assert.DoesNotContain(names, n => n.Any(char.IsDigit));   // numbers go to args
        Assert.True(names.Count < 60, string.Join(", ", names));
        // Each IPI's arrow starts on the sender's track and ends on another CPU's.
        var starts = events.Where(e => e.GetProperty("ph").GetString() == "s").ToDictionary(e => e.GetProperty("id").GetInt64());
        var ends = events.Where(e => e.GetProperty("ph").GetString() == "f").ToList();
        Assert.NotEmpty(ends);
        Assert.Contains(ends, f => starts[f.GetProperty("id").GetInt64()].GetProperty("tid").GetInt32() != f.GetProperty("tid").GetInt32());
        Assert.All(ends, f => Assert.True(starts[f.GetProperty("id").GetInt64()].GetProperty("ts").GetDouble() <= f.GetProperty("ts").GetDouble()));
    }

    [Fact]
    public void StopMachineShowsEachCpusMultiStopStates()
    {
        var path = Path.Combine(_dir, "b.json");
        var r = CliRun.Run("trace", "--strategy", "B", "--scenario", Path.Combine(Scenarios.RepoPaths.ScenariosDir(), "check-default.json"), "--out", path);
        Assert.Equal(0, r.Code);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var slices = doc.RootElement.GetProperty("traceEvents").EnumerateArray()
            .Where(e => e.GetProperty("ph").GetString() == "X").Select(e => (Name: e.GetProperty("name").GetString()!, Tid: e.GetProperty("tid").GetInt32())).ToList();
        // Every CPU (3) passes through every state of multi_cpu_stop (kernel/stop_machine.c) once.
        foreach (var state in new[] { "PREPARE", "DISABLE_IRQ", "RUN", "EXIT" })
            Assert.Equal([0, 1, 2], slices.Where(s => s.Name == "multi_cpu_stop: " + state).Select(s => s.Tid).Distinct().Order());
    }

    [Fact]
    public void CausalTimesNeverGoBackAndKeepEachCpusDurations()
    {
        TraceEvent E(double t, int cpu) => new(t, t, cpu, ContextKind.Task, TraceKind.Mark, "m", 0, 0);
        // CPU0 runs at 8 ms on its clock, then CPU1 (whose clock reads 1 ns) acts on what CPU0 did.
        var events = new[] { E(8_000_000, 0), E(8_000_100, 0), E(1, 1), E(50, 1), E(8_000_200, 0) };
        var t = PerfettoExport.CausalTimes(events, 2);
        for (int i = 1; i < t.Length; i++) Assert.True(t[i] >= t[i - 1]);
        Assert.Equal(49, t[3] - t[2]);
        Assert.Equal(8_000_100, t[2]);
    }

    [Fact]
    public void CompareAndCheckFitOneHundredColumns()
    {
        var compare = CliRun.Run("compare", "--seeds", "1", "--strategy", "off", "--strategy", "D");
        Assert.Equal(0, compare.Code);
        Assert.Contains("not refuted (pct", compare.Out.Replace("\n", " "));
        var markdown = CliRun.Run("compare", "--seeds", "1", "--strategy", "off", "--strategy", "D", "--format", "markdown");
        var check = CliRun.Run("check", "--strategy", "A", "--scenario", Path.Combine(Scenarios.RepoPaths.ScenariosDir(), "check-nmi-reader.json"), "--traces", _dir);
        Assert.Equal(1, check.Code);
        foreach (var output in new[] { compare.Out, markdown.Out, check.Out })
            foreach (var line in output.Split('\n'))
                Assert.True(line.Length <= 100, $"{line.Length} characters: {line}");
        Assert.Contains("| D | not refuted (pct 300, 3 CPUs) |", markdown.Out);
    }
}
