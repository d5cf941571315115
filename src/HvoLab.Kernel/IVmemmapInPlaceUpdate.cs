using HvoLab.Engine;

namespace HvoLab.Kernel;

/// <summary>
/// The arch hooks of the 2026 mm tree (hvo-2026-arm64.md §1–2): the generic code updates each live vmemmap PTE in
/// place through <c>try_update_vmemmap_pte</c> and splits a PMD through <c>try_populate_vmemmap_pmd</c>, and stops at
/// the first error (rollback on optimize, partial HVO on restore). A <see cref="VmemmapArch"/> that implements this
/// interface gets that generic path instead of the seed series' range hooks.
/// </summary>
public interface IVmemmapInPlaceUpdate
{
    /// <summary>0, or -EAGAIN / -EINVAL / -EOPNOTSUPP; the PTE is unchanged on error.</summary>
    SimTask<int> TryUpdateVmemmapPte(Cpu cpu, ulong addr, ulong ptepPa, ulong newPte);

    /// <summary>0, or a negative errno; the PMD is unchanged on error.</summary>
    SimTask<int> TryPopulateVmemmapPmd(Cpu cpu, ulong addr, ulong pmdpPa, ulong pgtablePa);
}

/// <summary>What the in-place path did: the kernel exports none of these (only nr_memmap_pages), the model counts them
/// so a run shows its rollbacks and partial HVO.</summary>
public sealed class HvoUpdateCounters
{
    public long PteUpdates;
    public long PteUpdateErrors;
    public long PmdSplitErrors;
    public long InjectedPte;
    public long InjectedPmd;
    /// <summary>Optimize walks that failed and were rolled back completely.</summary>
    public long Rollbacks;
    /// <summary>Optimize walks whose rollback failed too (VMEMMAP_REMAP_INCOMPLETE: the folio keeps HVO).</summary>
    public long PartialOptimize;
    /// <summary>Restores that stopped part-way: the folio stays optimized with a mix of PTEs.</summary>
    public long PartialRestore;
    /// <summary>New head pages returned because the walk failed before mapping them.</summary>
    public long UnusedHeadPagesFreed;
}
