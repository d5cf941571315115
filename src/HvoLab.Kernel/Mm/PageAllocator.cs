namespace HvoLab.Kernel.Mm;

/// <summary>
/// A buddy allocator over PFNs (mm/page_alloc.c in outline): free lists by order, split on allocation, merge with
/// the buddy on free. Its bookkeeping lives in C#, not in simulated struct pages (simplification: page-allocator
/// metadata is not what HVO races with; docs/kernel.md). Orders above MAX_PAGE_ORDER are served from the same lists,
/// standing in for alloc_contig_range/CMA for gigantic pages. Deterministic: the same calls give the same PFNs.
/// </summary>
public sealed class PageAllocator
{
    private readonly Stack<ulong>[] _free;
    private readonly HashSet<ulong>[] _freeSet;
    private readonly int _maxOrder;

    public PageAllocator(ulong startPfn, ulong endPfn, int maxOrder = 30)
    {
        _maxOrder = maxOrder;
        _free = new Stack<ulong>[maxOrder + 1];
        _freeSet = new HashSet<ulong>[maxOrder + 1];
        for (int o = 0; o <= maxOrder; o++) { _free[o] = new Stack<ulong>(); _freeSet[o] = new HashSet<ulong>(); }
        // Seed with the largest naturally aligned blocks; push high addresses first so low PFNs come out first.
        var blocks = new List<(ulong Pfn, int Order)>();
        for (ulong pfn = startPfn; pfn < endPfn;)
        {
            int order = 0;
            while (order < maxOrder && (pfn & ((1UL << (order + 1)) - 1)) == 0 && pfn + (1UL << (order + 1)) <= endPfn) order++;
            blocks.Add((pfn, order));
            pfn += 1UL << order;
        }
        for (int i = blocks.Count - 1; i >= 0; i--) AddFree(blocks[i].Pfn, blocks[i].Order);
        FreePages = endPfn - startPfn;
    }

    public ulong FreePages { get; private set; }
    /// <summary>When set, the next allocations fail (to exercise -ENOMEM paths).</summary>
    public int FailNext { get; set; }

    /// <summary>alloc_pages(order): the PFN of a free block, or null (-ENOMEM).</summary>
    public ulong? Alloc(int order)
    {
        if (FailNext > 0) { FailNext--; return null; }
        int o = order;
        // The set is the truth: a stack may still hold entries a merge removed lazily, and popping only those
        // would empty it without finding a free block.
        while (o <= _maxOrder && _freeSet[o].Count == 0) o++;
        if (o > _maxOrder) return null;
        ulong pfn = PopFree(o);
        while (o > order) { o--; AddFree(pfn + (1UL << o), o); }
        FreePages -= 1UL << order;
        return pfn;
    }

    /// <summary>__free_pages(pfn, order), merging with free buddies.</summary>
    public void Free(ulong pfn, int order)
    {
        if ((pfn & ((1UL << order) - 1)) != 0) throw new ArgumentException($"pfn {pfn:x} is not aligned to order {order}");
        FreePages += 1UL << order;
        while (order < _maxOrder)
        {
            ulong buddy = pfn ^ (1UL << order);
            if (!_freeSet[order].Remove(buddy)) break;   // its stack entry goes stale; PopFree skips it
            pfn = Math.Min(pfn, buddy);
            order++;
        }
        AddFree(pfn, order);
    }

    public bool IsFree(ulong pfn, int order) => _freeSet[order].Contains(pfn);

    private void AddFree(ulong pfn, int order) { _free[order].Push(pfn); _freeSet[order].Add(pfn); }

    private ulong PopFree(int order)
    {
        while (true)
        {
            ulong pfn = _free[order].Pop();
            if (_freeSet[order].Remove(pfn)) return pfn;   // skip entries removed lazily by a merge
        }
    }
}
