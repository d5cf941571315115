using HvoLab.Arch;

namespace HvoLab.Kernel;

/// <summary>
/// Kernel virtual layout for a 48-bit VA (arch/arm64/include/asm/memory.h): the linear map starts at PAGE_OFFSET
/// = -(1 &lt;&lt; 48); the vmemmap region sits below the fixmap at VMEMMAP_START; with memstart_addr = 0 the struct page
/// of PFN n is at VMEMMAP_START + n * sizeof(struct page). sizeof(struct page) = 64 (include/linux/mm_types.h).
/// </summary>
public sealed class Layout
{
    public const ulong PageOffset = 0xffff_0000_0000_0000UL;
    public const ulong VmemmapStart = 0xffff_fc00_0000_0000UL;
    public const int StructPageSize = 64;

    public Layout(Granule granule, ulong memoryBytes)
    {
        Granule = granule;
        MemoryBytes = memoryBytes;
        PageSize = granule.PageSize;
        PageShift = granule.PageShift;
        TotalPages = memoryBytes >> PageShift;
        StructPagesPerVmemmapPage = (int)(PageSize / StructPageSize);
        // SECTION_SIZE_BITS (arch/arm64/include/asm/sparsemem.h): 27 for 4K/16K, 29 for 64K.
        SectionShift = granule.PageShift == 16 ? 29 : 27;
    }

    public Granule Granule { get; }
    public ulong MemoryBytes { get; }
    public ulong PageSize { get; }
    public int PageShift { get; }
    public ulong TotalPages { get; }
    public int StructPagesPerVmemmapPage { get; }
    public int SectionShift { get; }
    public ulong VmemmapEnd => VmemmapStart + TotalPages * StructPageSize;

    public ulong PfnToPage(ulong pfn) => VmemmapStart + pfn * StructPageSize;
    public ulong PageToPfn(ulong page) => (page - VmemmapStart) / StructPageSize;
    public ulong PhysToVirt(ulong pa) => PageOffset + pa;
    public ulong VirtToPhys(ulong va) => va - PageOffset;
    public bool IsVmemmap(ulong va) => va >= VmemmapStart && va < VmemmapEnd;
    public ulong PagesPerHugepage(ulong hugepageBytes) => hugepageBytes >> PageShift;
}

/// <summary>Offsets of the struct page fields HVO and its readers use (include/linux/mm_types.h).</summary>
public static class StructPage
{
    public const int Flags = 0;
    /// <summary>Word 1: lru.next, or compound_head with bit 0 set for a tail page.</summary>
    public const int CompoundHead = 8;
    /// <summary>page->private; folio->private of the head holds the hugetlb HPG_* flags (mm/hugetlb.h).</summary>
    public const int Private = 40;
    public const int MapCount = 48;
    public const int RefCount = 52;
    public const int MemcgData = 56;

    // include/linux/page-flags.h enum pageflags (v6.x order): PG_locked 0, PG_writeback 1, PG_referenced 2,
    // PG_uptodate 3, PG_dirty 4, PG_lru 5, PG_head 6, PG_waiters 7.
    public const ulong PG_lru = 1UL << 5;
    public const ulong PG_head = 1UL << 6;
    /// <summary>PG_hugetlb as a folio flag in _flags_1 of page 1 in newer kernels; kept as one bit of our head
    /// flags word for simplicity (readers test folio_test_hugetlb on the head).</summary>
    public const ulong PG_hugetlb = 1UL << 20;

    /// <summary>HPG_vmemmap_optimized (enum hugetlb_page_flags in include/linux/hugetlb.h) in folio->private.</summary>
    public const ulong HPG_vmemmap_optimized = 1UL << 4;

    /// <summary>folio->_flags_1 (page 1 flags word) low byte holds the folio order (folio_set_order).</summary>
    public const int Flags1 = StructPageSizeConst + Flags;
    private const int StructPageSizeConst = 64;

    /// <summary>NR_RESET_STRUCT_PAGE = 4: HugeTLB has 4 unique struct pages (folio spans pages 0–3).</summary>
    public const int NrResetStructPage = 4;
}
