using System.Text.Json.Nodes;
using HvoLab.Experiments.Checking;
using HvoLab.Experiments.Scenarios;

namespace HvoLab.Experiments.Comparison;

/// <summary>
/// The safety verdict shown beside the costs. A timed run only sees the interleavings its costs happen to produce,
/// so compare also runs a bounded search on a small configuration derived from the scenario: same machine features,
/// kernel and strategy options, 3 CPUs, one folio of the first operation, a PFN walker and an NMI reader of struct
/// page, PCT with a fixed seed. Fixed seed and iteration count (no wall-clock cut-off in practice) keep it
/// reproducible across runs and thread counts.
/// </summary>
public static class VerdictCheck
{
    public const int DefaultIterations = 300;
    public const ulong Seed = 1;
    /// <summary>CPUs of the derived configuration (updater, PFN walker, NMI or GUP-fast reader).</summary>
    public const int Cpus = 3;

    public static Scenario Derive(Scenario s)
    {
        var root = JsonNode.Parse(ScenarioLoader.Serialize(s))!.AsObject();
        var machine = root["machine"]!.AsObject();
        machine["cpus"] = Cpus;
        var first = s.Operations.FirstOrDefault() ?? ScenarioDefaults.Operations[0];
        // Enough memory for a couple of the folios involved, but no more: set-up cost grows with memory.
        machine["memory"] = Units.FormatSize(Math.Max(1UL << 30, 4 * first.HugepageBytes));
        var op = JsonNode.Parse(root["operations"]!.AsArray()[0]?.ToJsonString() ?? "{}")!.AsObject();
        if (s.Operations.Count == 0)
            op = new JsonObject { ["cpu"] = 0, ["op"] = "alloc", ["hugepage"] = "2MiB" };
        op["cpu"] = 0;
        op["count"] = 1;
        op["at_ns"] = 0;
        root["operations"] = new JsonArray(op);
        var workload = new JsonArray(new JsonObject { ["cpus"] = "1", ["kind"] = WorkloadKinds.PfnWalker, ["period_ns"] = 200 });
        workload.Add(new JsonObject { ["cpus"] = "2", ["kind"] = s.Machine.PseudoNmi ? WorkloadKinds.NmiReader : WorkloadKinds.GupFast, ["period_ns"] = 200 });
        root["workload"] = workload;
        // The user's per-execution budgets still hold in the derived search (fuzz regression compare-verdict-budgets.json).
        root["scheduler"] = new JsonObject
        {
            ["mode"] = SchedulerModes.Pct, ["iterations"] = DefaultIterations, ["seeds"] = 1,
            ["step_budget"] = s.Scheduler.StepBudget, ["wall_seconds"] = s.Scheduler.WallSeconds,
        };
        return ScenarioLoader.Parse(root.ToJsonString());
    }

    /// <summary>Bounded PCT search of <paramref name="v"/> on the derived configuration.</summary>
    public static CheckResult Run(Scenario derived, StrategyVariant v, int iterations = DefaultIterations) =>
        CheckRunner.Check(derived, v.Strategy, new CheckOptions
        {
            Mode = SchedulerModes.Pct, Iterations = iterations, Seed = Seed, WallSeconds = 600, StrategyOptions = v.Options,
        });
}
