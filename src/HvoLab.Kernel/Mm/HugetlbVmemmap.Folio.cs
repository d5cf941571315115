using HvoLab.Engine;

namespace HvoLab.Kernel.Mm;

/// <summary>The folio-level entry points of mm/hugetlb_vmemmap.c: optimize and restore, single and batched.</summary>
public sealed partial class HugetlbVmemmap
{
    private VmemmapFlags ArchFlags => Hooks.ArchTlbFlushFlags;

    private async SimTask<bool> IsOptimized(Cpu cpu, Folio folio) =>
        (await cpu.Load(folio.HeadPage + StructPage.Private) & StructPage.HPG_vmemmap_optimized) != 0;

    private async SimTask SetOptimized(Cpu cpu, Folio folio, bool on)
    {
        ulong va = folio.HeadPage + StructPage.Private;
        ulong v = await cpu.Load(va);
        await cpu.Store(va, on ? v | StructPage.HPG_vmemmap_optimized : v & ~StructPage.HPG_vmemmap_optimized);
    }

    private async SimTask CheckFrozen(Cpu cpu, Folio folio)
    {
        uint rc = (uint)await cpu.Load(folio.HeadPage + StructPage.RefCount, 4);
        if (rc != 0)
            cpu.Sim.ReportViolation(ViolationKind.RefcountNotFrozen, [cpu.Id], folio.HeadPage,
                $"VM_WARN_ON_ONCE_FOLIO: folio at PFN 0x{folio.HeadPfn:x} has refcount {rc} while HVO changes its vmemmap");
    }

    private async SimTask StaticBranch(Cpu cpu, bool inc)
    {
        if (linux.Config.Design != HvoDesign.FakeHead) return;   // 2026: the static key is gone
        await cpu.FetchAddPhys(linux.Data.HugetlbOptimizeVmemmapKey, inc ? 1UL : ulong.MaxValue, MemOrder.Full);   // static_branch_inc/dec: text patching, fully ordered
    }

    private bool RcuSyncInUse => linux.Config.Design == HvoDesign.FakeHead && (linux.Config.Reverted & RevertedFix.RcuSync) == 0;

    /// <summary>__hugetlb_vmemmap_optimize_folio().</summary>
    internal async SimTask<int> HugetlbVmemmapOptimizeFolioCore(Cpu cpu, Folio folio, List<ulong> vmemmapPages, VmemmapFlags flags)
    {
        await CheckFrozen(cpu, folio);
        if (!linux.VmemmapOptimizeEnabled || OptimizableSize(folio.Bytes) == 0 || await IsOptimized(cpu, folio)) return 0;
        await StaticBranch(cpu, inc: true);
        if ((flags & VmemmapFlags.SynchronizeRcu) != 0 && RcuSyncInUse) await linux.Rcu.SynchronizeRcu(cpu);
        // "Very Subtle": set the optimized flag before the remap, so it lands in the copied head page.
        await SetOptimized(cpu, folio, true);
        ulong reuse = folio.HeadPage;
        ulong vmemmapEnd = reuse + VmemmapSize(folio.Bytes);
        int ret = await VmemmapRemapFree(cpu, reuse + L.PageSize, vmemmapEnd, reuse, vmemmapPages, flags, folio.Order);
        if (ret == VmemmapRemapIncomplete)
        {
            // The rollback failed too: the folio keeps its flag, partly optimized; restore finishes it later.
            linux.HvoCounters.PartialOptimize++;
            folio.Optimized = true;
        }
        else if (ret != 0)
        {
            await StaticBranch(cpu, inc: false);
            await SetOptimized(cpu, folio, false);
        }
        else folio.Optimized = true;
        return ret;
    }

