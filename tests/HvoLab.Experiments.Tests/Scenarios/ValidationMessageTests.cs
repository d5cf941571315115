using HvoLab.Experiments.Scenarios;
using Xunit;

namespace HvoLab.Experiments.Tests.Scenarios;

/// <summary>Each rule's message names the JSON path, the bad value and what is allowed.</summary>
public class ValidationMessageTests
{
    [Theory]
    [InlineData("""{"machine":{"cpus":300}}""", "$.machine.cpus: 300 is not allowed; use 1..256")]
    [InlineData("""{"machine":{"cpus":0}}""", "$.machine.cpus: 0 is not allowed; use 1..256")]
    [InlineData("""{"machine":{"cpuss":3}}""", "$.machine.cpuss: unknown field; did you mean \"cpus\"?")]
    [InlineData("""{"machine":{"cpu":"neoverse-n9"}}""", "$.machine.cpu: \"neoverse-n9\" is not allowed; use one of generic-v8.0, cortex-a76, neoverse-n1")]
    [InlineData("""{"machine":{"features":{"hw_ad":true}}}""", "$.machine.features.hw_ad: unknown feature; did you mean \"hw_af\"?")]
    [InlineData("""{"machine":{"errata":["4118415"]}}""", "$.machine.errata[0]: \"4118415\" is not allowed; use \"4118414\", \"1286807\", \"ac03_cpu_38\"")]
    [InlineData("""{"kernel":{"workarounds":["repeat-tlbi"]}}""", "$.kernel.workarounds[0]: \"repeat-tlbi\" is not allowed; use \"repeat_tlbi\"")]
    [InlineData("""{"kernel":{"fail_hugetlb_vmemmap_pte":{"probability":101}}}""", "$.kernel.fail_hugetlb_vmemmap_pte.probability: 101 is not allowed; use 0..100")]
    [InlineData("""{"sceduler":{}}""", "$.sceduler: unknown field; did you mean \"scheduler\"?")]
    [InlineData("""{"machine":{"granule":"8k"}}""", "$.machine.granule: \"8k\" is not allowed; use \"4k\", \"16k\" or \"64k\"")]
    [InlineData("""{"machine":{"memory":"lots"}}""", "$.machine.memory: \"lots\" is not allowed; use a size such as")]
    [InlineData("""{"machine":{"memory":"8TiB"}}""", "$.machine.memory: \"8TiB\" is not allowed; use 16MiB..4TiB")]
    [InlineData("""{"machine":{"bbm_level":3}}""", "$.machine.bbm_level: 3 is not allowed; use 0..2")]
    [InlineData("""{"machine":{"pseudo_nmi":"yes"}}""", "$.machine.pseudo_nmi: \"yes\" is not allowed; use true or false")]
    [InlineData("""{"machine":{"costs":{"tlbi_bse_ns":1}}}""", "$.machine.costs.tlbi_bse_ns: unknown cost; did you mean \"tlbi_base_ns\"?")]
    [InlineData("""{"machine":{"costs":{"dsb_ns":-1}}}""", "$.machine.costs.dsb_ns: -1 is not allowed; use a number >= 0 ns")]
    [InlineData("""{"machine":{"cpus":4},"operations":[{"cpu":4}]}""", "$.operations[0].cpu: 4 is not allowed; use 0..3 (machine.cpus is 4)")]
    [InlineData("""{"operations":[{"op":"split"}]}""", "$.operations[0].op: \"split\" is not allowed; use \"alloc\", \"free\", \"demote\"")]
    [InlineData("""{"operations":[{"count":0}]}""", "$.operations[0].count: 0 is not allowed; use 1..10000000")]
    [InlineData("""{"operations":[{"hugepage":"512MiB"}]}""", "$.operations[0].hugepage: \"512MiB\" is not allowed; use \"64KiB\", \"2MiB\", \"32MiB\", \"1GiB\" (hugetlb sizes with a 4k granule)")]
    [InlineData("""{"operations":[{"hugepage":"2XB"}]}""", "$.operations[0].hugepage: \"2XB\" is not allowed; use a size such as")]
    [InlineData("""{"operations":[{"op":"demote","hugepage":"1GiB"}]}""", "$.operations[0].demote_to: missing; a demote needs the target size")]
    [InlineData("""{"operations":[{"op":"demote","hugepage":"2MiB","demote_to":"1GiB"}]}""", "$.operations[0].demote_to: \"1GiB\" is not allowed; use \"64KiB\"")]
    [InlineData("""{"operations":[{"op":"free","demote_to":"2MiB"}]}""", "$.operations[0].demote_to: only allowed when \"op\" is \"demote\"")]
    [InlineData("""{"operations":[{"count":600,"hugepage":"1GiB"}]}""", "$.operations[0].count: 600 is not allowed; 600 × 1GiB exceeds machine.memory (64GiB); use at most 64")]
    [InlineData("""{"workload":[{"cpus":"1-99"}]}""", "$.workload[0].cpus: CPU 64 is not allowed; use 0..63 (machine.cpus is 64)")]
    [InlineData("""{"workload":[{"cpus":[1,2]},{"cpus":"2-3"}]}""", "$.workload[1].cpus: CPU 2 is not allowed; it already runs $.workload[0]")]
    [InlineData("""{"workload":[{"cpus":"3-1"}]}""", "$.workload[0].cpus: \"3-1\" is not allowed; use an array of CPU numbers")]
    [InlineData("""{"workload":[{"kind":"pfn-walkr"}]}""", "$.workload[0].kind: \"pfn-walkr\" is not allowed; use \"pfn-walker\"")]
    [InlineData("""{"workload":[{"irq_off_ns":{"min":10,"max":5}}]}""", "$.workload[0].irq_off_ns.max: 5 is not allowed; use a number >= min (10)")]
    [InlineData("""{"strategies":["F"]}""", "$.strategies[0]: \"F\" is not allowed; use \"off\", \"unsafe\", \"A\"")]   // strategies loaded from files by other tests may follow the built-ins
    [InlineData("""{"strategies":["a","A"]}""", "$.strategies[1]: \"A\" is listed twice")]
    [InlineData("""{"strategy_options":{"D":{"ipi":"fiq"}}}""", "$.strategy_options.D.ipi: \"fiq\" is not allowed; use \"nmi\", \"irq\"")]
    [InlineData("""{"scheduler":{"mode":"dfs"}}""", "$.scheduler.mode: \"dfs\" is not allowed; use \"timed\", \"exhaustive\", \"pct\", \"random\"")]
    [InlineData("""{"scheduler":{"seeds":0}}""", "$.scheduler.seeds: 0 is not allowed; use 1..100000")]
    [InlineData("""{"kernel":{"revert_fix":["rcu"]}}""", "$.kernel.revert_fix[0]: \"rcu\" is not allowed; use \"rcu-sync\", \"pmd-split-lock\", \"free-before-flush\"")]
    [InlineData("""{"seed":-1}""", "$.seed: -1 is not allowed; use an unsigned integer")]
    [InlineData("""{"name":"a","name":"b"}""", "$.name: duplicate field; give it once")]
    [InlineData("""[]""", "$: [] is not allowed; use an object with fields name, description")]
    public void MessageNamesPathValueAndAllowed(string json, string expectedPrefix)
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse(json));
        Assert.StartsWith(expectedPrefix, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void MalformedJsonGivesLineAndPosition()
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse("{\n  \"machine\": {\n    \"cpus\": 3,\n  }\n}"));
        Assert.StartsWith("$: malformed JSON at line 4, position ", e.Message);
        Assert.Equal("$", e.JsonPath);
    }

    [Fact]
    public void UnknownFieldWithoutCloseMatchListsAllowedFields()
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse("""{"machine":{"zzzzzzzz":1}}"""));
        Assert.Equal("$.machine.zzzzzzzz: unknown field; allowed: cpus, granule, bbm_level, tlbi_range, pseudo_nmi, memory, memory_model, cpu, features, errata, costs", e.Message);
    }
}
