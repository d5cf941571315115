using System.Text.Json;
using System.Text.Json.Nodes;
using HvoLab.Arch;
using HvoLab.Strategies;

namespace HvoLab.Experiments.Scenarios;

/// <summary>
/// Every field of the scenario format, one row each: JSON name, type, allowed range or words, default (the record's
/// initialiser) and description. The reader (<see cref="ScenarioReader"/>), the writer (<see cref="ScenarioWriter"/>),
/// the JSON schema (<see cref="ScenarioSchema"/>) and the messages about bad values all come from these rows; a new
/// field is one row here and one property in <see cref="ScenarioSpec"/>. Field order is file order.
/// </summary>
public static class ScenarioFieldTable
{
    public static readonly FieldTable<FaultAttrSpec> FaultAttr = new(
    [
        Field<FaultAttrSpec>.Int("probability", "percent", new(0, 100), a => a.Probability, (a, v) => a with { Probability = (int)v!.Value }),
        Field<FaultAttrSpec>.Int("interval", "fail only every interval-th call", new(1, int.MaxValue), a => a.Interval, (a, v) => a with { Interval = (int)v!.Value }),
        Field<FaultAttrSpec>.Int("times", "at most this many failures (-1 = no limit)", new(-1, long.MaxValue), a => a.Times, (a, v) => a with { Times = v!.Value }),
    ]);

    public static readonly FieldTable<MachineSpec> Machine = new(
    [
        Field<MachineSpec>.Int("cpus", "number of CPUs", ScenarioFields.Cpus, m => m.Cpus, (m, v) => m with { Cpus = (int)v!.Value }),
        Field<MachineSpec>.Custom("granule", "translation granule (4k, 16k, 64k; 4kb/4096 etc. also accepted)", "\"4k\", \"16k\" or \"64k\"",
            (v, m) => Granule.TryParse(v.Value.ValueKind == JsonValueKind.String ? v.Value.GetString() : null, out var g) ? m with { Granule = g } : throw v.NotAllowed("\"4k\", \"16k\" or \"64k\""),
            (w, m) => w.WriteString("granule", m.Granule.Name),
            () => new JsonObject { ["type"] = "string", ["enum"] = Field<MachineSpec>.Words(["4k", "16k", "64k"]), ["default"] = ScenarioDefaults.Granule.Name },
            JsonValue.Create("8k")),
        Field<MachineSpec>.Int("bbm_level", "ID_AA64MMFR2_EL1.BBM (default: 2 if the CPU profile has bbml2_noabort, else 0)", ScenarioFields.BbmLevel,
            m => m.BbmLevel, (m, v) => m with { BbmLevel = (int?)v }, defaultWhenNull: 0),
        Field<MachineSpec>.Bool("tlbi_range", "FEAT_TLBIRANGE present (default: the CPU profile's, else false)", m => m.TlbiRange, (m, v) => m with { TlbiRange = v }, false),
        Field<MachineSpec>.Bool("pseudo_nmi", "GICv3 pseudo-NMI in use (irqchip.gicv3_pseudo_nmi=1; default: the CPU profile's, else true)", m => m.PseudoNmi, (m, v) => m with { PseudoNmi = v }, true),
        Field<MachineSpec>.Size("memory", $"memory size, a whole number of pages, {Units.FormatSize(ScenarioDefaults.MinMemoryBytes)}..{Units.FormatSize(ScenarioDefaults.MaxMemoryBytes)}", m => m.MemoryBytes, (m, v) => m with { MemoryBytes = v },
            ScenarioDefaults.MinMemoryBytes, ScenarioDefaults.MaxMemoryBytes),
        MachineFields.MemoryModel,
        MachineFields.CpuProfile,
        MachineFields.Features,
        Field<MachineSpec>.Names("errata", "errata the machine exhibits (default: the CPU profile's)", ErrataNames.All, "erratum", m => m.Errata, (m, v) => m with { Errata = v }),
        MachineFields.Costs,
    ]);

