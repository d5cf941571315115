using System.Globalization;
using System.Text.RegularExpressions;
using HvoLab.Kernel;
using HvoLab.Kernel.Primitives;

namespace HvoLab.Experiments.Checking;

/// <summary>
/// Names an address the way a kernel oops would: kernel globals by their C name, vmemmap VAs as the struct page
/// (and field) they hold, page-table memory as the descriptor of the VA it maps. Built from the booted system after a
/// replay, so the names are those of that execution's layout.
/// </summary>
public sealed partial class Symbolizer
{
    private readonly Linux _linux;
    private readonly Dictionary<ulong, string> _globals = new();

    public Symbolizer(Linux linux)
    {
        _linux = linux;
        foreach (var (pa, name) in linux.Data.Symbols) _globals.TryAdd(pa, name);
    }

    /// <summary>Whether a physical address is a descriptor inside a live translation table.</summary>
    public bool IsPageTable(ulong pa) => _linux.Arch.Tables.IsTable(pa);

    /// <summary>A physical address: a kernel global, a descriptor, or the bare PA.</summary>
    public string Physical(ulong pa)
    {
        if (_globals.TryGetValue(pa, out var name)) return name;
        if (_globals.TryGetValue(pa & ~63UL, out name)) return $"{name}+{pa & 63}";
        if (_linux.Arch.Tables.TryLocateDescriptor(pa, out int level, out ulong va))
            return $"{(level == 3 ? "PTE" : level == 2 ? "PMD" : "descriptor")} of {Virtual(va, brief: true)} (level {level})";
        return Hex(pa);
    }

    /// <summary>A virtual address: a struct page field for the vmemmap, the bare VA otherwise.</summary>
    public string Virtual(ulong va, bool brief = false)
    {
        var layout = _linux.Layout;
        if (!layout.IsVmemmap(va)) return $"VA {Hex(va)}";
        if (brief) return $"vmemmap VA {Hex(va)}";
        ulong pfn = layout.PageToPfn(va);
        ulong head = _linux.Folios.HeadOf(pfn);
        int offset = (int)((va - layout.PfnToPage(pfn)) % (ulong)Layout.StructPageSize);
        string folio = head == pfn ? (_linux.Folios.IsHead(pfn) ? " (folio head)" : "") : $" (folio head +{pfn - head})";
        return $"struct page of PFN {Hex(pfn)}{folio}, {FieldName(offset)}";
    }

    private static string FieldName(int offset) => offset switch
    {
        StructPage.Flags => "flags",
        StructPage.CompoundHead => "compound_head",
        StructPage.Private => "private",
        StructPage.MapCount => "_mapcount",
        StructPage.RefCount => "_refcount",
        StructPage.MemcgData => "memcg_data",
        _ => $"+{offset}",
    };

    /// <summary>Rewrites "PA 0x…" and "VA 0x…" inside a sentence produced by the model into symbols, keeping the
    /// number for the reader who wants it.</summary>
    public string InText(string text) => AddressPattern().Replace(text, m =>
    {
        ulong a = ulong.Parse(m.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        string sym = m.Groups[1].Value == "PA" ? Physical(a) : Virtual(a);
        return sym.StartsWith("0x", StringComparison.Ordinal) || sym.StartsWith("VA ", StringComparison.Ordinal) ? m.Value : $"{sym} ({m.Value})";
    });

    private static string Hex(ulong v) => "0x" + v.ToString("x", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\b(PA|VA) 0x([0-9a-fA-F]+)")]
    private static partial Regex AddressPattern();
}
