namespace HvoLab.Kernel.Mm;

/// <summary>struct vmemmap_remap_walk (mm/hugetlb_vmemmap.c): what one walk of the vmemmap does.</summary>
public sealed class VmemmapWalk
{
    public enum Action { SplitOnly, Remap, Restore }

    public required Action Kind { get; init; }
    /// <summary>The vmemmap address whose page is reused (the folio's first vmemmap page).</summary>
    public ulong ReuseAddr { get; init; }
    /// <summary>PFN of the page the range is pointed at: the new head copy (optimize) or the current head page.</summary>
    public ulong? ReusePfn { get; set; }
    /// <summary>Optimize: old pages to free after the flush. Restore: pre-allocated pages to map.</summary>
    public List<ulong> VmemmapPages { get; init; } = new();
    public VmemmapFlags Flags { get; set; }
    public long NrWalked { get; set; }
    /// <summary>Optimize: the head PTE now maps the new head copy (before that the copy is still on the free list).</summary>
    public bool NewHeadMapped { get; set; }
    /// <summary>Folio order (the 2026 design's shared tail page is per order).</summary>
    public int Order { get; init; }
}
