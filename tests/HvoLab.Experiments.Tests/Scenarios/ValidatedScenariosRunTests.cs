using HvoLab.Experiments.Comparison;
using HvoLab.Experiments.Running;
using HvoLab.Experiments.Scenarios;
using Xunit;

namespace HvoLab.Experiments.Tests.Scenarios;

/// <summary>Issue #19 defects 3 and 4: what validates must run, and sizes never overflow into an internal error.</summary>
public sealed class ValidatedScenariosRunTests
{
    private static string Error(string json) => Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse(json)).Message;

    [Fact]
    public void MemoryTooSmallToBootIsRejectedWithTheMinimum()
    {
        // 16K and 64K kernels boot in the format's smallest memory (16 MiB); a 4K one needs its 2 MiB vmemmap blocks.
        const string granule = "4k", minimum = "36MiB";
        var e = Error($$"""{"machine":{"cpus":2,"granule":"{{granule}}","memory":"16MiB"},"operations":[],"workload":[{"cpus":"1","kind":"pfn-walker"}]}""");
        Assert.Equal($"$.machine.memory: \"16MiB\" is not allowed; use at least {minimum} (the vmemmap and boot page tables of a {granule} kernel do not fit)", e);
        // The minimum itself boots and runs.
        var s = ScenarioLoader.Parse($$"""{"machine":{"cpus":2,"granule":"{{granule}}","memory":"{{minimum}}"},"operations":[{"cpu":0,"op":"alloc","hugepage":"64KiB"}],"workload":[]}""".Replace("64KiB", granule == "4k" ? "64KiB" : "2MiB"));
        Assert.NotNull(TimedRunner.RunOne(s, "off", 1));
    }

    [Fact]
    public void PoolLargerThanThePageAllocatorIsRejected()
    {
        var e = Error("""{"machine":{"cpus":2,"memory":"64MiB"},"operations":[{"cpu":0,"op":"alloc","count":31,"hugepage":"2MiB"}],"workload":[]}""");
        Assert.StartsWith("$.machine.memory: \"64MiB\" is not allowed; the operations need 64MiB from the page allocator", e);
    }

    [Fact]
    public void NothingToRunIsRejected()
    {
        Assert.StartsWith("$.operations: [] is not allowed when no workload runs on any CPU",
            Error("""{"machine":{"cpus":4},"operations":[],"workload":[]}"""));
    }

    [Fact]
    public void ReadersWithoutOperationsRunAndCompare()
    {
        // Validated before, then compare failed with "Index was out of range" (VerdictCheck indexed operations[0]).
        var s = ScenarioLoader.Parse("""{"machine":{"cpus":3,"memory":"1GiB"},"operations":[],"workload":[{"cpus":"1","kind":"pfn-walker"}],"scheduler":{"seeds":1,"step_budget":200000}}""");
        var derived = VerdictCheck.Derive(s);
        Assert.Single(derived.Operations);
        Assert.NotNull(TimedRunner.RunOne(s, "off", 1));
    }

    [Theory]
    [InlineData("999999999999999999999TiB")]
    [InlineData("99999999999999999999GiB")]
    [InlineData("18446744073709551616")]
    [InlineData("16777216TiB")]
    public void HugeSizesAreNotAllowedNotInternalErrors(string size)
    {
        Assert.False(Units.TryParseSize(size, out _));
        Assert.StartsWith("$.machine.memory: ", Error("{\"machine\":{\"memory\":\"" + size + "\"}}"));
        foreach (var args in new[]
        {
            new[] { "savings", "--memory", size }, ["compare", "--hugepage", size, "--seeds", "1"],
            ["sweep", "--param", $"hugepage={size}", "--out", Path.Combine(Path.GetTempPath(), "never-written.jsonl")],
        })
        {
            var (code, _, err) = CliRun.Run(args);
            Assert.Equal(2, code);
            Assert.StartsWith("hvolab: error: ", err);
            Assert.Contains(size, err);
        }
    }
}