    public static readonly FieldTable<KernelSpec> Kernel = new(
    [
        Field<KernelSpec>.Enum("design", "fake-head = v5.14–v7.0 design; 2026 = shared per-zone tail page", ScenarioWords.Design, k => k.Design, (k, v) => k with { Design = v }),
        Field<KernelSpec>.Bool("hvo_enabled", "hugetlb_optimize_vmemmap", k => k.HvoEnabled, (k, v) => k with { HvoEnabled = v }),
        Field<KernelSpec>.Names("revert_fix", "kernel fixes to revert, to show what each protects", RevertibleFixes.All, "fix", k => k.RevertFix, (k, v) => k with { RevertFix = v }),
        Field<KernelSpec>.Names("workarounds", "errata workarounds enabled (default: what the kernel enables for machine.errata)", WorkaroundNames.All, "workaround",
            k => k.Workarounds, (k, v) => k with { Workarounds = v }),
        Field<KernelSpec>.Object("fail_hugetlb_vmemmap_pte", "fail_hugetlb_vmemmap_pte= (CONFIG_FAIL_HUGETLB_VMEMMAP): the wrapper returns -EAGAIN when it fires",
            FaultAttr, k => k.FailVmemmapPte, (k, v) => k with { FailVmemmapPte = v }),
        Field<KernelSpec>.Object("fail_hugetlb_vmemmap_pmd", "fail_hugetlb_vmemmap_pmd= (CONFIG_FAIL_HUGETLB_VMEMMAP): the wrapper returns -EAGAIN when it fires",
            FaultAttr, k => k.FailVmemmapPmd, (k, v) => k with { FailVmemmapPmd = v }),
    ]);

    public static readonly FieldTable<OperationSpec> Operation = new(
    [
        // The upper bound depends on the machine; ScenarioChecks tests it against machine.cpus.
        Field<OperationSpec>.Int("cpu", "CPU that issues it (< machine.cpus)", new(0, ScenarioDefaults.MaxCpus - 1), o => o.Cpu, (o, v) => o with { Cpu = (int)v!.Value }),
        Field<OperationSpec>.Enum("op", "request", ScenarioWords.Operation, o => o.Op, (o, v) => o with { Op = v }),
        Field<OperationSpec>.Int("count", "number of hugepages", ScenarioFields.Count, o => o.Count, (o, v) => o with { Count = (int)v!.Value }),
        Field<OperationSpec>.Size("hugepage", "hugepage size, one the granule supports (4k: 64KiB, 2MiB, 32MiB, 1GiB; 16k: 2MiB, 32MiB, 1GiB; 64k: 2MiB, 512MiB, 16GiB)",
            o => o.HugepageBytes, (o, v) => o with { HugepageBytes = v }),
        Field<OperationSpec>.Bool("batched", "use the batched kernel paths", o => o.Batched, (o, v) => o with { Batched = v }),
        Field<OperationSpec>.Size("demote_to", "target size of a demote (required for, and only for, op = demote)", o => o.DemoteToBytes, (o, v) => o with { DemoteToBytes = v }),
        Field<OperationSpec>.Number("at_ns", "earliest start, ns", 0, double.MaxValue, " ns", false, o => o.AtNs, (o, v) => o with { AtNs = v }),
    ]);

    public static readonly FieldTable<WorkloadSpec> Workload = new(
    [
        WorkloadFields.Cpus,
        Field<WorkloadSpec>.Enum("kind", "what the CPUs do", ScenarioWords.Workload, w => w.Kind, (w, v) => w with { Kind = v }),
        Field<WorkloadSpec>.Number("period_ns", "time between accesses, ns", 0, double.MaxValue, " ns", true, w => w.PeriodNs, (w, v) => w with { PeriodNs = v }),
        WorkloadFields.Range("irq_off_ns", "length of IRQ-off sections, ns", w => w.IrqOffNs, (w, v) => w with { IrqOffNs = v }),
        WorkloadFields.Range("preempt_off_ns", "length of preempt-off sections, ns", w => w.PreemptOffNs, (w, v) => w with { PreemptOffNs = v }),
        WorkloadFields.Range("daif_masked_ns", "length of DAIF-masked (NMI-masked) sections, ns", w => w.DaifMaskedNs, (w, v) => w with { DaifMaskedNs = v }),
    ]);

