using System.Text.Json.Nodes;
using CsCheck;
using HvoLab.Experiments.Checking;
using HvoLab.Experiments.Running;
using HvoLab.Experiments.Scenarios;
using Xunit;

namespace HvoLab.Experiments.Tests.Comparison;

/// <summary>
/// Issue #19 defect 2: HVO off cannot corrupt a struct page or deadlock, so "off" must never show a violation, and a
/// strategy must never show one "off" lacks on the same scenario, readers and seed. The two reports are pinned as
/// scenarios; then a property over fuzzed valid multi-updater scenarios with readers on every kind of CPU.
/// </summary>
public sealed class BaselineTests
{
    /// <summary>Report 1: 4 CPUs; CPU0 allocates then frees 2 × 2 MiB; PFN walker (1 µs), NMI reader, background load
    /// with 1–5 µs IRQ-off sections. "off" showed wrong-struct-page: the folio registry (the monitors' truth) dropped
    /// the folio before destroy_compound's stores, so a reader that saw the still-valid compound_head was flagged.</summary>
    public const string Report1 = """
    { "name": "issue19-baseline-1", "machine": { "cpus": 4, "granule": "4k", "memory": "1GiB" },
      "operations": [ { "cpu": 0, "op": "alloc", "count": 2, "hugepage": "2MiB" }, { "cpu": 0, "op": "free", "count": 2, "hugepage": "2MiB" } ],
      "workload": [ { "cpus": [1], "kind": "pfn-walker", "period_ns": 1000 }, { "cpus": [2], "kind": "nmi-reader" },
                    { "cpus": "others", "kind": "background", "irq_off_ns": { "min": 1000, "max": 5000 } } ],
      "scheduler": { "mode": "timed", "seeds": 1 } }
    """;

    /// <summary>Report 2: 2 CPUs; CPU0 allocates, CPU1 frees one 2 MiB folio; NMI reader on CPU0, PFN walker on CPU1.
    /// "off" showed a deadlock in searches: the walker's page history (its owner releases it just before HVO takes it)
    /// assumed one updater, but CPU1's pool set-up allocated the "in use" page first and reset its refcount.</summary>
    public const string Report2 = """
    { "name": "issue19-baseline-2", "machine": { "cpus": 2, "granule": "4k", "memory": "1GiB" },
      "operations": [ { "cpu": 0, "op": "alloc", "count": 1, "hugepage": "2MiB" }, { "cpu": 1, "op": "free", "count": 1, "hugepage": "2MiB" } ],
      "workload": [ { "cpus": [0], "kind": "nmi-reader" }, { "cpus": [1], "kind": "pfn-walker" } ],
      "scheduler": { "mode": "timed", "seeds": 1 } }
    """;

    [Theory]
    [InlineData(Report1)]
    [InlineData(Report2)]
    public void ReportedScenariosLeaveTheBaselineSafe(string json)
    {
        var s = ScenarioLoader.Parse(json);
        for (ulong seed = 1; seed <= 3; seed++)
            foreach (var strategy in new[] { "off", "B", "D" })
                Assert.Empty(TimedRunner.RunOne(s, strategy, seed).Violations.Select(v => $"{strategy} seed {seed}: {v.Kind}: {v.Explanation}"));
        foreach (var mode in new[] { SchedulerMode.Pct, SchedulerMode.Random })
        {
            var r = CheckRunner.Check(s, "off", new CheckOptions { Mode = mode, Iterations = 200, Seed = 1 });
            Assert.True(r.Verdict is Verdict.Proved or Verdict.NotRefuted, $"off {mode}: {string.Join("; ", r.Violations.Select(v => v.Kind + ": " + v.Explanation))}");
        }
    }

    /// <summary>Property input 75 (HVOLAB_BASELINE_INPUTS=200): B's NMI reader faults in the BBM window (allowed, see
    /// <see cref="KnownBbmWindowHazard"/>) before any operation ends, so the measuring window never closed and the reader
    /// throughput came out as -3.4e16 per µs. It is now measured to the end of the run.</summary>
    [Fact]
    public void ThroughputOfARunStoppedBeforeAnyOperationEndedIsFiniteAndNonNegative()
    {
        var s = ScenarioLoader.Parse("""
        { "name": "baseline-property", "seed": 635, "machine": { "cpus": 2, "granule": "64k", "pseudo_nmi": true, "memory": "4GiB" },
          "operations": [ { "cpu": 0, "op": "free", "count": 1, "hugepage": "512MiB" }, { "cpu": 0, "op": "alloc", "count": 1, "hugepage": "512MiB" },
                          { "cpu": 0, "op": "alloc", "count": 2, "hugepage": "512MiB" } ],
          "workload": [ { "cpus": "0", "kind": "nmi-reader", "period_ns": 700 }, { "cpus": "1", "kind": "pfn-walker", "period_ns": 1000 } ],
          "scheduler": { "mode": "timed", "seeds": 1, "step_budget": 5000000 } }
        """);
        var m = TimedRunner.RunOne(s, "B", s.Seed);
        Assert.Contains(m.Violations, v => v.Kind == "kernel-fault");
        Assert.Empty(m.OperationLatencyNs);
        Assert.True(double.IsFinite(m.ReaderThroughputPerUs) && m.ReaderThroughputPerUs >= 0, $"throughput {m.ReaderThroughputPerUs}");
        Assert.Null(Check(ScenarioLoader.Serialize(s)));
    }

