using HvoLab.Arch;
using HvoLab.Kernel;
using HvoLab.Strategies;

namespace HvoLab.Experiments.Scenarios;

/// <summary>
/// A scenario as written: one record per JSON object of the file, one property per field (<see cref="ScenarioFieldTable"/>
/// lists them with their JSON names, types, ranges and defaults). Values are range-checked; nothing is derived here:
/// the CPU profile is not applied, CPU sets are not expanded, and a field the file omits where omission means more than
/// a default (machine.bbm_level under a profile, "workload") is null. <see cref="ScenarioResolver"/> turns a spec into the
/// <see cref="Scenario"/> that runs; command-line overrides are <c>with</c> expressions on a spec (<see cref="ScenarioEdits"/>).
/// </summary>
public sealed record ScenarioSpec
{
    public string Name { get; init; } = ScenarioDefaults.Name;
    public string? Description { get; init; }
    public ulong Seed { get; init; } = ScenarioDefaults.Seed;
    public MachineSpec Machine { get; init; } = new();
    public KernelSpec Kernel { get; init; } = new();
    public IReadOnlyList<OperationSpec> Operations { get; init; } = ScenarioDefaults.Operations;
    /// <summary>Null when the file omits it: the default workload, clipped to the machine's CPUs.</summary>
    public IReadOnlyList<WorkloadSpec>? Workload { get; init; }
    /// <summary>Canonical names (<see cref="StrategyRegistry"/>), in the order given, no duplicates.</summary>
    public IReadOnlyList<string> Strategies { get; init; } = StrategyRegistry.BuiltIn.Select(x => x.Name).ToArray();
    /// <summary>Options per strategy ("strategy_options"); a strategy not listed runs with its defaults.</summary>
    public StrategyOptionSet StrategyOptions { get; init; } = StrategyOptionSet.Empty;
    public SchedulerSpec Scheduler { get; init; } = new();
}

/// <summary>machine as written. The nullable switches are null when not given, so a CPU profile can set them.</summary>
public sealed record MachineSpec
{
    public int Cpus { get; init; } = ScenarioDefaults.Cpus;
    public Granule Granule { get; init; } = ScenarioDefaults.Granule;
    /// <summary>ID_AA64MMFR2_EL1.BBM: 0, 1 or 2; null = the profile's (bbml2_noabort → 2), else 0.</summary>
    public int? BbmLevel { get; init; }
    public bool? TlbiRange { get; init; }
    /// <summary>GICv3 pseudo-NMI in use (irqchip.gicv3_pseudo_nmi=1); null = the profile's, else true.</summary>
    public bool? PseudoNmi { get; init; }
    public ulong MemoryBytes { get; init; } = ScenarioDefaults.MemoryBytes;
    /// <summary>machine.memory_model: ordering of data accesses in searches: "sc" or "arm" (Engine.DataStoreBuffers;
    /// docs/arch.md); null when the file is silent, which means the command's default (<see cref="MemoryModelChoice"/>:
    /// arm for check and barriers). Timed runs are SC whatever it says.</summary>
    public Engine.DataMemoryModel? MemoryModel { get; init; }
    /// <summary>Named CPU profile (<see cref="CpuProfiles"/>), or null.</summary>
    public string? Cpu { get; init; }
    /// <summary>machine.features: overrides of the profile and of the explicit fields (<see cref="CpuFeatures"/>).</summary>
    public IReadOnlyDictionary<string, bool> Features { get; init; } = new Dictionary<string, bool>();
    /// <summary>Errata names (<see cref="ErrataNames"/>); null = the profile's.</summary>
    public IReadOnlyList<string>? Errata { get; init; }
    /// <summary>Overrides keyed by <see cref="CostModel"/> property name (PascalCase, as <see cref="CostModel.Names"/>).</summary>
    public IReadOnlyDictionary<string, double> Costs { get; init; } = new Dictionary<string, double>();
}

/// <summary>Kernel workaround names (kernel.workarounds).</summary>
public static class WorkaroundNames
{
    public const string RepeatTlbi = "repeat_tlbi";
    public static readonly IReadOnlyList<string> All = [RepeatTlbi];
}

/// <summary>A fault_attr as a scenario gives it (fail_hugetlb_vmemmap_pte / _pmd).</summary>
public sealed record FaultAttrSpec
{
    public int Probability { get; init; } = 100;
    public int Interval { get; init; } = 1;
    public long Times { get; init; } = -1;
}

/// <summary>Fixes that can be reverted one at a time to show what each one protects (kernel-hvo.md §6).</summary>
public static class RevertibleFixes
{
    public const string RcuSync = "rcu-sync";
    public const string PmdSplitLock = "pmd-split-lock";
    public const string FreeBeforeFlush = "free-before-flush";
    public static readonly IReadOnlyList<string> All = [RcuSync, PmdSplitLock, FreeBeforeFlush];
}

