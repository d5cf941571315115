namespace HvoLab.Arch;

/// <summary>
/// The kernel's named protections as raw descriptor values (OA = 0), for MT_NORMAL = 0 and no nG
/// (no KPTI: PTE_MAYBE_NG = 0). Definitions from arch/arm64/include/asm/pgtable-prot.h (arm-arch.md §1.5).
/// PAGE_KERNEL* include PTE_DIRTY per the 2026 fix c25c4aa3f79a ("Add PTE_DIRTY back to PAGE_KERNEL*");
/// the <c>...PreFix</c> values are the same protections without it.
/// </summary>
public static class Prot
{
    private const ulong ProtDefault = DescBits.Valid | DescBits.TableOrPage | DescBits.AF | DescBits.ShMask; // _PROT_DEFAULT
    private const ulong SectDefault = DescBits.Valid | DescBits.AF | DescBits.ShMask;                        // _PROT_SECT_DEFAULT

    public const ulong PROT_NORMAL = ProtDefault | DescBits.PXN | DescBits.UXN | DescBits.DBM;  // 0x0068000000000703
    public const ulong PAGE_KERNEL = PROT_NORMAL | DescBits.SwDirty;                             // 0x00e8000000000703
    public const ulong PAGE_KERNEL_PreFix = PROT_NORMAL;
    public const ulong PAGE_KERNEL_RO = (PROT_NORMAL & ~DescBits.DBM) | DescBits.RdOnly | DescBits.SwDirty; // 0x00e0000000000783
    public const ulong PAGE_KERNEL_RO_PreFix = (PROT_NORMAL & ~DescBits.DBM) | DescBits.RdOnly;
    public const ulong PAGE_KERNEL_ROX = (PROT_NORMAL & ~(DescBits.DBM | DescBits.PXN)) | DescBits.RdOnly | DescBits.SwDirty;
    public const ulong PAGE_KERNEL_ROX_PreFix = (PROT_NORMAL & ~(DescBits.DBM | DescBits.PXN)) | DescBits.RdOnly;
    public const ulong PAGE_KERNEL_EXEC = (PROT_NORMAL & ~DescBits.PXN) | DescBits.SwDirty;
    public const ulong PAGE_KERNEL_EXEC_PreFix = PROT_NORMAL & ~DescBits.PXN;
    /// <summary>PROT_SECT_NORMAL as in kernels before PTE_WRITE was added to it (0x0060000000000701).</summary>
    public const ulong PROT_SECT_NORMAL = SectDefault | DescBits.PXN | DescBits.UXN;
    /// <summary>PROT_SECT_NORMAL in newer kernels, which OR in PTE_WRITE (0x0068000000000701).</summary>
    public const ulong PROT_SECT_NORMAL_WRITE = PROT_SECT_NORMAL | DescBits.DBM;
    /// <summary>PAGE_NONE, v6.10+: PTE_PRESENT_INVALID (= nG) replaces PTE_PROT_NONE; valid bit clear.</summary>
    public const ulong PAGE_NONE = (ProtDefault & ~DescBits.Valid) | DescBits.NG | DescBits.RdOnly | DescBits.PXN | DescBits.UXN;
    /// <summary>PAGE_NONE ≤ v6.9, with PTE_PROT_NONE (bit 58).</summary>
    public const ulong PAGE_NONE_ProtNone = PAGE_NONE | DescBits.SwProtNone;
    public const ulong PAGE_SHARED = ProtDefault | DescBits.User | DescBits.RdOnly | DescBits.NG | DescBits.PXN | DescBits.UXN | DescBits.DBM;

    /// <summary>PMD_TYPE_TABLE (hwdef.h): a table descriptor with no hierarchical restrictions.</summary>
    public const ulong TABLE = DescBits.Valid | DescBits.TableOrPage;
    /// <summary>Table descriptor with PMD_TABLE_UXN | PMD_TABLE_PXN (kernel data tables in newer kernels).</summary>
    public const ulong TABLE_NX = TABLE | DescBits.UXNTable | DescBits.PXNTable;
    public const ulong TABLE_UXN = TABLE | DescBits.UXNTable;

    /// <summary>mk_sect_prot(): the block form of a page protection (clears PTE_TABLE_BIT), pgtable.h.</summary>
    public static ulong MkSectProt(ulong pageProt) => pageProt & ~DescBits.TableOrPage;

