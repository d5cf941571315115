using HvoLab.Arch;

namespace HvoLab.Experiments.Scenarios;

/// <summary>Which HugeTLB sizes exist for a granule and how much vmemmap HVO frees for each (kernel-hvo.md §1:
/// vmemmap = pages × 64 B; freed = vmemmap − PAGE_SIZE, 0 if vmemmap is not larger than one page).</summary>
public static class HugepageGeometry
{
    public const ulong StructPageBytes = 64;

    public enum Kind { ContPte, Pmd, ContPmd, Pud }

    /// <summary>The hugetlb sizes arm64 offers with this granule (vmemmap_dedup.rst table, kernel-hvo.md §1).</summary>
    public static IReadOnlyList<(ulong Bytes, Kind Kind)> Sizes(Granule g)
    {
        var list = new List<(ulong, Kind)>
        {
            ((ulong)g.ContPtes * g.PageSize, Kind.ContPte),
            (g.PmdSize, Kind.Pmd),
            ((ulong)g.ContPmds * g.PmdSize, Kind.ContPmd),
        };
        if (g.BlockAllowed(1)) list.Add((g.LevelSize(1), Kind.Pud));
        return list;
    }

    public static bool IsSupported(Granule g, ulong bytes) => Sizes(g).Any(s => s.Bytes == bytes);

    public static ulong VmemmapBytes(Granule g, ulong hugepageBytes) => hugepageBytes / g.PageSize * StructPageBytes;

    /// <summary>vmemmap pages HVO returns to the buddy allocator per hugepage (0 = not optimisable).</summary>
    public static ulong FreedVmemmapPages(Granule g, ulong hugepageBytes)
    {
        var vmemmap = VmemmapBytes(g, hugepageBytes);
        return vmemmap <= g.PageSize ? 0 : (vmemmap - g.PageSize) / g.PageSize;
    }

    public static string AllowedText(Granule g) => string.Join(", ", Sizes(g).Select(s => $"\"{Units.FormatSize(s.Bytes)}\""));
}
