using System.Globalization;
using System.Text;

namespace HvoLab.Arch;

/// <summary>
/// Human- and JSON-friendly decoding of descriptors, and encoding from a Linux protection name plus overrides.
/// Every bad input throws <see cref="ArgumentException"/> whose message names the field, the bad value and what is
/// allowed (the CLI maps it to exit code 2).
/// </summary>
public static class DescriptorFormatter
{
    private static readonly string[] ShNames = ["non-shareable", "reserved", "outer shareable", "inner shareable"];

    /// <summary>Every field of the descriptor as name → value (bool, int, or hex string), in a fixed order.</summary>
    public static Dictionary<string, object> Fields(ulong value, Granule g, int level)
    {
        CheckLevel(level, g);
        var d = new Descriptor(value);
        var kind = d.Kind(g, level);
        var f = new Dictionary<string, object>
        {
            ["value"] = $"0x{value:x16}", ["granule"] = g.Name, ["level"] = level,
            ["kind"] = kind.ToString().ToLowerInvariant(), ["valid"] = d.Valid,
        };
        if (kind is DescriptorKind.Block or DescriptorKind.Page)
        {
            f["size"] = g.LevelSize(level);
            f["oa"] = $"0x{d.OutputAddress(g, level):x}";
            f["pfn"] = $"0x{d.OutputAddress(g, level) >> g.PageShift:x}";
        }
        else if (kind == DescriptorKind.Table) f["next_table"] = $"0x{d.OutputAddress(g, level):x}";
        else f["address_bits"] = $"0x{d.PageAddress(g):x}";
        // Fields per descriptor kind (Arm ARM K.a D8.3 "Translation table descriptor formats"): a table descriptor has
        // only the hierarchical attributes at [63:59]; a block or page the leaf attributes. nT (bit 16) exists only in
        // block descriptors (FEAT_BBM, I_PJZBK): in a page descriptor bit 16 lies in OA[47:PageShift] (4K, 16K and 64K
        // pages all have PageShift <= 16), so reporting "nT" there reads an address bit as an attribute.
        if (kind == DescriptorKind.Table)
        {
            f["pxntable"] = d.PXNTable; f["uxntable"] = d.UXNTable; f["aptable"] = d.APTable; f["nstable"] = d.NSTable;
        }
        else
        {
            f["attrindx"] = d.AttrIndx; f["ns"] = d.NS; f["ap"] = d.AP; f["rdonly"] = d.ReadOnly; f["user"] = d.User;
            f["sh"] = d.SH; f["af"] = d.AF; f["ng"] = d.NG;
            if (HasNt(kind, level)) f["nt"] = d.NT;
            f["gp"] = d.GP; f["dbm"] = d.DBM; f["cont"] = d.Contiguous; f["pxn"] = d.PXN; f["uxn"] = d.UXN;
            f["pte_write"] = d.PteWrite; f["pte_dirty"] = d.PteDirty; f["pte_special"] = d.PteSpecial; f["pte_devmap"] = d.PteDevmap;
            f["pte_prot_none_or_uffd_wp"] = d.PteProtNoneOrUffdWp; f["pte_present_invalid"] = d.PtePresentInvalid;
        }
        f["linux_prot"] = Prot.NameOf(value, g, level) ?? "";
        return f;
    }

