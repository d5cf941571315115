using HvoLab.Kernel;

namespace HvoLab.Strategies;

/// <summary>Options a scenario may set for the strategies.</summary>
public sealed record StrategyOptions
{
    public PauseIpi DIpi { get; init; } = PauseIpi.PseudoNmi;
    public PauseGranularity DGranularity { get; init; } = PauseGranularity.Range;
    public bool CForce { get; init; }
    public int OursMaxPtesPerPause { get; init; } = 512;
}

/// <summary>One entry of `hvolab strategies`: what it is, what it needs, how to make one. <paramref name="TimePastViolations"/>:
/// timed runs go on past violations (still reported, the verdict still unsafe) because the strategy's cost is itself a
/// reference — "unsafe" is HVO without break-before-make, the baseline the proposal measured D against.</summary>
public sealed record StrategyInfo(string Name, string Title, string Needs, string Source, Func<StrategyOptions, VmemmapArch> Create,
    bool TimePastViolations = false);

/// <summary>Every strategy by name. No entry states a verdict: verdicts come from running the model.</summary>
public static class StrategyCatalog
{
    public static IReadOnlyList<StrategyInfo> All { get; } =
    [
        new("off", "HVO disabled (arm64 today)", "nothing", "060a2c92d1b6", _ => new OffStrategy()),
        new("unsafe", "live rewrite without break-before-make (x86 behaviour, arm64 v5.19–v6.2)", "nothing", "mm/hugetlb_vmemmap.c generic", _ => new UnsafeStrategy(), TimePastViolations: true),
        new("A", "break-before-make + kernel fault fixup", "nothing", "20240113094436.2506396-3-sunnanyong@huawei.com", _ => new FaultFixupStrategy()),
        new("B", "break-before-make inside stop_machine()", "nothing", "ZbKjHHeEdFYY1xR5@arm.com (suggestion)", _ => new StopMachineStrategy()),
        new("C", "no break: FEAT_BBM level 2 split, identical contents at old and new OA", "FEAT_BBM level 2 (4K granule)", "Zo68DP6siXfb6ZBR@arm.com, seed-series.md §5.2", o => new IdenticalContentsStrategy(o.CForce)),
        new("D", "pause remote CPUs with pseudo-NMI IPIs around break-before-make (the seed series)", "GICv3 pseudo-NMI (irqchip.gicv3_pseudo_nmi=1)", "20241107202033.2721681-1-yuzhao@google.com", o => new PauseStrategy(o.DIpi, o.DGranularity)),
        new("E", "break-before-make through the Access flag: AF clear, TLBI, CAS in place (mm tree 2026)", "hardware Access-flag updates on every CPU (ARM64_HVO_COMPATIBLE)", "linux-mm/linux-mm 5aaa2bcaece3 (arch/arm64 try_update_vmemmap_pte)", _ => new AccessFlagBreakStrategy()),
        new("ours", "one pause per batch, only PTE writes inside, updater NMI-masked", "GICv3 pseudo-NMI", "docs/strategies.md", o => new BatchedPauseStrategy(o.OursMaxPtesPerPause)),
    ];

    public static StrategyInfo Get(string name) =>
        All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"strategy '{name}' is unknown; allowed: {string.Join(", ", All.Select(s => s.Name))}");
}
