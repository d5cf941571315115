namespace HvoLab.Arch;

/// <summary>Where a page-table frame sits in the kernel's TTBR1 tree: the level of the descriptors it holds and
/// the VA its first entry maps.</summary>
public readonly record struct TableInfo(ulong VaBase, int Level);

/// <summary>
/// Which physical frames are translation tables. Frames enter when the builder creates them or when a table
/// descriptor pointing at them is written into a known table (so the oracle can name the VA of every descriptor
/// write); they leave only when the owner calls <see cref="Forget"/> (e.g. when a freed page-table page is reused).
/// </summary>
public sealed class TableRegistry
{
    private readonly Dictionary<ulong, TableInfo> _byPfn = new();
    // One bit per PFN, in lazily allocated chunks of 4096 frames: every physical store asks "is this a table?",
    // and the answer is almost always no, so it must not cost a hash lookup.
    private ulong[]?[] _bits = new ulong[]?[16];
    private readonly Granule _g;

    public TableRegistry(Granule g) { _g = g; }

    public int Count => _byPfn.Count;

    public void Register(ulong tablePa, ulong vaBase, int level)
    {
        ulong pfn = tablePa >> _g.PageShift;
        _byPfn[pfn] = new TableInfo(vaBase, level);
        SetBit(pfn, true);
    }

    public void Forget(ulong tablePa)
    {
        ulong pfn = tablePa >> _g.PageShift;
        if (_byPfn.Remove(pfn)) SetBit(pfn, false);
    }

    public bool IsTable(ulong pa) => IsTableFrame(pa >> _g.PageShift);

    /// <summary>Is frame <paramref name="pfn"/> a known table (two array loads, no hashing)?</summary>
    public bool IsTableFrame(ulong pfn)
    {
        ulong chunk = pfn >> 12;
        if (chunk >= (ulong)_bits.Length || _bits[chunk] is not { } b) return false;
        return (b[(pfn >> 6) & 63] & (1UL << (int)(pfn & 63))) != 0;
    }

    private void SetBit(ulong pfn, bool on)
    {
        ulong chunk = pfn >> 12;
        if (chunk >= (ulong)_bits.Length)
        {
            if (!on) return;
            Array.Resize(ref _bits, (int)Math.Max(chunk + 1, (ulong)_bits.Length * 2));
        }
        var b = _bits[chunk] ??= new ulong[64];
        if (on) b[(pfn >> 6) & 63] |= 1UL << (int)(pfn & 63);
        else b[(pfn >> 6) & 63] &= ~(1UL << (int)(pfn & 63));
    }

    public bool TryGetTable(ulong tablePa, out TableInfo info) => _byPfn.TryGetValue(tablePa >> _g.PageShift, out info);

    /// <summary>For a descriptor address inside a known table: its level and the VA (block/page/region base) it maps.</summary>
    public bool TryLocateDescriptor(ulong descPa, out int level, out ulong va)
    {
        if (!IsTableFrame(descPa >> _g.PageShift) || !_byPfn.TryGetValue(descPa >> _g.PageShift, out var t)) { level = 0; va = 0; return false; }
        level = t.Level;
        ulong index = (descPa & (_g.PageSize - 1)) >> 3;
        va = t.VaBase + (index << _g.LevelShift(t.Level));
        return true;
    }
}
