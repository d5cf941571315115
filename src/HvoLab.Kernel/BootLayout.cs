using HvoLab.Arch;

namespace HvoLab.Kernel;

/// <summary>
/// Where boot puts things in physical memory (arch/arm64/mm/mmu.c map_mem, vmemmap_populate): the vmemmap backing at
/// the top of RAM, the boot page tables below it, the buddy allocator's pages below that. Computed without building
/// anything, so a scenario can be checked before a run: <see cref="Plan"/> is null when the memory is too small.
/// </summary>
public readonly record struct BootLayout(ulong Unit, ulong VmemmapMappedBytes, ulong VmemmapBackingPa, ulong BootTablesPa)
{
    /// <summary>Bytes the buddy allocator manages ([0, BootTablesPa)): every hugetlb page and every page the kernel
    /// allocates at run time comes from here.</summary>
    public ulong BuddyBytes => BootTablesPa;

    public static BootLayout? Plan(Granule g, ulong memoryBytes)
    {
        ulong pageSize = g.PageSize;
        ulong vmemmapBytes = (memoryBytes >> g.PageShift) * Layout.StructPageSize;
        // 4K: vmemmap_populate_hugepages maps PMD blocks (kernel-hvo.md §1); 16K/64K: base pages.
        ulong unit = g.PageShift == 12 ? g.PmdSize : pageSize;
        ulong vmemmapMapped = (vmemmapBytes + unit - 1) / unit * unit;
        if (vmemmapMapped >= memoryBytes) return null;
        ulong backing = (memoryBytes - vmemmapMapped) / unit * unit;
        ulong bootTablesFrames = 64 + 8 + vmemmapMapped / g.LevelSize(2) + vmemmapMapped / g.LevelSize(3) / (ulong)g.EntriesPerTable;
        if (bootTablesFrames * pageSize > backing) return null;
        ulong bootTables = backing - bootTablesFrames * pageSize;
        // Room below the tables for the buddy: at least 16 vmemmap units.
        if (bootTables < 16 * unit) return null;
        return new BootLayout(unit, vmemmapMapped, backing, bootTables);
    }

    /// <summary>The smallest whole number of MiB of memory that boots with granule <paramref name="g"/>.</summary>
    public static ulong MinimumMemory(Granule g)
    {
        ulong lo = 1, hi = 1UL << 22;   // MiB; 4 TiB always boots
        while (lo < hi)
        {
            ulong mid = (lo + hi) / 2;
            if (Plan(g, mid << 20) is null) lo = mid + 1; else hi = mid;
        }
        return lo << 20;
    }
}