    /// <summary>vmemmap_remap_free(): allocate the new head page (GFP_KERNEL|__GFP_NORETRY; on failure the current
    /// head page is reused), walk [reuse, end), and roll back the walked prefix on failure.</summary>
    private async SimTask<int> VmemmapRemapFree(Cpu cpu, ulong start, ulong end, ulong reuse, List<ulong> vmemmapPages, VmemmapFlags flags, int order)
    {
        var walk = new VmemmapWalk { Kind = VmemmapWalk.Action.Remap, ReuseAddr = reuse, VmemmapPages = vmemmapPages, Flags = flags, Order = order };
        walk.ReusePfn = await AllocPage(cpu);
        bool newHead = walk.ReusePfn is not null;
        if (newHead) linux.VmemmapPagesAllocated++;
        int ret = await Walk.VmemmapRemapRange(cpu, reuse, end, walk);
        if (ret != 0 && newHead && !walk.NewHeadMapped && walk.ReusePfn is ulong unused)
        {
            // The new head page sits on the free list until the head PTE maps it (2026 vmemmap_remap_free); a walk that
            // fails before that frees it with the list instead of leaking it.
            vmemmapPages.Add(unused);
            linux.HvoCounters.UnusedHeadPagesFreed++;
        }
        if (ret != 0 && walk.NrWalked > 0)
        {
            ulong rollbackEnd = reuse + (ulong)walk.NrWalked * L.PageSize;
            var back = new VmemmapWalk { Kind = VmemmapWalk.Action.Restore, ReuseAddr = reuse, ReusePfn = walk.ReusePfn, VmemmapPages = vmemmapPages, Flags = VmemmapFlags.None, Order = order };
            int rb = await Walk.VmemmapRemapRange(cpu, reuse + L.PageSize, rollbackEnd, back);
            if (InPlace is not null)
            {
                if (rb != 0) return VmemmapRemapIncomplete;
                linux.HvoCounters.Rollbacks++;
            }
        }
        return ret;
    }

    /// <summary>hugetlb_vmemmap_optimize_folio(): one folio, synchronize_rcu, flush, then free the old pages.</summary>
    public async SimTask HugetlbVmemmapOptimizeFolio(Cpu cpu, Folio folio)
    {
        var pages = new List<ulong>();
        await HugetlbVmemmapOptimizeFolioCore(cpu, folio, pages, VmemmapFlags.SynchronizeRcu | ArchFlags);
        FreeVmemmapPageList(pages);
    }

    /// <summary>hugetlb_vmemmap_optimize_folios(): split pass, one flush, remap pass with one synchronize_rcu per
    /// batch and deferred flushes, retry after -ENOMEM with pages to free, final flush, then free.</summary>
    public async SimTask HugetlbVmemmapOptimizeFolios(Cpu cpu, IReadOnlyList<Folio> folios)
    {
        foreach (var folio in folios)
        {
            if (!linux.VmemmapOptimizeEnabled || OptimizableSize(folio.Bytes) == 0) continue;
            ulong reuse = folio.HeadPage;
            var split = new VmemmapWalk { Kind = VmemmapWalk.Action.SplitOnly, Flags = VmemmapFlags.SplitNoTlbFlush };
            if (await Walk.VmemmapRemapRange(cpu, reuse, reuse + VmemmapSize(folio.Bytes), split) == ENOMEM) break;
        }
        if ((ArchFlags & VmemmapFlags.SplitNoTlbFlush) == 0) await Pt.FlushTlbAll(cpu);

        var pages = new List<ulong>();
        var flags = VmemmapFlags.RemapNoTlbFlush | VmemmapFlags.SynchronizeRcu | ArchFlags;
        await Hooks.BatchStart(cpu);
        foreach (var folio in folios)
        {
            int ret = await HugetlbVmemmapOptimizeFolioCore(cpu, folio, pages, flags);
            if (folio.Optimized) flags &= ~VmemmapFlags.SynchronizeRcu;
            if (ret == ENOMEM && pages.Count > 0)
            {
                if ((ArchFlags & VmemmapFlags.RemapNoTlbFlush) == 0) await Pt.FlushTlbAll(cpu);
                FreeVmemmapPageList(pages);
                await HugetlbVmemmapOptimizeFolioCore(cpu, folio, pages, flags);
            }
        }
        await Hooks.BatchEnd(cpu);
        if ((ArchFlags & VmemmapFlags.RemapNoTlbFlush) == 0) await Pt.FlushTlbAll(cpu);
        FreeVmemmapPageList(pages);
    }

