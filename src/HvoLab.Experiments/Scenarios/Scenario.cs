using HvoLab.Arch;
using HvoLab.Engine;
using HvoLab.Kernel;
using HvoLab.Strategies;

namespace HvoLab.Experiments.Scenarios;

/// <summary>
/// A validated scenario: the machine, the kernel build, the HugeTLB operations and the concurrent workload, the
/// strategies to compare and how to schedule them. Built only by <see cref="ScenarioLoader"/>; every value is already
/// checked and every omitted field holds its default (<see cref="ScenarioDefaults"/>). Lists are never null.
/// </summary>
public sealed record Scenario
{
    public string Name { get; init; } = ScenarioDefaults.Name;
    public string? Description { get; init; }
    public ulong Seed { get; init; } = ScenarioDefaults.Seed;
    public MachineSpec Machine { get; init; } = new();
    public KernelSpec Kernel { get; init; } = new();
    public IReadOnlyList<OperationSpec> Operations { get; init; } = ScenarioDefaults.Operations;
    public IReadOnlyList<WorkloadSpec> Workload { get; init; } = ScenarioDefaults.Workload;
    /// <summary>Canonical names (<see cref="StrategyRegistry"/>), in the order given, no duplicates.</summary>
    public IReadOnlyList<string> Strategies { get; init; } = StrategyRegistry.BuiltIn.Select(x => x.Name).ToArray();
    /// <summary>Options per strategy ("strategy_options"); a strategy not listed runs with its defaults.</summary>
    public StrategyOptionSet StrategyOptions { get; init; } = StrategyOptionSet.Empty;
    public SchedulerSpec Scheduler { get; init; } = new();

    /// <summary>Combinations that run but say little (e.g. a hugepage size HVO cannot optimise). Not serialised.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
    /// <summary>Requested strategies the modelled kernel would not run on this machine, with the reason (each
    /// strategy's own refusal rule, for display; the runners ask the rule again for the options they run). Not serialised.</summary>
    public IReadOnlyList<Refusal> Refusals { get; init; } = [];

    /// <summary>Requested strategies minus the refused ones, in request order.</summary>
    public IReadOnlyList<string> RunnableStrategies => Strategies.Where(s => Refusals.All(r => r.Strategy != s)).ToArray();
}

public sealed record Refusal(string Strategy, string Reason)
{
    public override string ToString() => $"{Strategy}: {Reason}";
}

public sealed record MachineSpec
{
    public int Cpus { get; init; } = ScenarioDefaults.Cpus;
    public Granule Granule { get; init; } = ScenarioDefaults.Granule;
    /// <summary>ID_AA64MMFR2_EL1.BBM: 0, 1 or 2.</summary>
    public int BbmLevel { get; init; }
    public bool TlbiRange { get; init; }
    /// <summary>GICv3 pseudo-NMI in use (irqchip.gicv3_pseudo_nmi=1).</summary>
    public bool PseudoNmi { get; init; } = true;
    public ulong MemoryBytes { get; init; } = ScenarioDefaults.MemoryBytes;
    /// <summary>Overrides keyed by <see cref="Kernel.CostModel"/> property name (PascalCase, as <see cref="Kernel.CostModel.Names"/>).</summary>
    public IReadOnlyDictionary<string, double> Costs { get; init; } = new Dictionary<string, double>();

    /// <summary>Default costs with this machine's overrides applied.</summary>
    public Kernel.CostModel CostModel() => Kernel.CostModel.Default.With(Costs);

    /// <summary>Named CPU profile (<see cref="CpuProfiles"/>), or null. Its features and errata are already applied to the
    /// fields here (explicit fields and <see cref="FeatureOverrides"/> win).</summary>
    public string? Cpu { get; init; }
    /// <summary>machine.features as given (overrides of the profile).</summary>
    public IReadOnlyDictionary<string, bool> FeatureOverrides { get; init; } = new Dictionary<string, bool>();
    /// <summary>TCR_EL1.HA as Linux sets it: ID_AA64MMFR1_EL1.HAFDBS advertised. Server parts have it (default).</summary>
    public bool HardwareAf { get; init; } = true;
    /// <summary>TCR_EL1.HD (hardware dirty state). Off unless a profile or machine.features sets it.</summary>
    public bool HardwareDirty { get; init; }
    /// <summary>Errata names (<see cref="ErrataNames"/>), resolved from the profile unless machine.errata is given.</summary>
    public IReadOnlyList<string> Errata { get; init; } = [];
    /// <summary>machine.memory_model: ordering of data accesses in searches (hvolab check): "sc" (default) or "arm"
    /// (Engine.DataStoreBuffers; docs/arch.md). Timed runs are SC either way.</summary>
    public Engine.DataMemoryModel MemoryModel { get; init; }

    public ArchErrata ArchErrata => Errata.Aggregate(ArchErrata.None, (a, e) => a | ErrataNames.Parse(e));

    public MachineConfig ToMachineConfig() => new()
    {
        Cpus = Cpus, Granule = Granule, BbmLevel = BbmLevel, TlbiRange = TlbiRange, MemoryBytes = MemoryBytes,
        HardwareAf = HardwareAf, HardwareDirty = HardwareDirty, Errata = ArchErrata,
    };
}

/// <summary>Kernel workaround names (kernel.workarounds).</summary>
public static class WorkaroundNames
{
    public const string RepeatTlbi = "repeat_tlbi";
    public static readonly IReadOnlyList<string> All = [RepeatTlbi];
}

/// <summary>A fault_attr as a scenario gives it (fail_hugetlb_vmemmap_pte / _pmd).</summary>
public sealed record FaultAttrSpec(int Probability, int Interval, long Times);

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
    public IReadOnlyList<string> EffectiveWorkarounds(MachineSpec m) =>
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
    /// <summary>The CPUs this entry runs on, resolved ("others" expanded), ascending.</summary>
    public IReadOnlyList<int> Cpus { get; init; } = [];
    public WorkloadKind Kind { get; init; } = WorkloadKind.Background;
    /// <summary>Time between accesses (or between sections for background).</summary>
    public double PeriodNs { get; init; } = ScenarioDefaults.PeriodNs;
    public NsRange? IrqOffNs { get; init; }
    public NsRange? PreemptOffNs { get; init; }
    public NsRange? DaifMaskedNs { get; init; }
}

/// <summary>scheduler.mode: timed cost-model runs, or a search of interleavings (hvolab check).</summary>
public enum SchedulerMode { Timed, Exhaustive, Pct, Random }

/// <summary>The file's words for the scenario's enums, each parsed in one place (<see cref="EnumWords{T}"/>).</summary>
public static class ScenarioWords
{
    public static readonly EnumWords<OperationKind> Operation = new();
    public static readonly EnumWords<WorkloadKind> Workload = new();
    public static readonly EnumWords<SchedulerMode> Mode = new();
    /// <summary><see cref="HvoDesign"/> is the kernel's; its file words are named here.</summary>
    public static readonly EnumWords<HvoDesign> Design = new((HvoDesign.FakeHead, "fake-head"), (HvoDesign.SharedTail2026, "2026"));
}

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
