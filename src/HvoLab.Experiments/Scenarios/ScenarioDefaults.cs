using HvoLab.Arch;

namespace HvoLab.Experiments.Scenarios;

/// <summary>
/// Every default and every limit of the scenario format, in one place. An omitted field takes the value here, so
/// "{}" resolves to the embedded default scenario (scenarios/default.json): a 64-CPU 4K arm64 server with pseudo-NMI
/// and no FEAT_BBM, where CPU0 allocates then frees 64 × 2 MiB while readers of struct page run elsewhere.
/// Omitted lists ("operations", "workload") take the default list; an explicit [] means "none".
/// </summary>
public static class ScenarioDefaults
{
    public const string Name = "default";
    public const ulong Seed = 1;

    /// <summary>MaxCpus is the machine model's cpumask width, so the scenario cannot ask for more CPUs than Arch can hold.</summary>
    public const int Cpus = 64, MinCpus = 1, MaxCpus = CpuMask.MaxCpus;
    public static Granule Granule => Granule.K4;
    public const int MaxBbmLevel = 2;
    public const ulong MemoryBytes = 64UL << 30;
    /// <summary>Smallest memory that holds one 1 GiB page plus the kernel; largest the model's 48-bit VA arithmetic
    /// and the shadow state comfortably handle.</summary>
    public const ulong MinMemoryBytes = 16UL << 20, MaxMemoryBytes = 4UL << 40;

    public const int MaxCount = 10_000_000;
    public const double PeriodNs = 1_000;

    public const int Seeds = 5, MaxSeeds = 100_000;
    public const int Iterations = 1_000;
    /// <summary>PCT's d: d−1 priority change points per execution; beyond 100 the search is a random walk anyway
    /// and larger values overflow the scheduler's priorities (fuzz regression pct-depth-huge.json).</summary>
    public const int PctDepth = 3, MaxPctDepth = 100;
    public const int MaxExecutions = 100_000;
    /// <summary>Same as HvoLab.Engine.SimOptions.StepBudget.</summary>
    public const long StepBudget = 200_000_000;
    public const double WallSeconds = 300;
    public const double MaxWallSeconds = 604_800;

    public static readonly IReadOnlyList<OperationSpec> Operations =
    [
        new() { Cpu = 0, Op = OperationKind.Alloc, Count = 64, HugepageBytes = 2UL << 20, Batched = true },
        new() { Cpu = 0, Op = OperationKind.Free, Count = 64, HugepageBytes = 2UL << 20, Batched = true },
    ];

    /// <summary>Unresolved: CPU lists are filled in against the machine by the loader.</summary>
    public static readonly IReadOnlyList<WorkloadSpec> Workload =
    [
        new() { CpusText = "1-3", Kind = WorkloadKind.PfnWalker },
        new() { CpusText = "4-7", Kind = WorkloadKind.GupFast },
        new() { CpusText = "8", Kind = WorkloadKind.NmiReader },
        new() { CpusText = CpuSets.Others, Kind = WorkloadKind.Background, IrqOffNs = new NsRange(1_000, 20_000) },
    ];
}
