namespace HvoLab.Arch;

/// <summary>Bit positions of VMSAv8-64 stage-1 descriptors and the Linux software bits.
/// Hardware fields: ARM ARM K.a D8.3 "Translation table descriptor formats"; Linux names and positions from
/// arch/arm64/include/asm/pgtable-hwdef.h and pgtable-prot.h (arm-arch.md §1.3–1.5).</summary>
public static class DescBits
{
    public const ulong Valid = 1UL << 0;          // PTE_VALID
    public const ulong TableOrPage = 1UL << 1;    // PTE_TABLE_BIT / PTE_TYPE_PAGE bit 1
    public const int AttrIndxShift = 2;           // PTE_ATTRINDX(t) = t << 2
    public const ulong AttrIndxMask = 7UL << 2;
    public const ulong NS = 1UL << 5;
    public const ulong User = 1UL << 6;           // AP[1], PTE_USER
    public const ulong RdOnly = 1UL << 7;         // AP[2], PTE_RDONLY
    public const int ShShift = 8;
    public const ulong ShMask = 3UL << 8;         // PTE_SHARED = 3 << 8
    public const ulong AF = 1UL << 10;            // PTE_AF
    public const ulong NG = 1UL << 11;            // PTE_NG; PTE_PRESENT_INVALID when !valid (v6.10+)
    public const ulong NT = 1UL << 16;            // nT, block descriptors, FEAT_BBML1 (I_PJZBK)
    public const ulong GP = 1UL << 50;            // PTE_GP (BTI)
    public const ulong DBM = 1UL << 51;           // PTE_DBM == PTE_WRITE
    public const ulong Cont = 1UL << 52;          // PTE_CONT
    public const ulong PXN = 1UL << 53;
    public const ulong UXN = 1UL << 54;
    public const ulong SwDirty = 1UL << 55;       // PTE_DIRTY
    public const ulong SwSpecial = 1UL << 56;     // PTE_SPECIAL
    public const ulong SwDevmap = 1UL << 57;      // PTE_DEVMAP (5.x–6.x)
    public const ulong SwProtNone = 1UL << 58;    // PTE_PROT_NONE (≤ v6.9) / PTE_UFFD_WP (v6.10+)
    public const ulong PXNTable = 1UL << 59;
    public const ulong UXNTable = 1UL << 60;
    public const int ApTableShift = 61;
    public const ulong ApTableMask = 3UL << 61;   // S1_TABLE_AP
    public const ulong NSTable = 1UL << 63;
    /// <summary>PTE_SWBITS_MASK: bit 63 and bits [58:55] (pgtable-hwdef.h).</summary>
    public const ulong SwBitsMask = (1UL << 63) | (0xFUL << 55);
    /// <summary>OA[51:48] in bits [15:12] for 64K with FEAT_LPA; RES0 otherwise (we treat non-zero as OA beyond 48 bits).</summary>
    public const ulong OaHighMask = 0xFUL << 12;

    /// <summary>Address field [47:shift] of a descriptor.</summary>
    public static ulong AddressMask(int lowShift) => ((1UL << 48) - 1) & ~((1UL << lowShift) - 1);
}

/// <summary>Kind of descriptor at a given level (ARM ARM D8.3; arm-arch.md §1.2).</summary>
public enum DescriptorKind : byte { Invalid, Table, Block, Page }

