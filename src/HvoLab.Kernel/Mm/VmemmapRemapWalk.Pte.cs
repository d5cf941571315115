using HvoLab.Arch;
using HvoLab.Engine;

namespace HvoLab.Kernel.Mm;

/// <summary>The PTE-level steps: vmemmap_remap_pte_range / vmemmap_restore_pte_range (series v2 patch 1).</summary>
public sealed partial class VmemmapRemapWalk
{
    /// <summary>Optimize: queue the old pages for freeing, copy the head page into the new reuse page (when this
    /// range starts at the reuse address), then point every PTE at the reuse page: the first RW, the rest RO.</summary>
    private async SimTask<int> VmemmapRemapPteRange(Cpu cpu, ulong start, ulong end, Func<ulong, ulong> ptepOf, VmemmapWalk walk)
    {
        var updates = new List<PteUpdate>();
        var queued = new List<ulong>();
        for (ulong addr = start; addr < end; addr += G.PageSize)
        {
            ulong ptep = ptepOf(addr);
            ulong old = await cpu.LoadPhys(ptep);
            queued.Add(Pt.PtePfn(old));
            bool isReuse = addr == walk.ReuseAddr;
            ulong prot = isReuse ? Prot.PAGE_KERNEL : Prot.PAGE_KERNEL_RO;
            ulong reusePfn = linux.Config.Design == HvoDesign.SharedTail2026 && !isReuse
                ? linux.Hugetlb.SharedTailPagePfn(walk.Order)
                : walk.ReusePfn!.Value;
            updates.Add(new PteUpdate(ptep, addr, old, Pt.MkPte(reusePfn, prot)));
        }
        if (start == walk.ReuseAddr)
        {
            // The new head page gets the still-mapped old head page's contents, made visible before the PTE.
            await hvo.CopyPageFromVa(cpu, walk.ReusePfn!.Value, start);
            await cpu.Barrier(BarrierKind.DmbIshSt, "vmemmap_remap_pte_range: smp_wmb()");
        }
        if (InPlace is not null) return await RemapPtesInPlace(cpu, end, updates, walk);
        walk.VmemmapPages.AddRange(queued);
        await Hooks.UpdatePteRange(cpu, start, end, updates);
        if (start == walk.ReuseAddr) walk.NewHeadMapped = true;
        if ((linux.Config.Reverted & RevertedFix.FreeBeforeFlush) != 0)
        {
            // The historical bug: old vmemmap pages returned to the allocator before the TLB flush.
            hvo.FreeVmemmapPageList(walk.VmemmapPages);
        }
        return 0;
    }

    /// <summary>Restore: each PTE must map the reuse page; copy it into a pre-allocated page, reset the head's
    /// metadata out of the copy (reset_struct_pages), then point the PTEs at those pages RW.</summary>
    private async SimTask<int> VmemmapRestorePteRange(Cpu cpu, ulong start, ulong end, Func<ulong, ulong> ptepOf, VmemmapWalk walk)
    {
        var updates = new List<PteUpdate>();
        if (InPlace is not null)
            return await RestorePtesInPlace(cpu, start, end, ptepOf, walk,
                linux.Config.Design == HvoDesign.SharedTail2026 ? linux.Hugetlb.SharedTailPagePfn(walk.Order) : walk.ReusePfn!.Value);
        for (ulong addr = start; addr < end; addr += G.PageSize)
        {
            ulong ptep = ptepOf(addr);
            ulong old = await cpu.LoadPhys(ptep);
            ulong expected = linux.Config.Design == HvoDesign.SharedTail2026 ? linux.Hugetlb.SharedTailPagePfn(walk.Order) : walk.ReusePfn!.Value;
            if (Pt.PtePfn(old) != expected)
            {
                cpu.Sim.ReportViolation(ViolationKind.BugOn, [cpu.Id], addr,
                    $"BUG_ON in vmemmap_restore_pte: PTE for 0x{addr:x} maps PFN 0x{Pt.PtePfn(old):x}, not the reuse page 0x{expected:x}");
                return -1;
            }
            if (await TakeRestoreCopy(cpu, walk, expected, end) is not ulong page) return HugetlbVmemmap.ENOMEM;
            updates.Add(new PteUpdate(ptep, addr, old, Pt.MkPte(page, Prot.PAGE_KERNEL)));
        }
        await cpu.Barrier(BarrierKind.DmbIshSt, "vmemmap_restore_pte_range: smp_wmb()");
        await Hooks.UpdatePteRange(cpu, start, end, updates);
        return 0;
    }

    /// <summary>The first page on the list (LIFO) gets the contents of <paramref name="srcPfn"/> (and the fake-head
    /// design's reset_struct_pages); null when the list is empty (-ENOMEM).</summary>
    private async SimTask<ulong?> TakeRestoreCopy(Cpu cpu, VmemmapWalk walk, ulong srcPfn, ulong end)
    {
        if (walk.VmemmapPages.Count == 0) return null;
        ulong page = walk.VmemmapPages[^1];
        walk.VmemmapPages.RemoveAt(walk.VmemmapPages.Count - 1);
        // Reads the reuse page (mapped by every vmemmap page of this folio), writes a page nothing maps yet.
        double ns = linux.Cost.Hardware.CopyPage4KNs * (L.PageSize / 4096.0);
        if (cpu.Sim.HasStoreBuffers && linux.Config.Design != HvoDesign.FakeHead)
        {
            // Arm data model: the copy's stores are buffered until they drain; vmemmap_restore_pte's smp_wmb() orders
            // them before the PTE store. (The source is read by PA: the reuse page, which does not move.)
            await cpu.StoreFrame(ns, cpu.Sim.Label("copy_page"), walk.ReuseAddr, end, page << G.PageShift, srcPfn << G.PageShift, 0, 0, (int)(L.PageSize / 8), srcIsPhysical: true);
            return page;
        }
        await cpu.Bulk(ns, cpu.Sim.Label("copy_page"), walk.ReuseAddr, end);
        hvo.CopyFrame(page, srcPfn);
        if (linux.Config.Design == HvoDesign.FakeHead) hvo.ResetStructPages(page);
        return page;
    }
}
