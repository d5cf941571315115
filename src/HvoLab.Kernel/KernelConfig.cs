using HvoLab.Kernel.Primitives;

namespace HvoLab.Kernel;

/// <summary>Which HVO design the kernel runs (kernel-hvo.md §4.4).</summary>
public enum HvoDesign
{
    /// <summary>v5.14–v7.0: tails map RO onto the head's vmemmap page; fake heads; synchronize_rcu; static key.</summary>
    FakeHead,
    /// <summary>2026 (v7.1): compound_info mask, tails map RO onto a per-zone shared tail page, no fake heads, no RCU.</summary>
    SharedTail2026,
}

/// <summary>Fixes from the kernel's history that a scenario can revert to show the checker finds the old bug.</summary>
[Flags]
public enum RevertedFix
{
    None = 0,
    /// <summary>bd225530a4c7: synchronize_rcu() in HVO and page_count_writable() under rcu_read_lock in page_ref_add_unless.</summary>
    RcuSync = 1,
    /// <summary>July 2023 "fix a race between vmemmap pmd split": read the PMD leaf and its page under page_table_lock.</summary>
    PmdSplitLock = 2,
    /// <summary>Old vmemmap pages are freed only after the TLB flush (vmemmap_remap_free / free_vmemmap_page_list).</summary>
    FreeBeforeFlush = 4,
}

/// <summary>CPU-errata workarounds the kernel can enable (arch/arm64/kernel/cpu_errata.c capabilities).</summary>
[Flags]
public enum KernelWorkarounds
{
    None = 0,
    /// <summary>ARM64_WORKAROUND_REPEAT_TLBI: after the DSB ISH completing broadcast TLBIs, one more
    /// TLBI VALE1IS, XZR; DSB ISH (__tlbi_sync_s1ish*, since a8f78680ee6b; hvo-2026-arm64.md §5.2).</summary>
    RepeatTlbi = 1,
}

public sealed record KernelConfig
{
    public HvoDesign Design { get; init; } = HvoDesign.FakeHead;
    /// <summary>vm.hugetlb_optimize_vmemmap / hugetlb_free_vmemmap= (vmemmap_optimize_enabled).</summary>
    public bool HvoEnabled { get; init; } = true;
    public RevertedFix Reverted { get; init; }
    /// <summary>irqchip.gicv3_pseudo_nmi=1 (system_uses_irq_prio_masking()).</summary>
    public bool PseudoNmi { get; init; } = true;
    public KernelWorkarounds Workarounds { get; init; }
    /// <summary>fail_hugetlb_vmemmap_pte= (CONFIG_FAIL_HUGETLB_VMEMMAP, mm/hugetlb_vmemmap.c @0454b15e), or null.</summary>
    public FaultAttr? FailVmemmapPte { get; init; }
    /// <summary>fail_hugetlb_vmemmap_pmd=, or null.</summary>
    public FaultAttr? FailVmemmapPmd { get; init; }
}
