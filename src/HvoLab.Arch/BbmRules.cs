namespace HvoLab.Arch;

/// <summary>
/// Pure classification of descriptor changes. <see cref="NeedsBbm"/> is the architectural rule (ARM ARM K.a
/// D8.16.1 / M.b D8.17.1, R_WHZWS, R_KFLJB, R_KHRBC; arm-arch.md §2.1, §2.4); <see cref="PgattrUnsafeReason"/> is
/// Linux's stricter live-update policy pgattr_change_is_safe() from arch/arm64/mm/mmu.c.
/// </summary>
public static class BbmRules
{
    public const string RuleMemType = "R_WHZWS: memory type (AttrIndx) change of a valid entry needs break-before-make (ARM ARM K.a D8.16.1 / M.b D8.17.1)";
    public const string RuleShare = "R_WHZWS: shareability change of a valid entry needs break-before-make (ARM ARM K.a D8.16.1)";
    public const string RuleOaWritable = "R_WHZWS: OA change where the old or new translation is writable (AP[2]=0 or DBM=1) needs break-before-make (ARM ARM K.a D8.16.1)";
    public const string RuleOaContents = "R_WHZWS: OA change where memory contents at old and new OA differ needs break-before-make (ARM ARM K.a D8.16.1)";
    public const string RuleSize = "R_KFLJB/R_WHZWS: block size change (table<->block) needs break-before-make without FEAT_BBML2 (FEAT_BBML1 only with nT=1) (ARM ARM K.a D8.16.1)";
    public const string RuleCont = "R_KHRBC: Contiguous bit change needs break-before-make without FEAT_BBML1 (ARM ARM K.a D8.16.1)";
    public const string RuleGlobal = "R_WHZWS item 4: global entry replacing a non-global one (may overlap non-global TLB entries) needs break-before-make (ARM ARM K.a D8.16.1)";
    public const string RuleTableAddr = "R_WHZWS: table descriptor re-pointed to a table with different contents changes the translations below it; walk caches may keep the old table (ARM ARM K.a D8.16.1, R_ZYZYK)";

    /// <summary>Whether a descriptor can be held in a TLB or walk cache: valid at its level and, for leaves, AF = 1
    /// (faulting entries are never cached, arm-arch.md §3.3; herd bbm.cat TLBUncacheableTTD).</summary>
    public static bool Cacheable(ulong value, Granule g, int level)
    {
        var d = new Descriptor(value);
        return d.Kind(g, level) switch
        {
            DescriptorKind.Table => true,
            DescriptorKind.Block or DescriptorKind.Page => d.AF,
            _ => false,
        };
    }

    /// <summary>The rule a direct change <paramref name="oldValue"/> → <paramref name="newValue"/> of a live
    /// descriptor at <paramref name="level"/> breaks, or null if the change needs no BBM (e.g. permission-only, or
    /// either side not TLB-cacheable).</summary>
    public static string? NeedsBbm(ulong oldValue, ulong newValue, Granule g, int level, int bbmLevel, PhysicalMemory mem)
    {
        if (oldValue == newValue || !Cacheable(oldValue, g, level) || !Cacheable(newValue, g, level)) return null;
        Descriptor o = new(oldValue), n = new(newValue);
        var ko = o.Kind(g, level);
        var kn = n.Kind(g, level);
        if (ko == DescriptorKind.Table && kn == DescriptorKind.Table)
        {
            ulong a = o.OutputAddress(g, level), b = n.OutputAddress(g, level);
            return a != b && !mem.FramesEqual(a >> g.PageShift, b >> g.PageShift) ? RuleTableAddr : null;
        }
        if (ko == DescriptorKind.Table || kn == DescriptorKind.Table)
        {
            // R_KFLJB: BBML2 may change size directly; BBML1 only with nT set in the block descriptor.
            if (bbmLevel >= 2) return null;
            var block = ko == DescriptorKind.Table ? n : o;
            return bbmLevel == 1 && block.NT ? null : RuleSize;
        }
        return LeafPairRule(o, n, g.LevelSize(level), o.OutputAddress(g, level), n.OutputAddress(g, level), bbmLevel, mem);
    }