/// <summary>A raw 64-bit translation table descriptor with every architectural and Linux software field.
/// Interpretation of bits[1:0] depends on the level and granule, so kind-dependent members take them.</summary>
public readonly record struct Descriptor(ulong Value)
{
    public static implicit operator ulong(Descriptor d) => d.Value;

    public bool Valid => (Value & DescBits.Valid) != 0;

    /// <summary>bits[1:0] = 01 at a level where blocks are not permitted, and 01 at level 3, behave as invalid
    /// (ARM ARM D8.3; arm-arch.md §1.2).</summary>
    public DescriptorKind Kind(Granule g, int level)
    {
        if (!Valid) return DescriptorKind.Invalid;
        bool bit1 = (Value & DescBits.TableOrPage) != 0;
        if (level == 3) return bit1 ? DescriptorKind.Page : DescriptorKind.Invalid;
        if (bit1) return DescriptorKind.Table;
        return g.BlockAllowed(level) ? DescriptorKind.Block : DescriptorKind.Invalid;
    }

    public bool IsTable(Granule g, int level) => Kind(g, level) == DescriptorKind.Table;
    public bool IsBlock(Granule g, int level) => Kind(g, level) == DescriptorKind.Block;
    public bool IsPage(Granule g, int level) => Kind(g, level) == DescriptorKind.Page;
    public bool IsLeaf(Granule g, int level) => Kind(g, level) is DescriptorKind.Block or DescriptorKind.Page;

    /// <summary>Output address of a block/page (bits [47:LevelShift]) or next-table address of a table
    /// (bits [47:PageShift]). Block OA low bit depends on the level (arm-arch.md §1.1 table).</summary>
    public ulong OutputAddress(Granule g, int level)
    {
        int low = Kind(g, level) == DescriptorKind.Block ? g.LevelShift(level) : g.PageShift;
        return Value & DescBits.AddressMask(low);
    }

    /// <summary>Address field at page granularity regardless of kind (what Linux's pte_pfn() sees).</summary>
    public ulong PageAddress(Granule g) => Value & DescBits.AddressMask(g.PageShift);
    public ulong Pfn(Granule g) => PageAddress(g) >> g.PageShift;

    public int AttrIndx => (int)((Value & DescBits.AttrIndxMask) >> DescBits.AttrIndxShift);
    public bool NS => (Value & DescBits.NS) != 0;
    /// <summary>AP[2:1] as a 2-bit number (AP[2] is bit 1 of the result).</summary>
    public int AP => (int)((Value >> 6) & 3);
    public bool ReadOnly => (Value & DescBits.RdOnly) != 0;
    public bool User => (Value & DescBits.User) != 0;
    public int SH => (int)((Value & DescBits.ShMask) >> DescBits.ShShift);
    public bool AF => (Value & DescBits.AF) != 0;
    public bool NG => (Value & DescBits.NG) != 0;
    public bool NT => (Value & DescBits.NT) != 0;
    public bool GP => (Value & DescBits.GP) != 0;
    public bool DBM => (Value & DescBits.DBM) != 0;
    public bool Contiguous => (Value & DescBits.Cont) != 0;
    public bool PXN => (Value & DescBits.PXN) != 0;
    public bool UXN => (Value & DescBits.UXN) != 0;
    public bool PXNTable => (Value & DescBits.PXNTable) != 0;
    public bool UXNTable => (Value & DescBits.UXNTable) != 0;
    public int APTable => (int)((Value & DescBits.ApTableMask) >> DescBits.ApTableShift);
    public bool NSTable => (Value & DescBits.NSTable) != 0;
    public ulong OaHigh => (Value & DescBits.OaHighMask) >> 12;

    // Linux software bits (pgtable-prot.h).
    public bool PteWrite => DBM;
    public bool PteDirty => (Value & DescBits.SwDirty) != 0;
    public bool PteSpecial => (Value & DescBits.SwSpecial) != 0;
    public bool PteDevmap => (Value & DescBits.SwDevmap) != 0;
    /// <summary>Bit 58: PTE_PROT_NONE (≤ v6.9) or PTE_UFFD_WP (v6.10+).</summary>
    public bool PteProtNoneOrUffdWp => (Value & DescBits.SwProtNone) != 0;
    /// <summary>PTE_PRESENT_INVALID (v6.10+) is the nG bit of an invalid descriptor.</summary>
    public bool PtePresentInvalid => !Valid && NG;

    /// <summary>Writable for BBM purposes: AP[2]=0, or DBM=1 (writable with hardware dirty management;
    /// R_WHZWS counts DBM as write permission, arm-arch.md §2.1).</summary>
    public bool WritableForBbm => !ReadOnly || DBM;

    /// <summary>Attribute bits only (the address field [47:PageShift] and OA-high bits cleared).</summary>
    public ulong AttributesOnly(Granule g) => Value & ~DescBits.AddressMask(g.PageShift) & ~(g.PageShift == 16 ? DescBits.OaHighMask : 0);

    public Descriptor With(ulong mask, bool on) => new(on ? Value | mask : Value & ~mask);
    public Descriptor WithValid(bool on) => With(DescBits.Valid, on);
    public Descriptor WithTableOrPageBit(bool on) => With(DescBits.TableOrPage, on);
    public Descriptor WithAttrIndx(int idx) => idx is < 0 or > 7 ? throw new ArgumentOutOfRangeException(nameof(idx))
        : new((Value & ~DescBits.AttrIndxMask) | ((ulong)idx << DescBits.AttrIndxShift));
    public Descriptor WithNS(bool on) => With(DescBits.NS, on);
    public Descriptor WithAP(int ap) => ap is < 0 or > 3 ? throw new ArgumentOutOfRangeException(nameof(ap))
        : new((Value & ~(3UL << 6)) | ((ulong)ap << 6));
    public Descriptor WithReadOnly(bool on) => With(DescBits.RdOnly, on);
    public Descriptor WithUser(bool on) => With(DescBits.User, on);
    public Descriptor WithSH(int sh) => sh is < 0 or > 3 ? throw new ArgumentOutOfRangeException(nameof(sh))
        : new((Value & ~DescBits.ShMask) | ((ulong)sh << DescBits.ShShift));
    public Descriptor WithAF(bool on) => With(DescBits.AF, on);
    public Descriptor WithNG(bool on) => With(DescBits.NG, on);
    public Descriptor WithNT(bool on) => With(DescBits.NT, on);
    public Descriptor WithGP(bool on) => With(DescBits.GP, on);
    public Descriptor WithDBM(bool on) => With(DescBits.DBM, on);
    public Descriptor WithContiguous(bool on) => With(DescBits.Cont, on);
    public Descriptor WithPXN(bool on) => With(DescBits.PXN, on);
    public Descriptor WithUXN(bool on) => With(DescBits.UXN, on);
    public Descriptor WithPXNTable(bool on) => With(DescBits.PXNTable, on);
    public Descriptor WithUXNTable(bool on) => With(DescBits.UXNTable, on);
    public Descriptor WithAPTable(int ap) => ap is < 0 or > 3 ? throw new ArgumentOutOfRangeException(nameof(ap))
        : new((Value & ~DescBits.ApTableMask) | ((ulong)ap << DescBits.ApTableShift));
    public Descriptor WithNSTable(bool on) => With(DescBits.NSTable, on);
    public Descriptor WithPteWrite(bool on) => WithDBM(on);
    public Descriptor WithPteDirty(bool on) => With(DescBits.SwDirty, on);
    public Descriptor WithPteSpecial(bool on) => With(DescBits.SwSpecial, on);
    public Descriptor WithPteDevmap(bool on) => With(DescBits.SwDevmap, on);
    public Descriptor WithPteProtNone(bool on) => With(DescBits.SwProtNone, on);

    /// <summary>Replace the address field. For blocks the address must be aligned to the block size.</summary>
    public Descriptor WithOutputAddress(ulong oa, Granule g, int level)
    {
        int low = Kind(g, level) == DescriptorKind.Block ? g.LevelShift(level) : g.PageShift;
        ulong mask = DescBits.AddressMask(low);
        if ((oa & ~mask) != 0) throw new ArgumentException($"oa 0x{oa:x} is not aligned to {1UL << low} bytes or exceeds 48 bits", nameof(oa));
        return new((Value & ~DescBits.AddressMask(g.PageShift)) | oa);
    }

    public override string ToString() => $"0x{Value:x16}";
}
