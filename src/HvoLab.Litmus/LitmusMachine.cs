using HvoLab.Arch;

namespace HvoLab.Litmus;

/// <summary>
/// Binds a litmus test to a real <see cref="ArchMachine"/> (4K granule, TTBR1 tables, 48-bit VA).
///
/// Layout (deterministic, identical in every execution):
/// <list type="bullet">
/// <item>symbol k (in <see cref="LitmusValues.Symbols"/> order) has VA <see cref="DataVaBase"/> + k·4K and its own
/// physical frame PA(k); its level-3 descriptor PTE(k) is entry k of one level-3 table, the "data table".</item>
/// <item>the data table page itself is mapped (writable, normal memory) at <see cref="TableVaBase"/>, in another
/// 2 MiB region with its own level-3 table; so <c>PTE(x)</c> as a value is the VA <see cref="TableVaBase"/> + 8k, and
/// litmus loads/stores/atomics on it are ordinary VA accesses that hit the real descriptor (the Arch oracle and the
/// walker store buffer see them exactly as they see kernel page-table writes).</item>
/// </list>
/// Descriptor literals use the stage-1 4K page layout: valid (bit 0), page (bit 1), AttrIndx[4:2] (0 normal, 1 device,
/// 2 normal non-cacheable), AP[2] (bit 7: set when <c>db:0</c>, i.e. read-only / clean), SH = inner shareable,
/// AF (bit 10), OA[47:12], DBM (bit 51). Omitted fields take herd's defaults: valid 1, af 1, db 1, dbm 0.
/// </summary>
public sealed class LitmusMachine : ILitmusAddressMap
{
    public const ulong DataVaBase = PageTableBuilder.KernelVaBase + 0x1000_0000UL;
    public const ulong TableVaBase = PageTableBuilder.KernelVaBase + 0x2000_0000UL;
    public const ulong PageSize = 0x1000;
    public const ulong MemoryBytes = 64UL << 20;
    private const ulong InnerShareable = 3UL << DescBits.ShShift;

    private readonly LitmusTest _test;
    private readonly List<string> _symbols;
    private readonly ulong[] _pa;
    private readonly int _cpus;

    /// <summary>Physical address of the level-3 table holding every symbol's descriptor.</summary>
    public ulong DataTablePa { get; }

    /// <param name="extraCpus">CPUs beyond the test's threads (the binding's store-propagation helper).</param>
    public LitmusMachine(LitmusTest test, int extraCpus = 1)
    {
        _test = test;
        _symbols = LitmusValues.Symbols(test).ToList();
        if (_symbols.Count > 512) throw new LitmusExecutionException($"{test.Name}: more than 512 locations");
        _cpus = test.MainThreads.Count() + extraCpus;
        _pa = new ulong[_symbols.Count];
        // Lay out once on a scratch machine: the bump allocator is deterministic, so every Build gives the same PAs.
        var scratch = new ArchMachine(Config());
        for (var k = 0; k < _pa.Length; k++) _pa[k] = AllocFrame(scratch);
        DataTablePa = BuildTables(scratch, null);
    }

    public LitmusTest Test => _test;
    public IReadOnlyList<string> Symbols => _symbols;
    public int Cpus => _cpus;

    public MachineConfig Config() => new()
    {
        Cpus = _cpus,
        Granule = Granule.K4,
        BbmLevel = BbmLevelOf(_test),
        FillPolicy = TlbFillPolicy.Adversarial,
        MemoryBytes = MemoryBytes,
    };

    /// <summary>herd tests do not name a BBM level; a <c>Variant=bbml1</c>/<c>bbml2</c> would select one.</summary>
    public static int BbmLevelOf(LitmusTest test) =>
        test.Variants.Contains("bbml2") ? 2 : test.Variants.Contains("bbml1") ? 1 : 0;

    /// <summary>A fresh machine holding the test's initial memory and page tables (TLBs empty).</summary>
    public ArchMachine Build()
    {
        var m = new ArchMachine(Config());
        for (var k = 0; k < _pa.Length; k++)
        {
            var pa = AllocFrame(m);
            if (pa != _pa[k]) throw new InvalidOperationException($"{_test.Name}: non-deterministic frame layout");
        }
        var table = BuildTables(m, m);
        if (table != DataTablePa) throw new InvalidOperationException($"{_test.Name}: non-deterministic table layout");
        return m;
    }

    private static ulong AllocFrame(ArchMachine m)
    {
        var pfn = m.Memory.Allocator.AllocFrame();
        m.Memory.ZeroFrame(pfn);
        return pfn << 12;
    }

    private ulong BuildTables(ArchMachine m, ArchMachine? live)
    {
        var b = new PageTableBuilder(m);
        b.CreateRoot();
        for (var k = 0; k < _symbols.Count; k++)
        {
            var s = _symbols[k];
            var data = _test.Init.LastOrDefault(e => e.Target is MemoryLocation ml && ml.Symbol == s);
            if (data?.Value is { } v) m.Memory.WriteWord(_pa[k], LitmusValues.Resolve(v, _test, this, null));
            var pte = _test.Init.LastOrDefault(e => e.Target is PteLocation p && p.Symbol == s);
            var desc = pte?.Value is { } pv ? LitmusValues.Resolve(pv, _test, this, s) : EncodeDescriptor(new DescriptorValue([]), s);
            b.SetDescriptor(VirtualAddress(s), 3, desc);
        }
        var dataTable = b.EnsureTable(DataVaBase, 3);
        b.SetDescriptor(TableVaBase, 3, dataTable | DescBits.Valid | DescBits.TableOrPage | DescBits.AF | InnerShareable);
        if (live is not null) live.Ttbr1 = b.Root;
        return dataTable;
    }

