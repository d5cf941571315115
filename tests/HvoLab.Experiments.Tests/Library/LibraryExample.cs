// <example>
using HvoLab.Engine;
using HvoLab.Experiments.Checking;
using HvoLab.Experiments.Comparison;
using HvoLab.Experiments.Scenarios;
using HvoLab.Kernel;
using HvoLab.Strategies;

namespace MyLab;

/// <summary>A strategy of this program: break-before-make of each PTE range inside stop_machine().</summary>
public sealed class StoppedRange : Strategy
{
    public override string Name => "stopped-range";
    public override string Title => "one stop_machine() per PTE range";
    public override string Needs => "nothing";
    public override string Source => "docs/library.md";
    public override VmemmapFlags ArchTlbFlushFlags => VmemmapFlags.RemapNoTlbFlush;

    public override SimTask UpdatePteRange(Cpu cpu, ulong start, ulong end, IReadOnlyList<PteUpdate> updates) =>
        K.StopMachine(cpu, async c =>
        {
            foreach (var u in updates) await K.PteClear(c, u.PtepPa);
            await K.FlushTlbKernelRange(c, start, end);
            foreach (var u in updates) await K.SetPte(c, u.PtepPa, u.NewPte);
        });
}

public static class LabScript
{
    /// <summary>A custom scenario, its verdict for the custom strategy, and its costs beside off and D.</summary>
    public static (CheckResult Check, ComparisonResult Compare) Run(TextWriter output)
    {
        StrategyRegistry.Add(typeof(StoppedRange).Assembly);
        var scenario = ScenarioLoader.Parse("""
            {
              "name": "four-cpus",
              "machine": { "cpus": 4, "memory": "1GiB" },
              "operations": [ { "cpu": 0, "op": "alloc", "count": 2, "hugepage": "2MiB" } ],
              "workload": [ { "cpus": "1-2", "kind": "pfn-walker", "period_ns": 500 }, { "cpus": [3], "kind": "nmi-reader", "period_ns": 500 } ],
              "strategies": [ "off", "D", "stopped-range" ],
              "scheduler": { "seeds": 2 }
            }
            """);
        var check = CheckRunner.Check(scenario, "stopped-range", new CheckOptions { Mode = SchedulerMode.Pct, Iterations = 30 });
        output.WriteLine($"stopped-range: {check.Verdict.Word()} after {check.Executions} executions");
        var compare = Comparer.Run(scenario, new CompareOptions { Parallel = 1, CheckIterations = 30 });
        foreach (var row in compare.Rows)
            output.WriteLine($"{row.Strategy,-14} {row.Verdict.Word(),-8} updater p50 {row.UpdaterLatencyNs.P50 / 1000:F1} µs, remote stall p99 {row.RemoteStallNs.P99 / 1000:F1} µs");
        return (check, compare);
    }
}
// </example>
