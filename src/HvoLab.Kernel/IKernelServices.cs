using HvoLab.Arch;
using HvoLab.Engine;
using HvoLab.Kernel.Primitives;

namespace HvoLab.Kernel;

/// <summary>
/// The kernel as a strategy sees it: the operations a break-before-make scheme is built from, each named after the
/// kernel function it models (PascalCase of the C name: set_pte → <see cref="SetPte"/>). Every operation runs on
/// the CPU passed first and takes simulated time; the model checker interleaves at each memory access, barrier and
/// TLBI inside. Page-table entries are addressed by the PA of the entry (ptep/pmdp), as the generic code hands them
/// over in <see cref="PteUpdate"/>. Nothing here exposes simulator internals: closed-form handlers, cost tables and
/// scheduling stay behind it.
/// </summary>
public interface IKernelServices
{
    // ---- configuration ----

    /// <summary>The translation granule (PAGE_SIZE is <c>Granule.PageSize</c>, PMD_SIZE <c>Granule.PmdSize</c>).</summary>
    Granule Granule { get; }
    /// <summary>Which HVO design the kernel runs (fake heads or the 2026 shared tail page).</summary>
    HvoDesign Design { get; }
    /// <summary>system_uses_irq_prio_masking(): pseudo-NMI is in use.</summary>
    bool PseudoNmi { get; }
    /// <summary>num_online_cpus().</summary>
    int NumOnlineCpus { get; }

    // ---- page tables (arch/arm64/include/asm/pgtable.h) ----

    /// <summary>set_pte_at() on init_mm: WRITE_ONCE, then dsb(ishst); isb() for a valid entry.</summary>
    SimTask SetPte(Cpu cpu, ulong ptep, ulong pte);
    /// <summary>pte_clear(): write 0, no barrier.</summary>
    SimTask PteClear(Cpu cpu, ulong ptep);
    /// <summary>ptep_get(): READ_ONCE of the entry.</summary>
    SimTask<ulong> PtepGet(Cpu cpu, ulong ptep);
    /// <summary>cmpxchg_relaxed() on a descriptor: returns the value found; the entry holds <paramref name="new"/> iff it equals <paramref name="old"/>.</summary>
    SimTask<ulong> CmpxchgRelaxed(Cpu cpu, ulong ptep, ulong old, ulong @new);
    /// <summary>arm64 try_update_vmemmap_pte() of the 2026 mm tree (AF clear, flush, whole-descriptor CAS, 16
    /// attempts): 0, -EAGAIN, -EINVAL or -EOPNOTSUPP (Primitives/Arm64VmemmapUpdate.cs).</summary>
    SimTask<int> TryUpdateVmemmapPte(Cpu cpu, ulong addr, ulong ptep, ulong pte);
    /// <summary>arm64 try_populate_vmemmap_pmd(): direct with BBML2_NOABORT, else the AF loop on the block.</summary>
    SimTask<int> TryPopulateVmemmapPmd(Cpu cpu, ulong addr, ulong pmdp, ulong ptePage);
    /// <summary>pmd_clear().</summary>
    SimTask PmdClear(Cpu cpu, ulong pmdp);
    /// <summary>pmdp_get(): READ_ONCE of a PMD entry.</summary>
    SimTask<ulong> PmdpGet(Cpu cpu, ulong pmdp);
    /// <summary>pmd_populate_kernel(): table descriptor for the PTE page at <paramref name="ptePage"/>; dsb(ishst); isb().</summary>
    SimTask PmdPopulateKernel(Cpu cpu, ulong pmdp, ulong ptePage);
    /// <summary>pmd_off_k(): the PA of the PMD entry that maps kernel VA <paramref name="va"/> (a walk of the live tables above it).</summary>
    ulong PmdOffK(ulong va);
    /// <summary>pte_offset_kernel(): the PA of the PTE for <paramref name="va"/> in the table a PMD value points to.</summary>
    ulong PteOffsetKernel(ulong pmd, ulong va);
    /// <summary>pmd_leaf(): a block mapping.</summary>
    bool PmdLeaf(ulong pmd);
    /// <summary>pmd_table(): a table descriptor.</summary>
    bool PmdTable(ulong pmd);
    /// <summary>pte_valid() of a level-3 page descriptor.</summary>
    bool PteValid(ulong pte);
    /// <summary>pte_write(): writable (AP[2] clear).</summary>
    bool PteWrite(ulong pte);
    /// <summary>pte_pfn().</summary>
    ulong PtePfn(ulong pte);
    /// <summary>pfn_pte(pfn, PAGE_KERNEL) (<paramref name="readOnly"/>: PAGE_KERNEL_RO).</summary>
    ulong PfnPte(ulong pfn, bool readOnly = false);

    // ---- TLB and barriers (arch/arm64/include/asm/tlbflush.h, barrier.h) ----

    /// <summary>flush_tlb_kernel_range(start, end): TLBI by VA (or range, or all past the DVM limit), dsb(ish), isb().</summary>
    SimTask FlushTlbKernelRange(Cpu cpu, ulong start, ulong end);
    /// <summary>flush_tlb_all().</summary>
    SimTask FlushTlbAll(Cpu cpu);
    /// <summary>dsb(ish) (<paramref name="kind"/> for the other variants: ishst, ...).</summary>
    SimTask Dsb(Cpu cpu, BarrierKind kind = BarrierKind.DsbIsh, string? site = null);
    /// <summary>isb().</summary>
    SimTask Isb(Cpu cpu, string? site = null);

