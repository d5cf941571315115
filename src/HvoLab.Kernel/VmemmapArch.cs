using HvoLab.Arch;
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

/// <summary>One PTE the generic code wants written: where it lives (<paramref name="PtepPa"/>, the PA of the entry),
/// the VA it maps, its old and its new value.</summary>
public readonly record struct PteUpdate(ulong PtepPa, ulong Va, ulong OldPte, ulong NewPte);

/// <summary>What a strategy's refusal rule and vmemmap_update_supported() look at: the machine and the kernel build,
/// known before anything boots.</summary>
public sealed record SystemConfig(MachineConfig Machine, KernelConfig Kernel);

/// <summary>
/// The architecture seam the seed series adds to mm/hugetlb_vmemmap.c (seed-series.md §2.2, §1.1): how a range of
/// live vmemmap PTEs and a live vmemmap PMD are rewritten, which generic TLB flushes to skip, and whether HVO may be
/// enabled at all. Generic code calls these members; the defaults are the generic (x86) behaviour: write the live
/// entry directly and flush afterwards. A strategy overrides what it changes and reaches the kernel only through
/// <see cref="K"/> (<see cref="IKernelServices"/>); IPI handlers and fault fixups are registered there, not hooked.
/// </summary>
public abstract class VmemmapArch
{
    private IKernelServices? _k;

    /// <summary>The kernel services, available from <see cref="OnAttach"/> on.</summary>
    protected IKernelServices K => _k ?? throw new InvalidOperationException($"strategy {Name} is not attached to a kernel yet");

    /// <summary>The strategy's name as used on the command line and in scenarios.</summary>
    public abstract string Name { get; }

    internal void Attach(IKernelServices services) { _k = services; OnAttach(); }

    /// <summary>Called once at boot, after the kernel is set up and before anything runs: register IPI cases,
    /// fault fixups, the CPU pause (all through <see cref="K"/>).</summary>
    protected virtual void OnAttach() { }

    /// <summary>Why the modelled kernel would not run this strategy on this machine (a hardware feature or kernel
    /// option missing), or null. Asked by the runner before anything runs.</summary>
    public virtual string? Refusal(SystemConfig config) => null;

    /// <summary>vmemmap_update_supported(): false turns HVO off at init (hugetlb_vmemmap_init). Default: not refused.</summary>
    public virtual bool UpdateSupported(SystemConfig config) => Refusal(config) is null;

    /// <summary>VMEMMAP_ARCH_TLB_FLUSH_FLAGS: the generic flushes this strategy does itself.</summary>
    public virtual VmemmapFlags ArchTlbFlushFlags => VmemmapFlags.None;

    /// <summary>Whether vmemmap_split_pmd() holds init_mm.page_table_lock around <see cref="UpdatePmd"/> (the kernel
    /// does; a stop_machine()-based strategy cannot sleep under a spinlock and excludes everyone anyway).</summary>
    public virtual bool SplitUnderPageTableLock => true;

    /// <summary>Writes a range of PTEs of one PMD (vmemmap_remap_pte_range / vmemmap_restore_pte_range, between
    /// vmemmap_update_pte_range_start and _end in the series). Default: set_pte_at over each live entry.</summary>
    public virtual async SimTask UpdatePteRange(Cpu cpu, ulong start, ulong end, IReadOnlyList<PteUpdate> updates)
    {
        foreach (var u in updates) await K.SetPte(cpu, u.PtepPa, u.NewPte);
    }

    /// <summary>Replaces the PMD block mapping [start, start + PMD_SIZE) by the PTE table at <paramref name="ptePagePa"/>
    /// (vmemmap_split_pmd, with init_mm.page_table_lock held unless <see cref="SplitUnderPageTableLock"/> is false).
    /// Default: pmd_populate_kernel over the live block.</summary>
    public virtual SimTask UpdatePmd(Cpu cpu, ulong pmdpPa, ulong start, ulong ptePagePa) => K.PmdPopulateKernel(cpu, pmdpPa, ptePagePa);

    /// <summary>Around the remap pass of a batch of folios (hugetlb_vmemmap_optimize_folios and the restore loop).</summary>
    public virtual SimTask BatchStart(Cpu cpu) => SimTask.CompletedTask;

    /// <inheritdoc cref="BatchStart"/>
    public virtual SimTask BatchEnd(Cpu cpu) => SimTask.CompletedTask;
}

/// <summary>The generic behaviour with no arch override: what x86 does, and what arm64 ran before 060a2c92d1b6.</summary>
public sealed class GenericVmemmapArch : VmemmapArch
{
    public override string Name => "generic";
}