    /// <summary>Multi-line readable description: what it maps, then every field, then the Linux protection it equals.</summary>
    public static string Describe(ulong value, Granule g, int level)
    {
        CheckLevel(level, g);
        var d = new Descriptor(value);
        var kind = d.Kind(g, level);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"0x{value:x16} at level {level} ({g} granule): ");
        sb.AppendLine(kind switch
        {
            DescriptorKind.Page => $"page of {Size(g.LevelSize(level))} at OA 0x{d.OutputAddress(g, level):x}",
            DescriptorKind.Block => $"block of {Size(g.LevelSize(level))} at OA 0x{d.OutputAddress(g, level):x}",
            DescriptorKind.Table => $"table, next-level table at PA 0x{d.OutputAddress(g, level):x}",
            _ => d.Valid ? "invalid (bits[1:0]=01 where no block is allowed)" : "invalid (valid bit clear; other bits are software state)",
        });
        if (kind == DescriptorKind.Table)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  PXNTable={B(d.PXNTable)} UXNTable={B(d.UXNTable)} APTable={d.APTable} NSTable={B(d.NSTable)}");
        }
        else
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  AttrIndx={d.AttrIndx} NS={B(d.NS)} AP[2:1]={d.AP} ({(d.ReadOnly ? "read-only" : "read/write")}{(d.User ? ", EL0 access" : ", EL1 only")}) SH={d.SH} ({ShNames[d.SH]})");
            string nt = HasNt(kind, level) ? $" nT={B(d.NT)}" : "";
            sb.AppendLine(CultureInfo.InvariantCulture, $"  AF={B(d.AF)} nG={B(d.NG)}{nt} GP={B(d.GP)} DBM={B(d.DBM)} Contiguous={B(d.Contiguous)} PXN={B(d.PXN)} UXN={B(d.UXN)}");
            sb.AppendLine(CultureInfo.InvariantCulture, $"  Linux: PTE_WRITE={B(d.PteWrite)} PTE_DIRTY={B(d.PteDirty)} PTE_SPECIAL={B(d.PteSpecial)} PTE_DEVMAP={B(d.PteDevmap)} bit58(PROT_NONE/UFFD_WP)={B(d.PteProtNoneOrUffdWp)} PTE_PRESENT_INVALID={B(d.PtePresentInvalid)}");
        }
        sb.Append("  Linux protection: ").AppendLine(Prot.NameOf(value, g, level) ?? "(none matches)");
        return sb.ToString();
    }

    private static string B(bool b) => b ? "1" : "0";

    /// <summary>nT is a field of block descriptors only (levels 0–2); an invalid entry above level 3 keeps its
    /// software view of the bit.</summary>
    private static bool HasNt(DescriptorKind kind, int level) => kind == DescriptorKind.Block || (kind == DescriptorKind.Invalid && level < 3);

    private static string Size(ulong bytes) => bytes >= 1UL << 30 ? $"{bytes >> 30} GiB" : bytes >= 1UL << 20 ? $"{bytes >> 20} MiB" : $"{bytes >> 10} KiB";

    /// <summary>Parses 0x-hex or decimal, with optional '_' separators.</summary>
    public static ulong ParseValue(string text, string field = "value")
    {
        string t = (text ?? "").Trim().Replace("_", "", StringComparison.Ordinal);
        bool ok = t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(t.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong v)
            : ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out v);
        if (!ok || t.Length == 0) throw new ArgumentException($"{field}: '{text}' is not a number (allowed: 0x-prefixed hex or decimal, '_' separators allowed, 64-bit unsigned)");
        return v;
    }

    /// <summary>Encodes protection <paramref name="prot"/> (PAGE_KERNEL, PAGE_KERNEL_RO, PAGE_KERNEL_ROX,
    /// PAGE_KERNEL_EXEC, PROT_SECT_NORMAL, PAGE_NONE, PAGE_SHARED, TABLE, ...) with output/table address
    /// <paramref name="oa"/> at <paramref name="level"/>, then applies overrides such as "cont", "ng", "af=0",
    /// "attrindx=2". Page protections at a block level become their block form (mk_sect_prot) and block
    /// protections at level 3 their page form.</summary>
    public static ulong Encode(string prot, ulong oa, int level, Granule g, IEnumerable<string>? overrides = null)
    {
        CheckLevel(level, g);
        if (!Prot.ByName.TryGetValue(prot?.Trim() ?? "", out ulong attrs))
            throw new ArgumentException($"prot: '{prot}' is not a known protection (allowed: {string.Join(", ", Prot.ByName.Keys)})");
        bool table = attrs == Prot.TABLE || attrs == Prot.TABLE_NX;
        if (table && level == 3) throw new ArgumentException($"level: 3 cannot hold a TABLE descriptor (allowed: {g.StartLevel}..2)");
        if ((attrs & DescBits.Valid) != 0 && !table)
        {
            if (level < 3 && !g.BlockAllowed(level))
                throw new ArgumentException($"level: {level} cannot hold a block with the {g} granule (allowed: {(g.PageShift == 12 ? "1, 2" : "2")} for blocks, 3 for pages)");
            attrs = level == 3 ? attrs | DescBits.TableOrPage : attrs & ~DescBits.TableOrPage;
        }
        int low = table || level == 3 || (attrs & DescBits.Valid) == 0 ? g.PageShift : g.LevelShift(level);
        if ((oa & ~DescBits.AddressMask(low)) != 0)
            throw new ArgumentException($"oa: 0x{oa:x} is not valid at level {level} with the {g} granule (allowed: multiples of 0x{1UL << low:x} below 2^48)");
        ulong v = attrs | oa;
        if (overrides != null)
            foreach (var o in overrides)
            {
                if (level == 3 && o.Trim().Split('=')[0].Trim().Equals("nt", StringComparison.OrdinalIgnoreCase))
                    throw new ArgumentException("nt: a level-3 page descriptor has no nT bit (bit 16 is part of the output address); nT exists in block descriptors at levels 1..2 (I_PJZBK)");
                v = ApplyOverride(v, o);
            }
        return v;
    }

    /// <summary>As <see cref="Encode"/> with a page frame number (granule pages) instead of an address.</summary>
    public static ulong EncodePfn(string prot, ulong pfn, int level, Granule g, IEnumerable<string>? overrides = null)
    {
        if (pfn >= 1UL << (48 - g.PageShift)) throw new ArgumentException($"pfn: 0x{pfn:x} exceeds the 48-bit OA space (allowed: < 0x{1UL << (48 - g.PageShift):x})");
        return Encode(prot, pfn << g.PageShift, level, g, overrides);
    }

    private static readonly Dictionary<string, ulong> BoolFields = new(StringComparer.OrdinalIgnoreCase)
    {
        ["valid"] = DescBits.Valid, ["table"] = DescBits.TableOrPage, ["page"] = DescBits.TableOrPage, ["ns"] = DescBits.NS,
        ["user"] = DescBits.User, ["rdonly"] = DescBits.RdOnly, ["ro"] = DescBits.RdOnly, ["af"] = DescBits.AF, ["ng"] = DescBits.NG,
        ["nt"] = DescBits.NT, ["gp"] = DescBits.GP, ["dbm"] = DescBits.DBM, ["write"] = DescBits.DBM, ["cont"] = DescBits.Cont,
        ["pxn"] = DescBits.PXN, ["uxn"] = DescBits.UXN, ["dirty"] = DescBits.SwDirty, ["special"] = DescBits.SwSpecial,
        ["devmap"] = DescBits.SwDevmap, ["protnone"] = DescBits.SwProtNone, ["uffd_wp"] = DescBits.SwProtNone,
        ["pxntable"] = DescBits.PXNTable, ["uxntable"] = DescBits.UXNTable, ["nstable"] = DescBits.NSTable,
    };

    private static readonly Dictionary<string, (int Shift, int Max)> IntFields = new(StringComparer.OrdinalIgnoreCase)
    {
        ["attrindx"] = (2, 7), ["ap"] = (6, 3), ["sh"] = (8, 3), ["aptable"] = (61, 3),
    };

    /// <summary>Applies one override "name", "name=value" to a descriptor value.</summary>
    public static ulong ApplyOverride(ulong value, string spec)
    {
        string s = (spec ?? "").Trim();
        int eq = s.IndexOf('=');
        string name = eq < 0 ? s : s[..eq].Trim();
        string? arg = eq < 0 ? null : s[(eq + 1)..].Trim();
        if (BoolFields.TryGetValue(name, out ulong bit))
        {
            bool on = arg switch
            {
                null or "1" => true, "0" => false,
                _ when bool.TryParse(arg, out bool b) => b,
                _ => throw new ArgumentException($"{name}: '{arg}' is not a flag value (allowed: 0, 1, true, false, or no '=')"),
            };
            return on ? value | bit : value & ~bit;
        }
        if (IntFields.TryGetValue(name, out var fi))
        {
            if (arg == null) throw new ArgumentException($"{name}: a value is required (allowed: {name}=0..{fi.Max})");
            ulong n = ParseValue(arg, name);
            if (n > (ulong)fi.Max) throw new ArgumentException($"{name}: {arg} is out of range (allowed: 0..{fi.Max})");
            ulong mask = (ulong)fi.Max << fi.Shift;
            return (value & ~mask) | (n << fi.Shift);
        }
        throw new ArgumentException($"override: '{name}' is not a descriptor field (allowed: {string.Join(", ", BoolFields.Keys)}, {string.Join(", ", IntFields.Keys.Select(k => k + "=N"))})");
    }

    private static void CheckLevel(int level, Granule g)
    {
        if (level < g.StartLevel || level > 3)
            throw new ArgumentException($"level: {level} is not a level of the {g} granule with 48-bit VA (allowed: {g.StartLevel}..3)");
    }
}