    // ---- locks and interrupts ----

    /// <summary>&amp;init_mm.page_table_lock, for the lock calls below.</summary>
    ulong InitMmPageTableLock { get; }
    /// <summary>spin_lock() (reports lock-in-nmi when called in NMI context).</summary>
    SimTask SpinLock(Cpu cpu, ulong lockp);
    /// <summary>spin_unlock().</summary>
    SimTask SpinUnlock(Cpu cpu, ulong lockp);
    /// <summary>spin_lock_irqsave(): returns the flags for <see cref="SpinUnlockIrqRestore"/>.</summary>
    SimTask<bool> SpinLockIrqSave(Cpu cpu, ulong lockp);
    /// <summary>spin_unlock_irqrestore().</summary>
    SimTask SpinUnlockIrqRestore(Cpu cpu, ulong lockp, bool flags);
    /// <summary>local_irq_disable(): PMR masking under pseudo-NMI (NMIs still taken), else PSTATE.I.</summary>
    SimTask LocalIrqDisable(Cpu cpu);
    /// <summary>local_irq_enable().</summary>
    SimTask LocalIrqEnable(Cpu cpu);
    /// <summary>local_irq_save(): returns the flags for <see cref="LocalIrqRestore"/>.</summary>
    SimTask<bool> LocalIrqSave(Cpu cpu);
    /// <summary>local_irq_restore().</summary>
    SimTask LocalIrqRestore(Cpu cpu, bool flags);
    /// <summary>local_daif_mask(): PSTATE.DAIF set, so not even a pseudo-NMI is taken.</summary>
    SimTask LocalDaifMask(Cpu cpu);
    /// <summary>local_daif_restore() of the state saved by <see cref="LocalDaifMask"/>.</summary>
    SimTask LocalDaifRestore(Cpu cpu);

    // ---- other CPUs ----

    /// <summary>stop_machine(fn): runs <paramref name="fn"/> on this CPU while every other CPU spins with interrupts off.</summary>
    SimTask StopMachine(Cpu cpu, Func<Cpu, SimTask> fn);
    /// <summary>smp_call_function_many(mask, fn, wait): runs <paramref name="fn"/> in IPI context on every CPU of the mask but this one.</summary>
    SimTask SmpCallFunctionMany(Cpu cpu, CpuMask mask, Func<Cpu, SimTask> fn, bool wait);
    /// <summary>synchronize_rcu(): returns after every other CPU has left any RCU read-side section it was in.</summary>
    SimTask SynchronizeRcu(Cpu cpu);
    /// <summary>The seed series' pause_remote_cpus() / resume_remote_cpus() with the pause sent as <paramref name="ipi"/>
    /// (its pause_local_cpu() is the IPI_CPU_STOP(_NMI) case of do_handle_IPI()). Call from OnAttach; one per strategy.</summary>
    ICpuPause CpuPause(PauseIpi ipi);
    /// <summary>Adds a case to do_handle_IPI()'s switch for IPI number <paramref name="ipi"/> (a free one, such as
    /// IPI_KGDB_ROUNDUP + 1 and up); <paramref name="nmi"/> asks ipi_should_be_nmi() to make it a pseudo-NMI, which
    /// takes effect only when the machine uses pseudo-NMI (<see cref="PseudoNmi"/>). Call from OnAttach.</summary>
    void RegisterIpi(int ipi, Func<Cpu, SimTask> handler, bool nmi);
    /// <summary>smp_cross_call(mask, ipi): send IPI <paramref name="ipi"/> to the CPUs of the mask (not waiting for it).</summary>
    SimTask SmpCrossCall(Cpu cpu, CpuMask mask, int ipi);
    /// <summary>Registers the vmemmap fault fixup (approach A's vmemmap_handle_page_fault()): called by
    /// __do_kernel_fault() for a translation fault on a vmemmap address; return true to retry the access.</summary>
    void RegisterVmemmapFaultFixup(Func<Cpu, FaultInfo, SimTask<bool>> fixup);

    // ---- struct page contents ----

    /// <summary>The time copy_page() takes for <paramref name="bytes"/>, as one bulk step over the struct pages in
    /// [<paramref name="lo"/>, <paramref name="hi"/>) (what a reader racing the copy conflicts with).</summary>
    SimTask CopyPageTime(Cpu cpu, ulong bytes, ulong lo, ulong hi);
    /// <summary>The contents of copy_page(to, from) on vmemmap frames, in one step (the caller has excluded every
    /// writer; its time is <see cref="CopyPageTime"/>).</summary>
    void CopyPage(ulong toPfn, ulong fromPfn);
    /// <summary>reset_struct_pages() on each frame of <paramref name="pfns"/>, as one bulk step over [lo, hi).</summary>
    SimTask ResetStructPages(Cpu cpu, IReadOnlyCollection<ulong> pfns, ulong lo, ulong hi);
}
