namespace HvoLab.Litmus;

/// <summary>A simple, deterministic <see cref="ILitmusAddressMap"/>: symbol k (in <see cref="LitmusValues.Symbols"/>
/// order) lives at VA <c>0x1000_0000 + k*4K</c>, is backed by PA <c>0x8000_0000 + k*4K</c>, and its descriptor
/// sits at VA <c>0x0F00_0000 + k*8</c>. Descriptors use the AArch64 stage-1 4K page layout so bit tests in
/// litmus code (e.g. <c>LSL X6,X6,#7</c> to clear AP[2]) mean what they mean on hardware:
/// bit0 valid, bit1 page, AttrIndx[4:2], AP[1] (bit 6, EL0 access), AP[2] (bit 7, set = read-only = "not dirty"),
/// AF (bit 10), OA [47:12], DBM (bit 51). Fields a literal omits take herd's defaults: valid 1, af 1, db 1, dbm 0,
/// el0 0 (the el0 default is our reading, to be checked against herd).</summary>
public sealed class SymbolicAddressMap : ILitmusAddressMap
{
    public const ulong DataBase = 0x1000_0000, PhysBase = 0x8000_0000, PteBase = 0x0F00_0000, Page = 0x1000;
    private readonly List<string> _symbols;

    public SymbolicAddressMap(IEnumerable<string> symbols) => _symbols = symbols.Distinct().ToList();
    public SymbolicAddressMap(LitmusTest test) : this(LitmusValues.Symbols(test)) { }

    private int Index(string symbol)
    {
        var i = _symbols.IndexOf(symbol);
        if (i >= 0) return i;
        _symbols.Add(symbol); // a symbol first seen at run time still gets a stable slot
        return _symbols.Count - 1;
    }

    public ulong VirtualAddress(string symbol) => DataBase + (ulong)Index(symbol) * Page;
    public ulong PteAddress(string symbol) => PteBase + (ulong)Index(symbol) * 8;
    public ulong PhysicalAddress(string symbol) => PhysBase + (ulong)Index(symbol) * Page;

    public ulong EncodeDescriptor(DescriptorValue d, string? mapsSymbol)
    {
        var oa = d.Oa is { } pa ? PhysicalAddress(pa.Symbol) : mapsSymbol is null ? 0 : PhysicalAddress(mapsSymbol);
        ulong v = oa & 0x0000_FFFF_FFFF_F000UL;
        if ((d.Valid ?? 1) != 0) v |= 1;
        v |= 2;
        if ((d.El0 ?? 0) != 0) v |= 1UL << 6;
        if ((d.Db ?? 1) == 0) v |= 1UL << 7;
        if ((d.Af ?? 1) != 0) v |= 1UL << 10;
        if ((d.Dbm ?? 0) != 0) v |= 1UL << 51;
        if (d.Attrs is { } a) v |= (ulong)(a.Attributes.Any(x => x.StartsWith("Device", StringComparison.Ordinal)) ? 1 : 2) << 2;
        return v;
    }

    public LitLocation? Describe(ulong va)
    {
        if (va >= DataBase && va < DataBase + (ulong)_symbols.Count * Page) return new MemoryLocation(_symbols[(int)((va - DataBase) / Page)]);
        if (va >= PteBase && va < PteBase + (ulong)_symbols.Count * 8) return new PteLocation(_symbols[(int)((va - PteBase) / 8)]);
        return null;
    }
}
