using HvoLab.Engine;

namespace HvoLab.Kernel;

/// <summary>VMEMMAP_* flag bits (include/linux/mm_types.h after seed series v2 patch 2; mm/hugetlb_vmemmap.c).</summary>
[Flags]
public enum VmemmapFlags
{
    None = 0,
    SplitNoTlbFlush = 1 << 0,
    RemapNoTlbFlush = 1 << 1,
    SynchronizeRcu = 1 << 2,
}

/// <summary>One PTE the generic code wants written: where it lives, the VA it maps, old and new values.</summary>
public readonly record struct PteUpdate(ulong PtepPa, ulong Va, ulong OldPte, ulong NewPte);

/// <summary>
/// The architecture seam the seed series adds to mm/hugetlb_vmemmap.c (seed-series.md §2.2, §1.1): update lock,
/// PTE-range and PMD-range update start/end, TLB-flush flags, plus what a strategy needs beyond the series (its own
/// "make" step, a kernel-fault fixup). Generic code calls these; this base class is the generic default, which is
/// the x86 behaviour: write the live entry directly and flush afterwards. Strategies derive from it.
/// </summary>
public abstract class VmemmapArch
{
    protected Linux Kernel { get; private set; } = null!;

    public abstract string Name { get; }

    internal void Attach(Linux linux) { Kernel = linux; OnAttach(); }
    protected virtual void OnAttach() { }

    /// <summary>vmemmap_update_supported(): false turns HVO off at init (hugetlb_vmemmap_init).</summary>
    public virtual bool UpdateSupported(Linux linux) => true;

    /// <summary>Why this strategy cannot run on this machine, or null (hardware or kernel option missing).</summary>
    public virtual string? Refusal(Linux linux) => null;

    /// <summary>VMEMMAP_ARCH_TLB_FLUSH_FLAGS.</summary>
    public virtual VmemmapFlags ArchTlbFlushFlags => VmemmapFlags.None;

    public virtual SimTask UpdateLock(Cpu cpu) => SimTask.CompletedTask;
    public virtual SimTask UpdateUnlock(Cpu cpu) => SimTask.CompletedTask;

    /// <summary>Writes a range of PTEs of one PMD (vmemmap_remap_pte_range / vmemmap_restore_pte_range between
    /// vmemmap_update_pte_range_start and _end). The default runs the start hook, set_pte_at for each, the end hook.</summary>
    public virtual async SimTask UpdatePteRange(Cpu cpu, ulong start, ulong end, IReadOnlyList<PteUpdate> updates)
    {
        await PteRangeStart(cpu, start, end, updates);
        foreach (var u in updates) await Kernel.Pt.SetPteAt(cpu, u.PtepPa, u.NewPte);
        await PteRangeEnd(cpu, start, end);
    }

    public virtual SimTask PteRangeStart(Cpu cpu, ulong start, ulong end, IReadOnlyList<PteUpdate> updates) => SimTask.CompletedTask;
    public virtual SimTask PteRangeEnd(Cpu cpu, ulong start, ulong end) => SimTask.CompletedTask;

    /// <summary>Replaces the PMD block by the PTE table (vmemmap_split_pmd, called with init_mm.page_table_lock held).
    /// Default: start hook, pmd_populate_kernel, end hook.</summary>
    public virtual async SimTask UpdatePmd(Cpu cpu, ulong pmdpPa, ulong start, ulong ptePagePa)
    {
        await PmdRangeStart(cpu, pmdpPa, start, start + Kernel.Layout.Granule.PmdSize);
        await Kernel.Pt.PmdPopulateKernel(cpu, pmdpPa, ptePagePa);
        await PmdRangeEnd(cpu, start, start + Kernel.Layout.Granule.PmdSize);
    }

    /// <summary>Whether vmemmap_split_pmd() holds init_mm.page_table_lock around <see cref="UpdatePmd"/> (the kernel
    /// does; a stop_machine()-based strategy cannot sleep under a spinlock and excludes everyone anyway).</summary>
    public virtual bool SplitUnderPageTableLock => true;

    public virtual SimTask PmdRangeStart(Cpu cpu, ulong pmdpPa, ulong start, ulong end) => SimTask.CompletedTask;
    public virtual SimTask PmdRangeEnd(Cpu cpu, ulong start, ulong end) => SimTask.CompletedTask;

    /// <summary>Around the remap pass of a batch of folios (ours uses it to pause once per batch).</summary>
    public virtual SimTask BatchStart(Cpu cpu) => SimTask.CompletedTask;
    public virtual SimTask BatchEnd(Cpu cpu) => SimTask.CompletedTask;

    /// <summary>A kernel translation fault on a vmemmap address (approach A installs a fixup): true = retry.</summary>
    public virtual SimTask<bool> HandleVmemmapFault(Cpu cpu, FaultInfo fault) => SimTask<bool>.FromResult(false);

    /// <summary>The IPI numbers this strategy handles, and its handler (D's pause).</summary>
    public virtual SimTask<bool> HandleIpi(Cpu cpu, int ipi) => SimTask<bool>.FromResult(false);
}

/// <summary>The generic behaviour with no arch override: what x86 does, and what arm64 ran before 060a2c92d1b6.</summary>
public sealed class GenericVmemmapArch : VmemmapArch
{
    public override string Name => "generic";
}