    /// <summary>__hugetlb_vmemmap_restore_folio(): synchronize_rcu, allocate all N−1 pages up front, remap.</summary>
    internal async SimTask<int> HugetlbVmemmapRestoreFolioCore(Cpu cpu, Folio folio, VmemmapFlags flags)
    {
        await CheckFrozen(cpu, folio);
        if (!await IsOptimized(cpu, folio)) return 0;
        if ((flags & VmemmapFlags.SynchronizeRcu) != 0 && RcuSyncInUse) await linux.Rcu.SynchronizeRcu(cpu);
        ulong reuse = folio.HeadPage;
        ulong end = reuse + VmemmapSize(folio.Bytes);
        int ret = await VmemmapRemapAlloc(cpu, reuse + L.PageSize, end, reuse, flags, folio.Order);
        if (ret == 0)
        {
            await SetOptimized(cpu, folio, false);
            folio.Optimized = false;
            await StaticBranch(cpu, inc: false);
        }
        return ret;
    }

    /// <summary>vmemmap_remap_alloc(): all-or-nothing allocation of the pages, then the restore walk.</summary>
    private async SimTask<int> VmemmapRemapAlloc(Cpu cpu, ulong start, ulong end, ulong reuse, VmemmapFlags flags, int order)
    {
        int n = (int)((end - start) >> G.PageShift);
        var pages = new List<ulong>(n);
        for (int i = 0; i < n; i++)
        {
            ulong? p = await AllocPage(cpu);
            if (p is not ulong pfn)
            {
                foreach (ulong q in pages) FreePage(q);
                return ENOMEM;
            }
            pages.Add(pfn);
        }
        linux.VmemmapPagesAllocated += n;
        pages.Reverse();   // popped from the end: the first PTE gets the first page
        var walk = new VmemmapWalk { Kind = VmemmapWalk.Action.Restore, ReuseAddr = reuse, VmemmapPages = pages, Flags = flags, Order = order };
        int ret = await Walk.VmemmapRemapRange(cpu, reuse, end, walk);
        if (pages.Count > 0)
        {
            // Pages the walk did not consume go back (free_vmemmap_page_list); the folio stays optimized, partly
            // restored, and a later restore skips the PTEs already done.
            foreach (ulong q in pages) FreePage(q);
            linux.VmemmapPagesAllocated -= pages.Count;
            pages.Clear();
        }
        if (ret != 0 && InPlace is not null) linux.HvoCounters.PartialRestore++;
        return ret;
    }

    public async SimTask<int> HugetlbVmemmapRestoreFolio(Cpu cpu, Folio folio) =>
        await HugetlbVmemmapRestoreFolioCore(cpu, folio, VmemmapFlags.SynchronizeRcu | ArchFlags);

    /// <summary>hugetlb_vmemmap_restore_folios(): stops at the first error; one synchronize_rcu per batch; one
    /// flush_tlb_all at the end unless the arch flushes itself. Returns the folios restored.</summary>
    public async SimTask<List<Folio>> HugetlbVmemmapRestoreFolios(Cpu cpu, IReadOnlyList<Folio> folios)
    {
        var restored = new List<Folio>();
        var flags = VmemmapFlags.RemapNoTlbFlush | VmemmapFlags.SynchronizeRcu | ArchFlags;
        await Hooks.BatchStart(cpu);
        foreach (var folio in folios)
        {
            bool was = folio.Optimized;
            if (await HugetlbVmemmapRestoreFolioCore(cpu, folio, flags) != 0) break;
            if (was) flags &= ~VmemmapFlags.SynchronizeRcu;
            restored.Add(folio);
        }
        await Hooks.BatchEnd(cpu);
        if (restored.Count > 0 && (ArchFlags & VmemmapFlags.RemapNoTlbFlush) == 0) await Pt.FlushTlbAll(cpu);
        return restored;
    }
}
