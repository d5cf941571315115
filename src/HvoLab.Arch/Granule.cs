namespace HvoLab.Arch;

/// <summary>
/// Translation granule of a 48-bit VA, stage-1 EL1 regime.
/// Level shifts follow ARM64_HW_PGTABLE_LEVEL_SHIFT in arch/arm64/include/asm/pgtable-hwdef.h:
/// bits mapped by one entry at level n = (PAGE_SHIFT - 3) * (4 - n) + 3.
/// Contiguous counts follow ARM64_CONT_PTE_SHIFT / ARM64_CONT_PMD_SHIFT in arch/arm64/Kconfig.
/// </summary>
public sealed class Granule
{
    public static readonly Granule K4 = new(12, startLevel: 0, contPteShift: 4, contPmdShift: 4, name: "4k");
    public static readonly Granule K16 = new(14, startLevel: 0, contPteShift: 7, contPmdShift: 5, name: "16k");
    public static readonly Granule K64 = new(16, startLevel: 1, contPteShift: 5, contPmdShift: 5, name: "64k");

    public const int VaBits = 48;

    public int PageShift { get; }
    public ulong PageSize => 1UL << PageShift;
    /// <summary>First level of the walk for a 48-bit VA (0 for 4K/16K, 1 for 64K).</summary>
    public int StartLevel { get; }
    public int IndexBits => PageShift - 3;
    public int EntriesPerTable => 1 << IndexBits;
    public int ContPtes => 1 << ContPteShift;
    public int ContPmds => 1 << ContPmdShift;
    public int ContPteShift { get; }
    public int ContPmdShift { get; }
    public string Name { get; }

    private Granule(int pageShift, int startLevel, int contPteShift, int contPmdShift, string name)
    {
        PageShift = pageShift; StartLevel = startLevel; ContPteShift = contPteShift; ContPmdShift = contPmdShift; Name = name;
    }

    /// <summary>VA bits below the index of level <paramref name="level"/>: the size an entry at that level maps.</summary>
    public int LevelShift(int level) => (PageShift - 3) * (4 - level) + 3;
    public ulong LevelSize(int level) => 1UL << LevelShift(level);

    /// <summary>Number of index bits actually used at a level for a 48-bit VA (the start level may use fewer).</summary>
    public int LevelIndexBits(int level) => Math.Min(IndexBits, VaBits - LevelShift(level));

    public int Index(ulong va, int level) => (int)((va >> LevelShift(level)) & ((1UL << LevelIndexBits(level)) - 1));

    /// <summary>Blocks are legal at level 1 and 2 for 4K, level 2 only for 16K/64K (ARM ARM D8.2 granule table; no LPA2).</summary>
    public bool BlockAllowed(int level) => level == 2 || (level == 1 && PageShift == 12);

    public int PmdShift => LevelShift(2);
    public ulong PmdSize => LevelSize(2);
    public int PudShift => LevelShift(1);

    public static Granule Parse(string text) => TryParse(text, out var g) ? g
        : throw new ArgumentException($"granule '{text}' is not one of 4k, 16k, 64k");

    public static bool TryParse(string? text, out Granule granule)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "4k" or "4kb" or "4096": granule = K4; return true;
            case "16k" or "16kb" or "16384": granule = K16; return true;
            case "64k" or "64kb" or "65536": granule = K64; return true;
            default: granule = K4; return false;
        }
    }

    public static Granule FromPageShift(int shift) => shift switch { 12 => K4, 14 => K16, 16 => K64, _ => throw new ArgumentOutOfRangeException(nameof(shift)) };

    public override string ToString() => Name;
}
