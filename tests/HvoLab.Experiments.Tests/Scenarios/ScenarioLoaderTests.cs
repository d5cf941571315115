using HvoLab.Strategies;
using HvoLab.Arch;
using HvoLab.Experiments.Scenarios;
using Xunit;

namespace HvoLab.Experiments.Tests.Scenarios;

public class ScenarioLoaderTests
{
    [Theory]
    [MemberData(nameof(RepoPaths.ExampleFiles), MemberType = typeof(RepoPaths))]
    public void EveryExampleLoadsHasADescriptionAndRoundTrips(string file)
    {
        var s = ScenarioLoader.Load(Path.Combine(RepoPaths.ScenariosDir(), file));
        Assert.False(string.IsNullOrWhiteSpace(s.Description));
        Assert.Equal(Path.GetFileNameWithoutExtension(file), s.Name);
        var once = ScenarioLoader.Serialize(s);
        Assert.Equal(once, ScenarioLoader.Serialize(ScenarioLoader.Parse(once)));
    }

    [Fact]
    public void EmptyObjectIsTheDefaultScenario()
    {
        var s = ScenarioLoader.Parse("{}");
        Assert.Equal(64, s.Machine.Cpus);
        Assert.Same(Granule.K4, s.Machine.Granule);
        Assert.Equal(64UL << 30, s.Machine.MemoryBytes);
        Assert.True(s.Machine.PseudoNmi);
        Assert.Equal(1UL, s.Seed);
        Assert.Equal(StrategyRegistry.BuiltIn.Select(x => x.Name), s.Strategies);
        Assert.Equal(5, s.Scheduler.Seeds);
        Assert.Equal([OperationKind.Alloc, OperationKind.Free], s.Operations.Select(o => o.Op));
        Assert.All(s.Operations, o => Assert.Equal(2UL << 20, o.HugepageBytes));
        Assert.Equal(Enumerable.Range(9, 55), s.Workload[^1].Cpus);
        var embedded = ScenarioEdits.Edit(ScenarioLoader.Default(), x => x with { Description = null });
        Assert.Equal(ScenarioLoader.Serialize(s), ScenarioLoader.Serialize(embedded));
    }

    [Fact]
    public void EmbeddedDefaultMatchesTheBrief()
    {
        var s = ScenarioLoader.Default();
        Assert.Equal([1, 2, 3], s.Workload.Single(w => w.Kind == WorkloadKind.PfnWalker).Cpus);
        Assert.Equal([4, 5, 6, 7], s.Workload.Single(w => w.Kind == WorkloadKind.GupFast).Cpus);
        Assert.Equal([8], s.Workload.Single(w => w.Kind == WorkloadKind.NmiReader).Cpus);
        Assert.Equal(new NsRange(1000, 20000), s.Workload.Single(w => w.Kind == WorkloadKind.Background).IrqOffNs);
        Assert.Equal(ScenarioLoader.DefaultJson(), File.ReadAllText(Path.Combine(RepoPaths.ScenariosDir(), "default.json")));
    }

    [Fact]
    public void SmallMachineClipsTheDefaultWorkload()
    {
        var s = ScenarioLoader.Parse("""{"machine":{"cpus":4}}""");
        Assert.Equal([[1, 2, 3]], s.Workload.Where(w => w.CpusText != CpuSets.Others).Select(w => w.Cpus.ToArray()));
        Assert.Empty(s.Workload.Single(w => w.CpusText == CpuSets.Others).Cpus);
    }

    [Fact]
    public void ParsedHelpersAndCanonicalForms()
    {
        var s = ScenarioLoader.Parse("""
            { "machine": { "granule": "16K", "memory": 1099511627776, "costs": { "tlbi_base_ns": 700, "AtomicNs": 40 } },
              "operations": [ { "cpu": 1, "op": "demote", "hugepage": "1GiB", "demote_to": "32M" } ],
              "workload": [ { "cpus": [5, 3, 4], "kind": "gup-fast" } ],
              "strategies": ["d", "OURS"] }
            """);
        Assert.Same(Granule.K16, s.Machine.Granule);
        Assert.Equal(1UL << 40, s.Machine.MemoryBytes);
        Assert.Equal(700, s.Machine.CostModel().Hardware.TlbiBaseNs);
        Assert.Equal(40, s.Machine.CostModel().Hardware.AtomicNs);
        Assert.Equal(32UL << 20, s.Operations[0].DemoteToBytes);
        Assert.Equal("3-5", s.Workload[0].CpusText);
        Assert.Equal([3, 4, 5], s.Workload[0].Cpus);
        Assert.Equal(["D", "ours"], s.Strategies);
        var json = ScenarioLoader.Serialize(s);
        Assert.Contains("\"tlbi_base_ns\": 700", json);
        Assert.Contains("\"memory\": \"1TiB\"", json);
    }

    [Fact]
    public void NonOptimisableSizeIsAWarningNotAnError()
    {
        var s = ScenarioLoader.Parse("""{"operations":[{"op":"alloc","hugepage":"64KiB"}]}""");
        var w = Assert.Single(s.Warnings);
        Assert.Contains("$.operations[0].hugepage", w);
        Assert.Contains("contiguous-PTE size, HVO frees nothing (kernel-hvo.md §1)", w);
        Assert.Contains("off", s.RunnableStrategies);
        Assert.Contains("contiguous-PTE", Assert.Single(ScenarioLoader.Parse("""{"machine":{"granule":"64k"}, "operations":[{"hugepage":"2MiB"}]}""").Warnings));
    }

    [Fact]
    public void RefusalsAndTheirEscapes()
    {
        var c = ScenarioLoader.Parse("""{"strategies":["C"]}""");
        Assert.Equal("C needs FEAT_BBM level 2 to split the vmemmap PMD without a break (seed-series.md §5.1)", Assert.Single(c.Refusals).Reason);
        Assert.Empty(c.RunnableStrategies);
        Assert.Empty(ScenarioLoader.Parse("""{"strategies":["C"], "strategy_options":{"C":{"force":true}}}""").Refusals);
        Assert.Empty(ScenarioLoader.Parse("""{"strategies":["C"], "machine":{"bbm_level":2}}""").Refusals);
        Assert.Empty(ScenarioLoader.Parse("""{"strategies":["C"], "machine":{"granule":"64k"}, "operations":[{"hugepage":"512MiB"}]}""").Refusals);

        var d = ScenarioLoader.Parse("""{"strategies":["D"], "machine":{"pseudo_nmi":false}}""");
        Assert.Equal(new Refusal("D", "the series enables HVO only when the system uses IRQ priority masking (vmemmap_update_supported())"), Assert.Single(d.Refusals));
        Assert.Empty(ScenarioLoader.Parse("""{"strategies":["D"], "machine":{"pseudo_nmi":false}, "strategy_options":{"D":{"ipi":"irq"}}}""").Refusals);
    }

    [Fact]
    public void LoadOfMissingFileNamesTheOptionAndPath()
    {
        var e = Assert.Throws<HvoLab.Engine.Host.HostFileException>(() => ScenarioLoader.Load("/nonexistent/dir/x.json"));
        Assert.Equal("--scenario: \"/nonexistent/dir/x.json\" does not exist; give a regular file", e.Message);
    }
}
