using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HvoLab.Strategies;
using Xunit;

namespace HvoLab.Experiments.Tests.Cli;

/// <summary>
/// `hvolab new strategy` then --strategy-file on check and compare, in-process: the file is compiled at run time
/// against the loaded HvoLab assemblies and runs like a built-in strategy; a compile error is reported as a compiler
/// reports it and exits 2; a file's strategy is refused by its own rule like a built-in one. Each test uses its
/// own strategy names (the registry is per process).
/// </summary>
public class StrategyFileTests
{
    private const string Small = """
    {
      "name": "file-strategy",
      "machine": { "cpus": 3, "granule": "4k", "pseudo_nmi": true, "memory": "1GiB" },
      "operations": [ { "cpu": 0, "op": "alloc", "count": 1, "hugepage": "2MiB" } ],
      "workload": [ { "cpus": [1], "kind": "pfn-walker", "period_ns": 500 }, { "cpus": [2], "kind": "nmi-reader", "period_ns": 500 } ],
      "strategies": ["off"],
      "scheduler": { "mode": "timed", "seeds": 1, "iterations": 30 }
    }
    """;

    private static string Dir() => Directory.CreateTempSubdirectory("hvolab-strategy-file-").FullName;

    private static string Scenario(string dir, bool pseudoNmi = true)
    {
        var json = JsonNode.Parse(Small)!;
        json["machine"]!["pseudo_nmi"] = pseudoNmi;
        var path = Path.Combine(dir, pseudoNmi ? "s.json" : "no-nmi.json");
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    [Fact]
    public void NewStrategyThenCheckThenCompare()
    {
        var dir = Dir();
        var file = Path.Combine(dir, "FileMine.cs");
        var (code, _, err) = CliRun.Run("new", "strategy", "FileMine", "--out", file);
        Assert.True(code == 0, err);
        Assert.Contains("class FileMineStrategy : Strategy", File.ReadAllText(file));

        (code, var output, err) = CliRun.Run("check", "--strategy-file", file, "--scenario", Scenario(dir), "--mode", "pct", "--iterations", "20", "--format", "json");
        Assert.True(code is 1 or 3, err);   // a PCT search proves nothing: unsafe (1) or not refuted (3)
        var check = JsonDocument.Parse(output).RootElement;
        Assert.Equal("FileMine", check.GetProperty("strategy").GetString());
        if (code == 3) Assert.Equal(20, check.GetProperty("executions").GetInt32());   // safe: every execution ran

        (code, output, err) = CliRun.Run("compare", "--strategy-file", file, "--scenario", Scenario(dir), "--format", "json", "--parallel", "1");
        Assert.True(code == 0, err);
        var rows = JsonDocument.Parse(output).RootElement.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(["off", "FileMine"], rows.Select(r => r.GetProperty("strategy").GetString()));
        var mine = rows[1];
        Assert.Equal("break-before-make under init_mm.page_table_lock, IRQs off", mine.GetProperty("title").GetString());
        Assert.Equal(1, mine.GetProperty("runs").GetInt32());
        Assert.Contains(mine.GetProperty("verdict").GetString(), new[] { "not refuted", "unsafe" });
        Assert.Contains(StrategyRegistry.All, s => s.Name == "FileMine");
        Assert.DoesNotContain(StrategyRegistry.BuiltIn, s => s.Name == "FileMine");
    }

    [Fact]
    public void ACompileErrorIsReportedLikeACompilerWithExitTwo()
    {
        var dir = Dir();
        var file = Path.Combine(dir, "FileBroken.cs");
        Assert.Equal(0, CliRun.Run("new", "strategy", "FileBroken", "--out", file).Code);
        var lines = File.ReadAllLines(file).ToList();
        int at = lines.FindIndex(l => l.Contains("await K.PteClear(cpu, u.PtepPa);"));
        lines[at] = lines[at].Replace("await K.PteClear(cpu, u.PtepPa);", "await K.PteClearr(cpu, u.PtepPa);");
        File.WriteAllLines(file, lines);
        var (code, _, err) = CliRun.Run("check", "--strategy-file", file, "--scenario", Scenario(dir));
        Assert.Equal(2, code);
        Assert.Matches(new Regex($@"FileBroken\.cs\({at + 1},\d+\): error CS1061: .*PteClearr"), err);
        Assert.Contains("hvolab: error: --strategy-file", err);
    }

    [Fact]
    public void EveryBuiltInStrategyCopiedWithFromCompilesAndKeepsItsRefusalRule()
    {
        var dir = Dir();
        foreach (var s in StrategyRegistry.BuiltIn)
        {
            var name = "FileCopyOf" + s.Name.Replace("-", "");
            var file = Path.Combine(dir, name + ".cs");
            var (code, _, err) = CliRun.Run("new", "strategy", name, "--from", s.Name, "--out", file);
            Assert.True(code == 0, err);
            var cli = new HvoLab.Cli.CliContext(TextWriter.Null, new StringWriter());
            var loaded = Assert.Single(HvoLab.Cli.StrategyFiles.Load(cli, file));
            var copy = StrategyRegistry.Get(loaded);
            Assert.Equal((s.Title, s.OptionsType?.Name), (copy.Title, copy.OptionsType?.Name));
            var noNmi = new HvoLab.Kernel.SystemConfig(new HvoLab.Arch.MachineConfig { BbmLevel = 0 }, new HvoLab.Kernel.KernelConfig { PseudoNmi = false });
            Assert.Equal(s.Refusal(noNmi), copy.Refusal(noNmi));
        }
    }

    [Fact]
    public void AFileStrategyIsRefusedByItsOwnRuleUnderCheckAndCompare()
    {
        var dir = Dir();
        var file = Path.Combine(dir, "FileNeedsNmi.cs");
        Assert.Equal(0, CliRun.Run("new", "strategy", "FileNeedsNmi", "--from", "D", "--out", file).Code);
        var scenario = Scenario(dir, pseudoNmi: false);
        var (code, _, err) = CliRun.Run("check", "--strategy-file", file, "--scenario", scenario);
        Assert.Equal(4, code);
        Assert.Contains("IRQ priority masking", err);
        (code, var output, err) = CliRun.Run("compare", "--strategy-file", file, "--scenario", scenario, "--format", "json", "--parallel", "1");
        Assert.True(code == 0, err);
        var row = JsonDocument.Parse(output).RootElement.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("strategy").GetString() == "FileNeedsNmi");
        Assert.Equal(("refused", 0), (row.GetProperty("verdict").GetString(), row.GetProperty("runs").GetInt32()));
    }

