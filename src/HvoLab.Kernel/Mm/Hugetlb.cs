using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using HvoLab.Kernel.Primitives;
using HvoLab.Kernel.Workloads;

namespace HvoLab.Kernel.Mm;

/// <summary>
/// The hugetlb pool (mm/hugetlb.c) as far as HVO is concerned: allocate fresh folios (prep → optimize), free them
/// (restore → destroy → free; a surplus page when restore cannot allocate), bulk variants, demote 1G → 2M.
/// </summary>
public sealed class Hugetlb(Linux linux)
{
    private readonly Dictionary<int, ulong> _sharedTail = new();
    private readonly List<Folio> _free = new();
    private readonly List<Folio> _inUse = new();

    public IReadOnlyList<Folio> FreeFolios => _free;
    public IReadOnlyList<Folio> InUseFolios => _inUse;
    public int SurplusPages { get; private set; }
    public StructPages Pages { get; } = new(linux);

    public int OrderOf(ulong hugepageBytes)
    {
        ulong pages = linux.Layout.PagesPerHugepage(hugepageBytes);
        if (pages == 0 || (pages & (pages - 1)) != 0)
            throw new ArgumentException($"hugepage size {hugepageBytes} is not a power-of-two multiple of the {linux.Layout.Granule} page");
        return System.Numerics.BitOperations.Log2(pages);
    }

    /// <summary>The per-zone shared tail page of the 2026 design (zone->vmemmap_tails[]): one page of identical tail
    /// struct pages, allocated on first use and never freed.</summary>
    public ulong SharedTailPagePfn(int order)
    {
        if (_sharedTail.TryGetValue(order, out ulong pfn)) return pfn;
        pfn = linux.Buddy.Alloc(0) ?? throw new InvalidOperationException("out of memory for the shared tail page");
        Pages.FillSharedTailPage(pfn, order);
        _sharedTail[order] = pfn;
        return pfn;
    }

    /// <summary>alloc_fresh_hugetlb_folio + __prep_new_hugetlb_folio: buddy pages, compound struct pages, refcount
    /// frozen at 0, hugetlb_vmemmap_optimize_folio (single) when not batched. Returns null on -ENOMEM.</summary>
    public async SimTask<Folio?> AllocFreshFolio(Cpu cpu, int order, bool optimize = true)
    {
        await cpu.Work(linux.Cost.Kernel.HugetlbPrep2MNs * Math.Max(1.0, (1UL << order) / 512.0), cpu.Sim.Label("alloc hugetlb page"));
        ulong? pfn = linux.Buddy.Alloc(order);
        if (pfn is not ulong head) return null;
        var folio = new Folio(head, order, linux.Layout);
        if (linux.Config.Design == HvoDesign.SharedTail2026) SharedTailPagePfn(order);
        await Pages.PrepCompound(cpu, folio);
        linux.Folios.Add(head, order);
        if (optimize) await linux.Hvo.HugetlbVmemmapOptimizeFolio(cpu, folio);
        return folio;
    }

    /// <summary>Grow the pool by <paramref name="count"/> folios: alloc_pool_huge_folio in a loop, then
    /// prep_and_add_allocated_folios (batched: hugetlb_vmemmap_optimize_folios once for the list).</summary>
    public async SimTask<List<Folio>> AllocPool(Cpu cpu, int order, int count, bool batched)
    {
        var list = new List<Folio>();
        for (int i = 0; i < count; i++)
        {
            var f = await AllocFreshFolio(cpu, order, optimize: !batched);
            if (f is null) break;
            list.Add(f);
        }
        if (batched) await linux.Hvo.HugetlbVmemmapOptimizeFolios(cpu, list);
        await AddToPool(cpu, list);
        return list;
    }

    private async SimTask AddToPool(Cpu cpu, List<Folio> folios)
    {
        await Locks.SpinLock(cpu, linux.Data.HugetlbLock);
        _free.AddRange(folios);
        await Locks.SpinUnlock(cpu, linux.Data.HugetlbLock);
    }

    /// <summary>Boot-time setup, outside simulated time: a folio already in use by a task (mapped, refcount 1), its
    /// vmemmap not optimized. GUP-fast readers look at it while HVO works on its neighbours.</summary>
    public Folio SetupInUseFolio(int order)
    {
        ulong head = linux.Buddy.Alloc(order) ?? throw new InvalidOperationException("no memory for the in-use folio");
        var f = new Folio(head, order, linux.Layout) { InUse = true };
        Pages.PrepCompoundNow(f);
        linux.Folios.Add(head, order);
        ulong pa = linux.TranslateNow(f.HeadPage + StructPage.RefCount) ?? throw new InvalidOperationException("vmemmap not mapped");
        linux.Arch.Memory.Write(pa, 1, 4);
        _inUse.Add(f);
        return f;
    }

    /// <summary>The head PFN the next allocation of this order will return (the buddy is deterministic).</summary>
    public ulong? PeekNextHead(int order)
    {
        ulong? pfn = linux.Buddy.Alloc(order);
        if (pfn is ulong p) linux.Buddy.Free(p, order);
        return pfn;
    }

