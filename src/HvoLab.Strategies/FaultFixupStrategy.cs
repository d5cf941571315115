using HvoLab.Engine;
using HvoLab.Kernel;

namespace HvoLab.Strategies;

/// <summary>
/// Approach A (Nanyong Sun, v3 20240113094436.2506396-3-sunnanyong@huawei.com; seed-series.md §3): break-before-make on
/// the live entries under init_mm.page_table_lock with interrupts enabled; a CPU that touches the vmemmap inside the
/// window takes a kernel translation fault, and vmemmap_handle_page_fault() waits for the lock and retries.
/// </summary>
public sealed class FaultFixupStrategy : Strategy
{
    public override string Name => "A";
    public override string Title => "break-before-make + kernel fault fixup";
    public override string Needs => "nothing";
    public override string Source => "20240113094436.2506396-3-sunnanyong@huawei.com";
    public override string Doc => "Each PTE is cleared, flushed and rewritten under init_mm.page_table_lock; a CPU that faults on the vmemmap meanwhile waits for the lock in the fault handler and retries.";
    public override int Order => 2;
    public override VmemmapFlags ArchTlbFlushFlags => VmemmapFlags.SplitNoTlbFlush | VmemmapFlags.RemapNoTlbFlush;

    protected override void OnAttach() => K.RegisterVmemmapFaultFixup(VmemmapHandlePageFault);

    /// <summary>vmemmap_update_pte() for each PTE: lock; pte_clear; flush_tlb_kernel_range(addr, addr+PAGE_SIZE);
    /// set_pte_at; unlock.</summary>
    public override async SimTask UpdatePteRange(Cpu cpu, ulong start, ulong end, IReadOnlyList<PteUpdate> updates)
    {
        foreach (var u in updates)
        {
            await K.SpinLock(cpu, K.InitMmPageTableLock);
            await K.PteClear(cpu, u.PtepPa);
            await K.FlushTlbKernelRange(cpu, u.Va, u.Va + K.Granule.PageSize);
            await K.SetPte(cpu, u.PtepPa, u.NewPte);
            await K.SpinUnlock(cpu, K.InitMmPageTableLock);
        }
    }

    /// <summary>vmemmap_update_pmd(): the caller holds init_mm.page_table_lock (lockdep-asserted); pmd_clear;
    /// flush_tlb_kernel_range(addr, addr+PMD_SIZE); pmd_populate_kernel.</summary>
    public override async SimTask UpdatePmd(Cpu cpu, ulong pmdpPa, ulong start, ulong ptePagePa)
    {
        await K.PmdClear(cpu, pmdpPa);
        await K.FlushTlbKernelRange(cpu, start, start + K.Granule.PmdSize);
        await K.PmdPopulateKernel(cpu, pmdpPa, ptePagePa);
    }

    /// <summary>vmemmap_handle_page_fault() (arch/arm64/mm/fault.c in the series): a level-2/3 translation fault in
    /// [VMEMMAP_START, VMEMMAP_END) waits on init_mm.page_table_lock until the updater has made the entry valid, then
    /// retries if the PMD is a table and the PTE a page (vmemmap_addr_healthy).</summary>
    private async SimTask<bool> VmemmapHandlePageFault(Cpu cpu, FaultInfo fault)
    {
        if (fault.Level is not (2 or 3)) return false;
        await K.SpinLock(cpu, K.InitMmPageTableLock);
        bool healthy = await VmemmapAddrHealthy(cpu, fault.Va);
        await K.SpinUnlock(cpu, K.InitMmPageTableLock);
        return healthy;
    }

    private async SimTask<bool> VmemmapAddrHealthy(Cpu cpu, ulong va)
    {
        ulong pmd = await K.PmdpGet(cpu, K.PmdOffK(va));
        if (!K.PmdTable(pmd)) return false;
        ulong pte = await K.PtepGet(cpu, K.PteOffsetKernel(pmd, va));
        return K.PteValid(pte);
    }
}
