using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using HvoLab.Kernel.Mm;
using HvoLab.Kernel.Primitives;
using HvoLab.Kernel.Workloads;
using HvoLab.Kernel;

namespace HvoLab.Strategies;

/// <summary>
/// Approach A (Nanyong Sun, v3 20240113094436.2506396-3-sunnanyong@huawei.com; seed-series.md §3): break-before-make on
/// the live entries under init_mm.page_table_lock with interrupts enabled; a CPU that touches the vmemmap inside the
/// window takes a kernel translation fault, and vmemmap_handle_page_fault() waits for the lock and retries.
/// </summary>
public sealed class FaultFixupStrategy : VmemmapArch
{
    public override string Name => "A";
    public override VmemmapFlags ArchTlbFlushFlags => VmemmapFlags.SplitNoTlbFlush | VmemmapFlags.RemapNoTlbFlush;

    /// <summary>vmemmap_update_pte() for each PTE: lock; pte_clear; flush_tlb_kernel_range(addr, addr+PAGE_SIZE);
    /// set_pte_at; unlock.</summary>
    public override async SimTask UpdatePteRange(Cpu cpu, ulong start, ulong end, IReadOnlyList<PteUpdate> updates)
    {
        ulong lockPa = Kernel.Data.InitMmPageTableLock;
        foreach (var u in updates)
        {
            await Locks.SpinLock(cpu, lockPa);
            await Kernel.Pt.PteClear(cpu, u.PtepPa);
            await Kernel.Pt.FlushTlbKernelRange(cpu, u.Va, u.Va + Kernel.Layout.PageSize);
            await Kernel.Pt.SetPteAt(cpu, u.PtepPa, u.NewPte);
            await Locks.SpinUnlock(cpu, lockPa);
        }
    }

    /// <summary>vmemmap_update_pmd(): the caller holds init_mm.page_table_lock (lockdep-asserted); pmd_clear;
    /// flush_tlb_kernel_range(addr, addr+PMD_SIZE); pmd_populate_kernel.</summary>
    public override async SimTask UpdatePmd(Cpu cpu, ulong pmdpPa, ulong start, ulong ptePagePa)
    {
        await Kernel.Pt.PmdClear(cpu, pmdpPa);
        await Kernel.Pt.FlushTlbKernelRange(cpu, start, start + Kernel.Layout.Granule.PmdSize);
        await Kernel.Pt.PmdPopulateKernel(cpu, pmdpPa, ptePagePa);
    }

    /// <summary>vmemmap_handle_page_fault() (arch/arm64/mm/fault.c in the series): a level-2/3 translation fault in
    /// [VMEMMAP_START, VMEMMAP_END) waits on init_mm.page_table_lock until the updater has made the entry valid, then
    /// retries if the PMD is a table and the PTE a page (vmemmap_addr_healthy).</summary>
    public override async SimTask<bool> HandleVmemmapFault(Cpu cpu, FaultInfo fault)
    {
        if (fault.Level is not (2 or 3)) return false;
        ulong lockPa = Kernel.Data.InitMmPageTableLock;
        await Locks.SpinLock(cpu, lockPa);
        bool healthy = await VmemmapAddrHealthy(cpu, fault.Va);
        await Locks.SpinUnlock(cpu, lockPa);
        return healthy;
    }

    private async SimTask<bool> VmemmapAddrHealthy(Cpu cpu, ulong va)
    {
        var g = Kernel.Layout.Granule;
        ulong pmdp = Kernel.Hvo.PmdOffKPublic(va);
        ulong pmd = await cpu.LoadPhys(pmdp);
        if (!new Descriptor(pmd).IsTable(g, 2)) return false;
        ulong ptep = (pmd & DescBits.AddressMask(g.PageShift)) + ((ulong)g.Index(va, 3) << 3);
        ulong pte = await cpu.LoadPhys(ptep);
        return new Descriptor(pte).IsPage(g, 3);
    }
}