    /// <summary>Removes and returns the first <paramref name="count"/> free folios of <paramref name="order"/>, in pool
    /// order (one pass: a pool of 300,000 folios must not cost a list search per folio).</summary>
    private List<Folio> TakeFree(int order, int count)
    {
        var taken = new List<Folio>(Math.Min(count, _free.Count));
        var keep = new List<Folio>(_free.Count);
        foreach (var f in _free)
            if (taken.Count < count && f.Order == order) taken.Add(f); else keep.Add(f);
        _free.Clear();
        _free.AddRange(keep);
        return taken;
    }

    /// <summary>Take a free folio into use (a task faults it in): refcount 1.</summary>
    public async SimTask<Folio?> TakeForUse(Cpu cpu, int order)
    {
        var f = _free.FirstOrDefault(x => x.Order == order);
        if (f is null) return null;
        _free.Remove(f);
        // dequeue_hugetlb_folio_node_exact(): folio_ref_unfreeze(folio, 1) = atomic_set_release(&page->_refcount, 1)
        // (include/linux/page_ref.h, page_ref_unfreeze): a release store by VA (buffered under the Arm data model).
        await cpu.Store(f.HeadPage + StructPage.RefCount, 1, MemOrder.Release, 4);
        f.InUse = true;
        _inUse.Add(f);
        return f;
    }

    /// <summary>Shrink the pool by <paramref name="count"/> free folios: remove_hugetlb_folio, then
    /// update_and_free_pages_bulk (batched restore) or __update_and_free_hugetlb_folio one by one.</summary>
    public async SimTask<int> FreePool(Cpu cpu, int order, int count, bool batched)
    {
        await Locks.SpinLock(cpu, linux.Data.HugetlbLock);
        var victims = TakeFree(order, count);
        await Locks.SpinUnlock(cpu, linux.Data.HugetlbLock);
        if (!batched)
        {
            foreach (var f in victims) await UpdateAndFreeHugetlbFolio(cpu, f);
            return victims.Count;
        }
        // update_and_free_pages_bulk → bulk_vmemmap_restore_error on failure.
        var restored = new HashSet<Folio>(await linux.Hvo.HugetlbVmemmapRestoreFolios(cpu, victims), ReferenceEqualityComparer.Instance);
        foreach (var f in victims)
        {
            if (restored.Contains(f) || !f.Optimized) await DestroyAndFree(cpu, f);
            else await UpdateAndFreeHugetlbFolio(cpu, f);
        }
        return victims.Count;
    }

    /// <summary>__update_and_free_hugetlb_folio(): restore the vmemmap; on failure keep the folio as a surplus page.</summary>
    private async SimTask UpdateAndFreeHugetlbFolio(Cpu cpu, Folio f)
    {
        if (await linux.Hvo.HugetlbVmemmapRestoreFolio(cpu, f) != 0)
        {
            f.Surplus = true;
            SurplusPages++;
            _free.Add(f);                                   // add_hugetlb_folio(h, folio, true)
            return;
        }
        await DestroyAndFree(cpu, f);
    }

    private async SimTask DestroyAndFree(Cpu cpu, Folio f)
    {
        // The monitors' truth changes when the struct pages do: DestroyCompound's stores land at the end of its step, and
        // until then a reader legitimately sees the folio (removing it first reported "off" unsafe: issue #19, defect 2).
        await Pages.DestroyCompound(cpu, f);
        linux.Folios.Remove(f.HeadPfn);
        linux.Buddy.Free(f.HeadPfn, f.Order);
        await cpu.Work(linux.Cost.Kernel.HugetlbFreeNs, cpu.Sim.Label("free hugetlb page"));
    }

    /// <summary>demote_free_hugetlb_folios(): restore the source folios' vmemmap (batched), split each into folios
    /// of the smaller order, then optimize all of them as one batch.</summary>
    public async SimTask<int> Demote(Cpu cpu, int fromOrder, int toOrder, int count)
    {
        await Locks.SpinLock(cpu, linux.Data.HugetlbLock);
        var src = TakeFree(fromOrder, count);
        await Locks.SpinUnlock(cpu, linux.Data.HugetlbLock);
        var restored = await linux.Hvo.HugetlbVmemmapRestoreFolios(cpu, src);
        var dst = new List<Folio>();
        foreach (var f in restored)
        {
            await Pages.DestroyCompound(cpu, f);
            linux.Folios.Remove(f.HeadPfn);   // after the stores, as in DestroyAndFree
            for (ulong p = f.HeadPfn; p < f.HeadPfn + f.Pages; p += 1UL << toOrder)
            {
                var nf = new Folio(p, toOrder, linux.Layout);
                await Pages.PrepCompound(cpu, nf);
                linux.Folios.Add(p, toOrder);
                dst.Add(nf);
            }
        }
        await linux.Hvo.HugetlbVmemmapOptimizeFolios(cpu, dst);
        await AddToPool(cpu, dst);
        return restored.Count;
    }
}
