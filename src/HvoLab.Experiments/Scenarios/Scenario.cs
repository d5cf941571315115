using HvoLab.Arch;
using HvoLab.Kernel;
using HvoLab.Strategies;

namespace HvoLab.Experiments.Scenarios;

/// <summary>
/// A resolved scenario, what runs: the <see cref="ScenarioSpec"/> it came from plus what <see cref="ScenarioResolver"/>
/// derived from it once — the machine with its CPU profile applied, CPU sets expanded, warnings and refusals. Only the
/// resolver builds one (the derived members cannot be set from outside), so an edit goes through the spec
/// (<see cref="ScenarioEdits.Edit"/>) and is resolved and checked exactly like the same value in a file.
/// </summary>
public sealed record Scenario
{
    internal Scenario(ScenarioSpec spec, ResolvedMachine machine, IReadOnlyList<ResolvedWorkload> workload)
    {
        Spec = spec;
        Machine = machine;
        Workload = workload;
    }

    /// <summary>The scenario as written (or as edited).</summary>
    public ScenarioSpec Spec { get; }
    public string Name => Spec.Name;
    public string? Description => Spec.Description;
    public ulong Seed => Spec.Seed;
    public ResolvedMachine Machine { get; }
    public KernelSpec Kernel => Spec.Kernel;
    public IReadOnlyList<OperationSpec> Operations => Spec.Operations;
    /// <summary>Every entry with its CPUs resolved against the machine ("others" expanded).</summary>
    public IReadOnlyList<ResolvedWorkload> Workload { get; }
    public IReadOnlyList<string> Strategies => Spec.Strategies;
    public StrategyOptionSet StrategyOptions => Spec.StrategyOptions;
    public SchedulerSpec Scheduler => Spec.Scheduler;

    /// <summary>Combinations that run but say little (e.g. a hugepage size HVO cannot optimise).</summary>
    public IReadOnlyList<string> Warnings { get; internal init; } = [];
    /// <summary>Requested strategies the modelled kernel would not run on this machine, with the reason (each
    /// strategy's own refusal rule, for display; the runners ask the rule again for the options they run).</summary>
    public IReadOnlyList<Refusal> Refusals { get; internal init; } = [];

    /// <summary>Requested strategies minus the refused ones, in request order.</summary>
    public IReadOnlyList<string> RunnableStrategies => Strategies.Where(s => Refusals.All(r => r.Strategy != s)).ToArray();
}

public sealed record Refusal(string Strategy, string Reason)
{
    public override string ToString() => $"{Strategy}: {Reason}";
}

/// <summary>The machine a scenario runs on: machine.* with the CPU profile, then the explicit fields, then
/// machine.features applied (<see cref="ScenarioHardware.Resolve"/>).</summary>
public sealed record ResolvedMachine
{
    /// <summary>The CPU count, from the JSON to the report: checked once (<see cref="ScenarioFields.Cpus"/>), handed to
    /// the machine as <see cref="MachineConfig.Cpus"/>.</summary>
    public int Cpus { get; internal init; }
    public Granule Granule { get; internal init; } = ScenarioDefaults.Granule;
    /// <summary>ID_AA64MMFR2_EL1.BBM: 0, 1 or 2.</summary>
    public int BbmLevel { get; internal init; }
    public bool TlbiRange { get; internal init; }
    /// <summary>GICv3 pseudo-NMI in use (irqchip.gicv3_pseudo_nmi=1).</summary>
    public bool PseudoNmi { get; internal init; } = true;
    public ulong MemoryBytes { get; internal init; }
    /// <summary>Overrides keyed by <see cref="Kernel.CostModel"/> property name (PascalCase, as <see cref="Kernel.CostModel.Names"/>).</summary>
    public IReadOnlyDictionary<string, double> Costs { get; internal init; } = new Dictionary<string, double>();
    /// <summary>Named CPU profile (<see cref="CpuProfiles"/>), or null.</summary>
    public string? Cpu { get; internal init; }
    /// <summary>machine.features as given (overrides of the profile).</summary>
    public IReadOnlyDictionary<string, bool> FeatureOverrides { get; internal init; } = new Dictionary<string, bool>();
    /// <summary>TCR_EL1.HA as Linux sets it: ID_AA64MMFR1_EL1.HAFDBS advertised. Server parts have it (default).</summary>
    public bool HardwareAf { get; internal init; } = true;
    /// <summary>TCR_EL1.HD (hardware dirty state). Off unless a profile or machine.features sets it.</summary>
    public bool HardwareDirty { get; internal init; }
    /// <summary>Errata names (<see cref="ErrataNames"/>): machine.errata, or the profile's.</summary>
    public IReadOnlyList<string> Errata { get; internal init; } = [];
    /// <summary>Ordering of data accesses in searches as the scenario gives it (<see cref="MachineSpec.MemoryModel"/>);
    /// null: not given, the command decides (<see cref="MemoryModelChoice"/>).</summary>
    public Engine.DataMemoryModel? MemoryModel { get; internal init; }

    /// <summary>Default costs with this machine's overrides applied.</summary>
    public Kernel.CostModel CostModel() => Kernel.CostModel.Default.With(Costs);

    public ArchErrata ArchErrata => Errata.Aggregate(ArchErrata.None, (a, e) => a | ErrataNames.Parse(e));

    public MachineConfig ToMachineConfig() => new()
    {
        Cpus = Cpus, Granule = Granule, BbmLevel = BbmLevel, TlbiRange = TlbiRange, MemoryBytes = MemoryBytes,
        HardwareAf = HardwareAf, HardwareDirty = HardwareDirty, Errata = ArchErrata,
    };
}

/// <summary>A workload entry with its CPUs resolved against the machine, ascending.</summary>
public sealed record ResolvedWorkload(WorkloadSpec Spec, IReadOnlyList<int> Cpus)
{
    public string CpusText => Spec.CpusText;
    public WorkloadKind Kind => Spec.Kind;
    public double PeriodNs => Spec.PeriodNs;
    public NsRange? IrqOffNs => Spec.IrqOffNs;
    public NsRange? PreemptOffNs => Spec.PreemptOffNs;
    public NsRange? DaifMaskedNs => Spec.DaifMaskedNs;
}