    /// <summary>Shared leaf-vs-leaf checks of R_WHZWS for two translations of the same size.</summary>
    private static string? LeafPairRule(Descriptor o, Descriptor n, ulong size, ulong oaOld, ulong oaNew, int bbmLevel, PhysicalMemory mem)
    {
        if (o.AttrIndx != n.AttrIndx) return RuleMemType;
        if (o.SH != n.SH) return RuleShare;
        if (oaOld != oaNew || o.NS != n.NS)
        {
            if (o.WritableForBbm || n.WritableForBbm) return RuleOaWritable;
            if (o.NS != n.NS || !mem.RangesEqual(oaOld, oaNew, size)) return RuleOaContents;
        }
        if (o.Contiguous != n.Contiguous && bbmLevel < 1) return RuleCont;
        if (o.NG && !n.NG) return RuleGlobal;
        return null;
    }

    /// <summary>Whether two cached leaf translations that both match <paramref name="va"/> may coexist, or the
    /// lookup is a TLB conflict (R_FVQCK, R_QLGWZ). Same-size pairs conflict when they differ in a way needing BBM;
    /// different sizes conflict unless FEAT_BBML2 and the two agree on OA and attributes for this VA (modelled as
    /// BBML2_NOABORT; plain BBML2 may still abort, I_HYQMB).</summary>
    public static bool Conflict(in TlbLeaf a, in TlbLeaf b, ulong va, Granule g, int bbmLevel, PhysicalMemory mem)
    {
        Descriptor da = new(a.Descriptor), db = new(b.Descriptor);
        if (a.Level == b.Level)
            return a.Descriptor != b.Descriptor &&
                   LeafPairRule(da, db, g.LevelSize(a.Level), da.OutputAddress(g, a.Level), db.OutputAddress(g, b.Level), bbmLevel, mem) != null;
        if (bbmLevel < 2) return true;
        return PaFor(a, va, g) != PaFor(b, va, g) || da.AttrIndx != db.AttrIndx || da.SH != db.SH || da.NS != db.NS;
    }

    public static ulong PaFor(in TlbLeaf e, ulong va, Granule g)
    {
        ulong size = g.LevelSize(e.Level);
        return new Descriptor(e.Descriptor).OutputAddress(g, e.Level) | (va & (size - 1) & ((1UL << 48) - 1));
    }

    /// <summary>Linux pgattr_change_is_safe() (arch/arm64/mm/mmu.c): null if safe, else why not.</summary>
    public static string? PgattrUnsafeReason(ulong oldValue, ulong newValue, Granule g)
    {
        ulong mask = DescBits.PXN | DescBits.RdOnly | DescBits.DBM | DescBits.NG | DescBits.SwBitsMask;
        Descriptor o = new(oldValue), n = new(newValue);
        if (!o.Valid || !n.Valid) return null; // creating or taking down mappings is always safe
        if (o.Pfn(g) != n.Pfn(g)) return "pgattr_change_is_safe (arch/arm64/mm/mmu.c): a live entry's pfn must not change";
        if (((oldValue | newValue) & DescBits.Cont) != 0) return "pgattr_change_is_safe (arch/arm64/mm/mmu.c): live contiguous mappings may not be changed";
        if (o.NG && !n.NG) return "pgattr_change_is_safe (arch/arm64/mm/mmu.c): non-global to global is unsafe";
        // MT_NORMAL (0) <-> MT_NORMAL_TAGGED (1) counts as a permission change.
        if (o.AttrIndx <= 1 && n.AttrIndx <= 1) mask |= DescBits.AttrIndxMask;
        ulong diff = (oldValue ^ newValue) & ~mask;
        return diff == 0 ? null : $"pgattr_change_is_safe (arch/arm64/mm/mmu.c): bits 0x{diff:x} may not change on a live entry (only PXN, RDONLY, WRITE, nG, software bits)";
    }
}
