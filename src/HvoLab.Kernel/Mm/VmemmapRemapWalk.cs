using HvoLab.Arch;
using HvoLab.Engine;
using HvoLab.Kernel.Primitives;

namespace HvoLab.Kernel.Mm;

/// <summary>
/// The page-table walk of mm/hugetlb_vmemmap.c: vmemmap_remap_range() over a folio's vmemmap, vmemmap_pmd_entry()
/// (split a leaf PMD, then the PTE range), vmemmap_split_pmd(), and the PTE-level remap and restore
/// (VmemmapRemapWalk.Pte.cs) or their 2026 in-place forms (VmemmapRemapWalk.InPlace.cs). The folio-level callers and
/// the page helpers are <see cref="HugetlbVmemmap"/>.
/// </summary>
public sealed partial class VmemmapRemapWalk(Linux linux, HugetlbVmemmap hvo)
{
    private Layout L => linux.Layout;
    private Granule G => L.Granule;
    private PageTableOps Pt => linux.Pt;
    private VmemmapArch Hooks => linux.Hooks;

    /// <summary>vmemmap_remap_range(): the page walk over [start, end), then the flush. (The series' update lock,
    /// cpus_read_lock() for D, is not modelled: no CPU hotplug in the model.)</summary>
    internal async SimTask<int> VmemmapRemapRange(Cpu cpu, ulong start, ulong end, VmemmapWalk walk)
    {
        // mmap_read_lock(&init_mm): no writer of init_mm's mmap lock exists in the modelled scenarios.
        int ret = 0;
        for (ulong addr = start; addr < end;)
        {
            ulong next = Math.Min((addr + G.PmdSize) & ~(G.PmdSize - 1), end);
            ret = await VmemmapPmdEntry(cpu, addr, next, walk);
            if (ret != 0) break;
            addr = next;
        }
        if (walk.Kind != VmemmapWalk.Action.SplitOnly && (walk.Flags & VmemmapFlags.RemapNoTlbFlush) == 0)
            await Pt.FlushTlbKernelRange(cpu, start, end);
        return ret;
    }

    /// <summary>PA of the level-2 descriptor (PMD) for a kernel VA, read from the live tables (pmd_off_k).</summary>
    internal ulong PmdOffK(ulong va)
    {
        ulong table = linux.Arch.Ttbr1;
        for (int level = G.StartLevel; level < 2; level++)
        {
            ulong desc = linux.Arch.ReadPhys(table + ((ulong)G.Index(va, level) << 3));
            table = desc & DescBits.AddressMask(G.PageShift);
        }
        return table + ((ulong)G.Index(va, 2) << 3);
    }

    private bool PmdLeaf(ulong pmd) => new Descriptor(pmd).IsBlock(G, 2);

    /// <summary>vmemmap_pmd_entry() in the batched form of series patch 1: split a leaf PMD, then hand the PTEs of
    /// [addr, next) to the remap or restore routine.</summary>
    private async SimTask<int> VmemmapPmdEntry(Cpu cpu, ulong addr, ulong next, VmemmapWalk walk)
    {
        ulong pmdp = PmdOffK(addr);
        ulong? head;
        if ((linux.Config.Reverted & RevertedFix.PmdSplitLock) != 0)
        {
            // Before the July 2023 fix: pmd_leaf() and pmd_page() read without init_mm.page_table_lock.
            ulong pmd = await cpu.LoadPhys(pmdp);
            head = null;
            if (PmdLeaf(pmd))
            {
                ulong again = await cpu.LoadPhys(pmdp);   // pmd_page(*pmd): a second, unlocked read
                head = (again & DescBits.AddressMask(G.PageShift)) >> G.PageShift;
            }
        }
        else
        {
            await Locks.SpinLock(cpu, linux.Data.InitMmPageTableLock);
            ulong pmd = await cpu.LoadPhys(pmdp);
            head = PmdLeaf(pmd) ? new Descriptor(pmd).OutputAddress(G, 2) >> G.PageShift : null;
            await Locks.SpinUnlock(cpu, linux.Data.InitMmPageTableLock);
        }
        if (head is ulong h)
        {
            int r = await VmemmapSplitPmd(cpu, pmdp, h, addr & ~(G.PmdSize - 1), walk);
            if (r != 0) return r;
        }
        if (walk.Kind == VmemmapWalk.Action.SplitOnly) return 0;

        ulong ptePage = (await cpu.LoadPhys(pmdp)) & DescBits.AddressMask(G.PageShift);
        ulong PtepOf(ulong va) => ptePage + ((ulong)G.Index(va, 3) << 3);
        walk.NrWalked += (long)((next - addr) >> G.PageShift);
        if (walk.ReusePfn is null)
        {
            // The first PTE maps the reuse page: adopt it and skip it (restore, or optimize without a new head copy).
            walk.ReusePfn = Pt.PtePfn(await cpu.LoadPhys(PtepOf(addr)));
            addr += G.PageSize;
            if (addr >= next) return 0;
        }
        return walk.Kind == VmemmapWalk.Action.Remap
            ? await VmemmapRemapPteRange(cpu, addr, next, PtepOf, walk)
            : await VmemmapRestorePteRange(cpu, addr, next, PtepOf, walk);
    }