public sealed record KernelSpec
{
    /// <summary>kernel.design: "fake-head" (v5.14–v7.0) or "2026" (shared per-zone tail page, kernel-hvo.md §4.4).</summary>
    public HvoDesign Design { get; init; } = HvoDesign.FakeHead;
    public bool HvoEnabled { get; init; } = true;
    public IReadOnlyList<string> RevertFix { get; init; } = [];
    /// <summary>Enabled workarounds (<see cref="WorkaroundNames"/>); null = what the kernel enables for the machine's errata.</summary>
    public IReadOnlyList<string>? Workarounds { get; init; }
    public FaultAttrSpec? FailVmemmapPte { get; init; }
    public FaultAttrSpec? FailVmemmapPmd { get; init; }

    /// <summary>The workarounds in force on <paramref name="m"/>.</summary>
    public IReadOnlyList<string> EffectiveWorkarounds(ResolvedMachine m) =>
        Workarounds ?? (CpuProfiles.KernelRepeatsTlbi(m.ArchErrata) ? [WorkaroundNames.RepeatTlbi] : []);
}

/// <summary>operations[].op: the HugeTLB request.</summary>
public enum OperationKind { Alloc, Free, Demote }

/// <summary>One HugeTLB request. Operations on the same CPU run in array order; <see cref="AtNs"/> is the earliest
/// start. Operations on different CPUs run concurrently.</summary>
public sealed record OperationSpec
{
    public int Cpu { get; init; }
    public OperationKind Op { get; init; } = OperationKind.Alloc;
    public int Count { get; init; } = 1;
    public ulong HugepageBytes { get; init; } = 2UL << 20;
    /// <summary>Use the batched kernel paths (hugetlb_vmemmap_optimize_folios and friends).</summary>
    public bool Batched { get; init; } = true;
    /// <summary>Target size of a demote; null for alloc and free.</summary>
    public ulong? DemoteToBytes { get; init; }
    public double AtNs { get; init; }
}

/// <summary>workload[].kind: what the CPUs do beside HVO (the kernel routine of the same name in Kernel/Workloads).</summary>
public enum WorkloadKind { PfnWalker, GupFast, MemoryFailure, NmiReader, Background }

/// <summary>Inclusive length range of a section, ns; drawn uniformly per section.</summary>
public sealed record NsRange(double Min, double Max);

public sealed record WorkloadSpec
{
    /// <summary>The CPU set as written, canonicalised: "others" or a range list such as "1-3,8".</summary>
    public string CpusText { get; init; } = CpuSets.Others;
    public WorkloadKind Kind { get; init; } = WorkloadKind.Background;
    /// <summary>Time between accesses (or between sections for background).</summary>
    public double PeriodNs { get; init; } = ScenarioDefaults.PeriodNs;
    public NsRange? IrqOffNs { get; init; }
    public NsRange? PreemptOffNs { get; init; }
    public NsRange? DaifMaskedNs { get; init; }
}

/// <summary>scheduler.mode: timed cost-model runs, or a search of interleavings (hvolab check).</summary>
public enum SchedulerMode { Timed, Exhaustive, Pct, Random }

public sealed record SchedulerSpec
{
    public SchedulerMode Mode { get; init; } = SchedulerMode.Timed;
    /// <summary>Timed runs: seeds Seed, Seed+1, … Seed+Seeds−1.</summary>
    public int Seeds { get; init; } = ScenarioDefaults.Seeds;
    /// <summary>pct/random: number of executions.</summary>
    public int Iterations { get; init; } = ScenarioDefaults.Iterations;
    public int PctDepth { get; init; } = ScenarioDefaults.PctDepth;
    /// <summary>Exhaustive: maximum preemptions per execution; null = unbounded.</summary>
    public int? PreemptionBound { get; init; }
    public int MaxExecutions { get; init; } = ScenarioDefaults.MaxExecutions;
    public long StepBudget { get; init; } = ScenarioDefaults.StepBudget;
    public double WallSeconds { get; init; } = ScenarioDefaults.WallSeconds;
    /// <summary>Timed runs: NMI handlers with a closed form (the D pause) computed, not run op by op (same times;
    /// SimOptions.ClosedFormHandlers). False runs every handler op by op, e.g. to cross-check.</summary>
    public bool ClosedFormHandlers { get; init; } = true;
}

/// <summary>The file's words for the scenario's enums, each parsed in one place (<see cref="EnumWords{T}"/>).</summary>
public static class ScenarioWords
{
    public static readonly EnumWords<OperationKind> Operation = new();
    public static readonly EnumWords<WorkloadKind> Workload = new();
    public static readonly EnumWords<SchedulerMode> Mode = new();
    /// <summary><see cref="HvoDesign"/> is the kernel's; its file words are named here.</summary>
    public static readonly EnumWords<Engine.DataMemoryModel> MemoryModel = new();
    public static readonly EnumWords<HvoDesign> Design = new((HvoDesign.FakeHead, "fake-head"), (HvoDesign.SharedTail2026, "2026"));
}
