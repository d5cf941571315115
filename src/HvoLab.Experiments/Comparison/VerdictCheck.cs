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

    /// <summary>A typed edit of <paramref name="s"/>, resolved and checked like a file (<see cref="ScenarioEdits.Edit"/>).</summary>
    public static Scenario Derive(Scenario s) => ScenarioEdits.Edit(s, spec => Derive(spec, s.Machine.PseudoNmi));

    private static ScenarioSpec Derive(ScenarioSpec s, bool pseudoNmi)
    {
        // A scenario without operations (only readers) still gets a verdict about one allocation.
        var first = s.Operations.Count > 0 ? s.Operations[0]
            : new OperationSpec { Cpu = 0, Op = OperationKind.Alloc, HugepageBytes = 2UL << 20 };
        return s with
        {
            // Enough memory for a couple of the folios involved, but no more: set-up cost grows with memory.
            Machine = s.Machine with { Cpus = Cpus, MemoryBytes = Math.Max(1UL << 30, 4 * first.HugepageBytes) },
            Operations = [first with { Cpu = 0, Count = 1, AtNs = 0 }],
            Workload =
            [
                new WorkloadSpec { CpusText = "1", Kind = WorkloadKind.PfnWalker, PeriodNs = 200 },
                new WorkloadSpec { CpusText = "2", Kind = pseudoNmi ? WorkloadKind.NmiReader : WorkloadKind.GupFast, PeriodNs = 200 },
            ],
            // The user's per-execution budgets still hold in the derived search (fuzz regression compare-verdict-budgets.json).
            Scheduler = new SchedulerSpec
            {
                Mode = SchedulerMode.Pct, Iterations = DefaultIterations, Seeds = 1,
                StepBudget = s.Scheduler.StepBudget, WallSeconds = s.Scheduler.WallSeconds,
            },
        };
    }

    /// <summary>Bounded PCT search of <paramref name="v"/> on the derived configuration.</summary>
    public static CheckResult Run(Scenario derived, StrategyVariant v, int iterations = DefaultIterations) =>
        CheckRunner.Check(derived, v.Strategy, new CheckOptions
        {
            Mode = SchedulerMode.Pct, Iterations = iterations, Seed = Seed, WallSeconds = 600, StrategyOptions = v.Options,
        });
}