    /// <summary>The fill of the new PTE table under the Arm data model: the PTRS_PER_PTE stores are one buffered frame
    /// store (walkers and other CPUs see the table's old, zeroed contents until it drains), and arm64's set_pte_at()
    /// ends each valid kernel entry with emit_pte_barriers(): dsb(ishst); isb() (arch/arm64/include/asm/pgtable.h,
    /// __set_pte_complete; no lazy-MMU mode here). Every entry's barrier orders the stores before it, so one DSB after
    /// the last store orders the fill before what follows exactly as PTRS_PER_PTE of them do. Under sc the barrier
    /// orders nothing and is left out (the pinned searches keep their steps).</summary>
    private async SimTask FillPteTableBuffered(Cpu cpu, ulong tablePa, ulong headPfn)
    {
        ulong first = Pt.MkPte(headPfn, Prot.PAGE_KERNEL);
        for (int i = 0; i < G.EntriesPerTable; i++)
            linux.Monitors.OnPteWritten(cpu, tablePa + (ulong)(8 * i), first + ((ulong)i << G.PageShift));
        await cpu.StoreFrame(G.EntriesPerTable * linux.Cost.Hardware.PteWriteNs, cpu.Sim.Label("fill pte table"), 0, 0,
            tablePa, ulong.MaxValue, first, 1UL << G.PageShift, G.EntriesPerTable);
        await cpu.Barrier(BarrierKind.DsbIshSt, "vmemmap_split_pmd: set_pte_at dsb(ishst)");
        await cpu.Isb("vmemmap_split_pmd: set_pte_at isb()");
    }

    /// <summary>vmemmap_split_pmd(): build a PTE table mapping the same pages, then (under init_mm.page_table_lock,
    /// if the PMD is still a leaf) replace the live block by the table through the arch hook.</summary>
    private async SimTask<int> VmemmapSplitPmd(Cpu cpu, ulong pmdp, ulong headPfn, ulong start, VmemmapWalk walk)
    {
        ulong? tablePfn = await hvo.AllocPage(cpu);                           // pte_alloc_one_kernel
        if (tablePfn is not ulong tp) return HugetlbVmemmap.ENOMEM;
        ulong tablePa = tp << G.PageShift;
        // Fill PTRS_PER_PTE entries PAGE_KERNEL, same pages: the table is private until populated, so its stores are
        // one private step (each set_pte_at on it costs PteWriteNs).
        if (cpu.Sim.HasStoreBuffers) await FillPteTableBuffered(cpu, tablePa, headPfn);
        else
        {
            for (int i = 0; i < G.EntriesPerTable; i++)
            {
                ulong pte = Pt.MkPte(headPfn + (ulong)i, Prot.PAGE_KERNEL);
                linux.Arch.Memory.Write(tablePa + (ulong)(8 * i), pte);
                linux.Monitors.OnPteWritten(cpu, tablePa + (ulong)(8 * i), pte);
            }
            await cpu.Work(G.EntriesPerTable * linux.Cost.Hardware.PteWriteNs, cpu.Sim.Label("fill pte table"));
        }

        bool locked = Hooks.SplitUnderPageTableLock;
        if (locked) await Locks.SpinLock(cpu, linux.Data.InitMmPageTableLock);
        ulong pmd = await cpu.LoadPhys(pmdp);
        if (PmdLeaf(pmd))
        {
            await cpu.Barrier(BarrierKind.DmbIshSt, "vmemmap_split_pmd: smp_wmb()"); // PTEs visible before the PMD
            if (InPlace is not null)
            {
                int r = await HvoPopulateVmemmapPmd(cpu, start, pmdp, tablePa);
                if (r != 0)
                {
                    linux.Arch.ForgetTable(tablePa);
                    hvo.FreePage(tp);                                           // pte_free_kernel; the error goes up
                    if (locked) await Locks.SpinUnlock(cpu, linux.Data.InitMmPageTableLock);
                    return r;
                }
            }
            else await Hooks.UpdatePmd(cpu, pmdp, start, tablePa);
            if ((walk.Flags & VmemmapFlags.SplitNoTlbFlush) == 0)
                await Pt.FlushTlbKernelRange(cpu, start, start + G.PmdSize);
        }
        else hvo.FreePage(tp);                                                  // pte_free_kernel: someone split it first
        if (locked) await Locks.SpinUnlock(cpu, linux.Data.InitMmPageTableLock);
        return 0;
    }
}