    private static readonly (string Name, ulong Value)[] PageNames =
    [
        ("PAGE_KERNEL", PAGE_KERNEL), ("PAGE_KERNEL_RO", PAGE_KERNEL_RO), ("PAGE_KERNEL_ROX", PAGE_KERNEL_ROX),
        ("PAGE_KERNEL_EXEC", PAGE_KERNEL_EXEC), ("PAGE_SHARED", PAGE_SHARED),
        ("PROT_NORMAL (PAGE_KERNEL before PTE_DIRTY fix)", PAGE_KERNEL_PreFix),
        ("PAGE_KERNEL_RO (before PTE_DIRTY fix)", PAGE_KERNEL_RO_PreFix),
        ("PAGE_KERNEL_ROX (before PTE_DIRTY fix)", PAGE_KERNEL_ROX_PreFix),
        ("PAGE_KERNEL_EXEC (before PTE_DIRTY fix)", PAGE_KERNEL_EXEC_PreFix),
    ];

    private static readonly (string Name, ulong Value)[] BlockNames =
    [
        ("PROT_SECT_NORMAL", PROT_SECT_NORMAL), ("PROT_SECT_NORMAL|PTE_WRITE", PROT_SECT_NORMAL_WRITE),
        ("mk_sect_prot(PAGE_KERNEL)", MkSectProt(PAGE_KERNEL)), ("mk_sect_prot(PAGE_KERNEL_RO)", MkSectProt(PAGE_KERNEL_RO)),
        ("mk_sect_prot(PAGE_KERNEL_ROX)", MkSectProt(PAGE_KERNEL_ROX)), ("mk_sect_prot(PAGE_KERNEL_EXEC)", MkSectProt(PAGE_KERNEL_EXEC)),
        ("mk_sect_prot(PAGE_KERNEL_RO) before PTE_DIRTY fix", MkSectProt(PAGE_KERNEL_RO_PreFix)),
    ];

    private static readonly (string Name, ulong Value)[] TableNames =
        [("TABLE", TABLE), ("TABLE|PXNTable|UXNTable", TABLE_NX), ("TABLE|UXNTable", TABLE_UXN)];

    private static readonly (string Name, ulong Value)[] InvalidNames =
        [("PAGE_NONE", PAGE_NONE), ("PAGE_NONE (PTE_PROT_NONE, <= v6.9)", PAGE_NONE_ProtNone)];

    /// <summary>Name of the Linux protection whose attribute bits (everything but the address field) equal the
    /// descriptor's, or null. Which names are candidates depends on what the descriptor is at this level.</summary>
    public static string? NameOf(ulong value, Granule g, int level)
    {
        var d = new Descriptor(value);
        if (value == 0) return "none (pte_none)";
        ulong attrs = d.AttributesOnly(g);
        var table = d.Kind(g, level) switch
        {
            DescriptorKind.Page => PageNames,
            DescriptorKind.Block => BlockNames,
            DescriptorKind.Table => TableNames,
            _ => InvalidNames,
        };
        foreach (var (name, v) in table)
            if (v == attrs) return name;
        return null;
    }

    /// <summary>Protection names accepted by <see cref="DescriptorFormatter.Encode"/>.</summary>
    public static readonly IReadOnlyDictionary<string, ulong> ByName = new Dictionary<string, ulong>(StringComparer.OrdinalIgnoreCase)
    {
        ["PAGE_KERNEL"] = PAGE_KERNEL, ["PAGE_KERNEL_RO"] = PAGE_KERNEL_RO, ["PAGE_KERNEL_ROX"] = PAGE_KERNEL_ROX,
        ["PAGE_KERNEL_EXEC"] = PAGE_KERNEL_EXEC, ["PROT_SECT_NORMAL"] = PROT_SECT_NORMAL, ["PROT_SECT_NORMAL_WRITE"] = PROT_SECT_NORMAL_WRITE,
        ["PROT_NORMAL"] = PROT_NORMAL, ["PAGE_NONE"] = PAGE_NONE, ["PAGE_SHARED"] = PAGE_SHARED, ["TABLE"] = TABLE, ["TABLE_NX"] = TABLE_NX,
    };
}