    /// <summary>The worked example of docs/writing-a-strategy.md, compiled from examples/strategies/DeaconBbm.cs and
    /// checked exhaustively on check-default. Pinned as the model answers: unsafe, a PFN walker takes a translation
    /// fault on a struct page whose vmemmap entry is in its break (the fake-head test itself reads that struct
    /// page, so steering cannot keep walkers off it). Refused where its steering does not exist.</summary>
    [Fact]
    public void DeaconExampleCompilesAndIsCheckedUnsafeWithAKernelFault()
    {
        var root = Path.GetDirectoryName(HvoLab.Experiments.Tests.Scenarios.RepoPaths.ScenariosDir())!;
        var file = Path.Combine(root, "examples", "strategies", "DeaconBbm.cs");
        Assert.True(File.ReadAllLines(file).Length < 100);
        var (code, output, err) = CliRun.Run("check", "--strategy-file", file, "--scenario", Path.Combine(root, "scenarios", "check-default.json"),
            "--format", "json", "--traces", Dir());
        Assert.True(code == 1, err);
        var r = JsonDocument.Parse(output).RootElement;
        Assert.Equal(("deacon-bbm", "unsafe", "kernel-fault"),
            (r.GetProperty("strategy").GetString(), r.GetProperty("verdict").GetString(), r.GetProperty("violations")[0].GetProperty("kind").GetString()));
        var deacon = StrategyRegistry.Get("deacon-bbm");
        Assert.NotNull(deacon.Refusal(new HvoLab.Kernel.SystemConfig(new HvoLab.Arch.MachineConfig(), new HvoLab.Kernel.KernelConfig { Design = HvoLab.Kernel.HvoDesign.SharedTail2026 })));
        Assert.NotNull(deacon.Refusal(new HvoLab.Kernel.SystemConfig(new HvoLab.Arch.MachineConfig(), new HvoLab.Kernel.KernelConfig { Reverted = HvoLab.Kernel.RevertedFix.RcuSync })));
    }
}