    private int Index(string symbol)
    {
        var i = _symbols.IndexOf(symbol);
        return i >= 0 ? i : throw new LitmusExecutionException($"{_test.Name}: unknown location '{symbol}'");
    }

    public ulong VirtualAddress(string symbol) => DataVaBase + (ulong)Index(symbol) * PageSize;
    public ulong PteAddress(string symbol) => TableVaBase + (ulong)Index(symbol) * 8;
    public ulong PhysicalAddress(string symbol) => _pa[Index(symbol)];
    /// <summary>Physical address of the descriptor of <paramref name="symbol"/> (for final-state reads).</summary>
    public ulong PtePhysicalAddress(string symbol) => DataTablePa + (ulong)Index(symbol) * 8;

    public ulong EncodeDescriptor(DescriptorValue d, string? mapsSymbol)
    {
        var oa = d.Oa is { } pa ? PhysicalAddress(pa.Symbol) : mapsSymbol is null ? 0 : PhysicalAddress(mapsSymbol);
        var v = (oa & DescBits.AddressMask(12)) | DescBits.TableOrPage | InnerShareable;
        if ((d.Valid ?? 1) != 0) v |= DescBits.Valid;
        if ((d.El0 ?? 0) != 0) v |= DescBits.User;
        if ((d.Db ?? 1) == 0) v |= DescBits.RdOnly;
        if ((d.Af ?? 1) != 0) v |= DescBits.AF;
        if ((d.Dbm ?? 0) != 0) v |= DescBits.DBM;
        if (d.Attrs is { } a) v |= (ulong)AttrIndex(a) << DescBits.AttrIndxShift;
        return v;
    }

    /// <summary>AttrIndx for a herd attribute list: Device-* → 1, Normal non-cacheable → 2, otherwise normal (0).</summary>
    public static int AttrIndex(AttrsValue a) =>
        a.Attributes.Any(x => x.StartsWith("Device", StringComparison.OrdinalIgnoreCase)) ? 1
        : a.Attributes.Any(x => x.Equals("iNC", StringComparison.OrdinalIgnoreCase) || x.Equals("oNC", StringComparison.OrdinalIgnoreCase)) ? 2 : 0;

    public LitLocation? Describe(ulong va)
    {
        if (va >= DataVaBase && va < DataVaBase + (ulong)_symbols.Count * PageSize) return new MemoryLocation(_symbols[(int)((va - DataVaBase) / PageSize)]);
        if (va >= TableVaBase && va < TableVaBase + (ulong)_symbols.Count * 8) return new PteLocation(_symbols[(int)((va - TableVaBase) / 8)]);
        return null;
    }

    /// <summary>Final-state memory: a data location is read at its initial physical page (herd's <c>x</c>), a
    /// descriptor at its place in the data table. Software view (newest value in coherence order).</summary>
    public ulong ReadFinal(ArchMachine m, LitLocation loc) => loc switch
    {
        MemoryLocation ml => m.ReadPhys(PhysicalAddress(ml.Symbol)),
        PteLocation p => m.ReadPhys(PtePhysicalAddress(p.Symbol)),
        _ => throw new LitmusExecutionException($"{_test.Name}: {loc} is not a memory location"),
    };

    /// <summary>Renders a value the way herd prints it, when it is recognisably an address or descriptor.</summary>
    public string Render(LitLocation loc, ulong v)
    {
        if (loc is PteLocation || (v & DescBits.TableOrPage) != 0 && v > 0xFFFF && v < (1UL << 52) && _symbols.Count > 0 && IsDescriptorLike(v))
            return RenderDescriptor(v);
        for (var k = 0; k < _symbols.Count; k++)
        {
            if (v == DataVaBase + (ulong)k * PageSize) return _symbols[k];
            if (v == TableVaBase + (ulong)k * 8) return $"PTE({_symbols[k]})";
            if (v == _pa[k] && v != 0) return $"PA({_symbols[k]})";
        }
        return v <= long.MaxValue ? ((long)v).ToString(System.Globalization.CultureInfo.InvariantCulture) : "0x" + v.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
    }

    private bool IsDescriptorLike(ulong v) => _pa.Contains(v & DescBits.AddressMask(12)) && (v & InnerShareable) == InnerShareable;

    private string RenderDescriptor(ulong v)
    {
        var oa = v & DescBits.AddressMask(12);
        var k = Array.IndexOf(_pa, oa);
        var parts = new List<string> { k >= 0 ? $"oa:PA({_symbols[k]})" : $"oa:0x{oa:x}" };
        if ((v & DescBits.Valid) == 0) parts.Add("valid:0");
        if ((v & DescBits.AF) == 0) parts.Add("af:0");
        if ((v & DescBits.RdOnly) != 0) parts.Add("db:0");
        if ((v & DescBits.DBM) != 0) parts.Add("dbm:1");
        if ((v & DescBits.User) != 0) parts.Add("el0:1");
        var attr = (v & DescBits.AttrIndxMask) >> DescBits.AttrIndxShift;
        if (attr == 1) parts.Add("attrs:(Device)");
        else if (attr == 2) parts.Add("attrs:(Normal,iNC,oNC)");
        return "(" + string.Join(", ", parts) + ")";
    }
}