    /// <summary>Valid timed scenarios like the reports: 2–4 CPUs, one or two updaters doing alloc/free, every reader
    /// kind on the other CPUs and NMI readers on updaters, background load with IRQ-off sections.</summary>
    public static readonly Gen<string> Scenarios =
        Gen.Select(Gen.Int[2, 4], Gen.Int[0, 2], Gen.Int[1, 3], Gen.Bool, Gen.Int[0, 4].Array[4], Gen.Int[0, 2].Array[3], Gen.ULong[1, 1000])
        .Select((cpus, g, nops, twoUpdaters, kinds, opKinds, seed) =>
        {
            string[] hp = ["2MiB", "32MiB", "512MiB"];
            var ops = new JsonArray();
            for (int i = 0; i < nops; i++)
                ops.Add(new JsonObject { ["cpu"] = twoUpdaters && i == 1 ? 1 : 0, ["op"] = opKinds[i] == 0 ? "free" : "alloc", ["count"] = 1 + opKinds[i] % 2, ["hugepage"] = hp[g] });
            string[] readers = ["pfn-walker", "gup-fast", "memory-failure", "nmi-reader", "background"];
            var workload = new JsonArray { new JsonObject { ["cpus"] = "0", ["kind"] = "nmi-reader", ["period_ns"] = 700 } };
            for (int c = 1; c < cpus; c++)
            {
                var w = new JsonObject { ["cpus"] = c.ToString(System.Globalization.CultureInfo.InvariantCulture), ["kind"] = readers[kinds[c]], ["period_ns"] = 1000 };
                if (kinds[c] == 4) w["irq_off_ns"] = new JsonObject { ["min"] = 1000, ["max"] = 5000 };
                workload.Add(w);
            }
            return new JsonObject
            {
                ["name"] = "baseline-property", ["seed"] = seed,
                ["machine"] = new JsonObject { ["cpus"] = cpus, ["granule"] = new[] { "4k", "16k", "64k" }[g], ["pseudo_nmi"] = true, ["memory"] = "4GiB" },
                ["operations"] = ops, ["workload"] = workload,
                ["scheduler"] = new JsonObject { ["mode"] = "timed", ["seeds"] = 1, ["step_budget"] = 5_000_000 },
            }.ToJsonString();
        });

    /// <summary>The property: off has no violation; B and D have none off lacks (but the known BBM-window NMI fault);
    /// every timed metric is finite and
    /// non-negative. CI checks a fixed set (input i from PCG stream 2, seed i); HVOLAB_BASELINE_INPUTS=N checks N.</summary>
    [Fact]
    public void BaselineIsNeverUnsafeOnFuzzedScenarios()
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("HVOLAB_BASELINE_INPUTS"), out var n) ? n : 20;
        int valid = 0;
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            var json = Scenarios.Generate(new PCG(2, (ulong)i), null, out _);
            // The property is about valid scenarios; a few draws ask for more 512 MiB pages than 4 GiB holds.
            try { ScenarioLoader.Parse(json); }
            catch (ScenarioException) { return; }
            Interlocked.Increment(ref valid);
            var failure = Check(json);
            if (failure is not null) throw new Exception($"baseline input {i}: {failure}\n{json}");
        });
        Assert.True(valid >= count * 9 / 10, $"only {valid} of {count} inputs valid: the generator no longer reaches the runner");
    }

    /// <summary>The one violation B and D are known to have and off cannot: a pseudo-NMI handler that reads the vmemmap
    /// inside the break-before-make window faults on the invalid PTE. D pauses the other CPUs inside an NMI, so only
    /// the updater's own CPU is exposed (docs/strategies.md, scenarios/check-nmi-on-updater.json); B's stop_machine
    /// masks interrupts, not NMIs, so every CPU is (found by this property; docs/reliability.md).</summary>
    private static bool KnownBbmWindowHazard(Scenario s, string strategy, HvoLab.Engine.Violation v) =>
        v.Kind == "kernel-fault" && v.Explanation.Contains("in Nmi context", StringComparison.Ordinal)
        && (strategy == "B" || v.Cpus.All(c => s.Operations.Any(o => o.Cpu == c)));

    public static string? Check(string json)
    {
        var s = ScenarioLoader.Parse(json);
        var off = TimedRunner.RunOne(s, "off", s.Seed);
        if (off.Violations.Count > 0) return $"off: {off.Violations[0].Kind}: {off.Violations[0].Explanation}";
        var offKinds = off.Violations.Select(v => v.Kind).ToHashSet();
        foreach (var strategy in new[] { "off", "B", "D" })
        {
            var m = strategy == "off" ? off : TimedRunner.RunOne(s, strategy, s.Seed);
            if (m.Violations.FirstOrDefault(v => !offKinds.Contains(v.Kind) && !KnownBbmWindowHazard(s, strategy, v)) is { } extra)
                return $"{strategy}: {extra.Kind} that off lacks: {extra.Explanation}";
            double[] metrics = [.. m.OperationLatencyNs, .. m.PerFolioLatencyNs, .. m.RemoteStallNs, m.UninterruptibleMaxNs, m.ReaderThroughputPerUs, m.EndTimeNs, m.MemorySavedBytes, m.Ipis, m.Tlbis, m.Faults];
            if (metrics.FirstOrDefault(x => !double.IsFinite(x) || x < 0, 0) is var bad && (!double.IsFinite(bad) || bad < 0))
                return $"{strategy}: a timed metric is {bad}";
        }
        return null;
    }
}