    public static readonly FieldTable<SchedulerSpec> Scheduler = new(
    [
        Field<SchedulerSpec>.Enum("mode", "timed = cost-model runs; others explore interleavings", ScenarioWords.Mode, s => s.Mode, (s, v) => s with { Mode = v }),
        Field<SchedulerSpec>.Int("seeds", "timed runs", ScenarioFields.Seeds, s => s.Seeds, (s, v) => s with { Seeds = (int)v!.Value }),
        Field<SchedulerSpec>.Int("iterations", "pct/random executions", ScenarioFields.Iterations, s => s.Iterations, (s, v) => s with { Iterations = (int)v!.Value }),
        Field<SchedulerSpec>.Int("pct_depth", "PCT bug depth", new(1, ScenarioDefaults.MaxPctDepth), s => s.PctDepth, (s, v) => s with { PctDepth = (int)v!.Value }),
        Field<SchedulerSpec>.Int("preemption_bound", "exhaustive: max preemptions; null = unbounded", new(0, int.MaxValue),
            s => s.PreemptionBound, (s, v) => s with { PreemptionBound = (int?)v }, nullAllowed: true),
        Field<SchedulerSpec>.Int("max_executions", "exhaustive: execution cap", new(1, int.MaxValue), s => s.MaxExecutions, (s, v) => s with { MaxExecutions = (int)v!.Value }),
        Field<SchedulerSpec>.Int("step_budget", "steps per execution before it counts as a livelock", new(1, long.MaxValue), s => s.StepBudget, (s, v) => s with { StepBudget = v!.Value }),
        // At most a week: a wall budget is a safety net, and TimeSpan cannot hold arbitrary doubles.
        Field<SchedulerSpec>.Number("wall_seconds", "wall-clock budget, s", 0, ScenarioDefaults.MaxWallSeconds, " s", true, s => s.WallSeconds, (s, v) => s with { WallSeconds = v }),
        Field<SchedulerSpec>.Bool("closed_form_handlers", "timed runs: compute NMI handlers that have a closed form (the D pause) instead of running them op by op; same times",
            s => s.ClosedFormHandlers, (s, v) => s with { ClosedFormHandlers = v }),
    ]);

    public static readonly FieldTable<ScenarioSpec> Top = new(
    [
        TopFields.Name,
        TopFields.Description,
        TopFields.Seed,
        Field<ScenarioSpec>.Object("machine", "The simulated arm64 machine.", Machine, s => s.Machine, (s, v) => s with { Machine = v }),
        Field<ScenarioSpec>.Object("kernel", "The modelled kernel.", Kernel, s => s.Kernel, (s, v) => s with { Kernel = v }),
        Field<ScenarioSpec>.Array("operations", "One HugeTLB request; same-CPU operations run in order, different CPUs concurrently (default: CPU0 allocates then frees 64 × 2MiB).",
            Operation, "operations", s => s.Operations, (s, v) => s with { Operations = v }),
        Field<ScenarioSpec>.Array("workload", "Concurrent activity on other CPUs; one workload per CPU.", Workload, "workload entries", s => s.Workload, (s, v) => s with { Workload = v }),
        TopFields.Strategies,
        TopFields.StrategyOptions,
        Field<ScenarioSpec>.Object("scheduler", "How executions are chosen.", Scheduler, s => s.Scheduler, (s, v) => s with { Scheduler = v }),
    ]);
}
