namespace HvoLab.Kernel.Mm;

/// <summary>A hugetlb folio: its head PFN and size. Optimized mirrors HPG_vmemmap_optimized for bookkeeping.</summary>
public sealed class Folio(ulong headPfn, int order, Layout layout)
{
    public ulong HeadPfn { get; } = headPfn;
    public int Order { get; } = order;
    public ulong Pages => 1UL << Order;
    public ulong Bytes => Pages << layout.PageShift;
    /// <summary>VA of the head struct page (&amp;folio->page) in the vmemmap.</summary>
    public ulong HeadPage => layout.PfnToPage(HeadPfn);
    public bool Optimized { get; set; }
    /// <summary>In use by a task (refcount 1, mapped) rather than free in the pool (refcount 0).</summary>
    public bool InUse { get; set; }
    public bool Surplus { get; set; }
    public override string ToString() => $"folio@pfn 0x{HeadPfn:x} order {Order}";
}
