namespace HvoLab.Arch;

/// <summary>A cached leaf translation: the page/block at <see cref="VaBase"/> of the given level.</summary>
public readonly record struct TlbLeaf(int Level, ulong VaBase, ulong Descriptor, ulong DescPa, bool TableNoWrite, bool TablePxn);

/// <summary>A cached table descriptor (walk cache): the region at <see cref="VaBase"/> covered by one entry of
/// <see cref="Level"/> continues in the table at <see cref="NextTablePa"/>. NoWrite/Pxn are the hierarchical
/// attributes accumulated down to and including this descriptor.</summary>
public readonly record struct TlbWalkEntry(int Level, ulong VaBase, ulong Descriptor, ulong DescPa, ulong NextTablePa, bool NoWrite, bool Pxn);

/// <summary>
/// One CPU's TLB with walk cache. Entries are hashed per size class (level) by VA >> level shift, so a lookup or a
/// by-VA invalidation is a few dictionary operations. At most one entry per (level, VA block) is held; the
/// first one cached stays until invalidated, which is the stale one when tables changed underneath it.
/// Contiguous runs are cached as individual entries (no amalgamated range entry).
/// </summary>
public sealed class Tlb
{
    private readonly Granule _g;
    private readonly int _cpu;
    private readonly TlbHolders _holders;
    private readonly Dictionary<ulong, TlbLeaf>[] _leaf = new Dictionary<ulong, TlbLeaf>[4];
    private readonly Dictionary<ulong, TlbWalkEntry>[] _walk = new Dictionary<ulong, TlbWalkEntry>[4];
    // How many entries of this TLB were made from each descriptor PA (drives the shared reverse index).
    private readonly Dictionary<ulong, int> _refs = new();
    private readonly List<ulong> _scratch = new();

    public Tlb(Granule g, int cpu, TlbHolders holders)
    {
        _g = g; _cpu = cpu; _holders = holders;
        for (int i = 0; i < 4; i++) { _leaf[i] = new(); _walk[i] = new(); }
    }

    /// <summary>No entry cached: every entry references its descriptor PA, so no references means no entries.</summary>
    public bool IsEmpty => _refs.Count == 0;
    public int LeafCount { get { int n = 0; foreach (var d in _leaf) n += d.Count; return n; } }
    public int WalkCount { get { int n = 0; foreach (var d in _walk) n += d.Count; return n; } }

    private ulong Key(ulong va, int level) => (va & ((1UL << 48) - 1)) >> _g.LevelShift(level);

    private void Ref(ulong descPa)
    {
        _refs.TryGetValue(descPa, out int n);
        _refs[descPa] = n + 1;
        if (n == 0) _holders.Add(descPa, _cpu);
    }

    private void Unref(ulong descPa)
    {
        if (!_refs.TryGetValue(descPa, out int n)) return;
        if (n <= 1) { _refs.Remove(descPa); _holders.Remove(descPa, _cpu); }
        else _refs[descPa] = n - 1;
    }

    /// <summary>Caches a leaf unless an entry for the same (level, block) is already held. Returns true if added.</summary>
    public bool AddLeaf(in TlbLeaf e)
    {
        if (!_leaf[e.Level].TryAdd(Key(e.VaBase, e.Level), e)) return false;
        Ref(e.DescPa);
        return true;
    }

    public bool AddWalk(in TlbWalkEntry e)
    {
        if (!_walk[e.Level].TryAdd(Key(e.VaBase, e.Level), e)) return false;
        Ref(e.DescPa);
        return true;
    }

    /// <summary>All leaf entries matching <paramref name="va"/> (one probe per level). Returns how many matched;
    /// the first two are returned.</summary>
    public int LookupLeaves(ulong va, out TlbLeaf first, out TlbLeaf second)
    {
        first = default; second = default;
        int n = 0;
        for (int level = 1; level <= 3; level++)
        {
            if (!_leaf[level].TryGetValue(Key(va, level), out var e)) continue;
            if (n == 0) first = e; else if (n == 1) second = e;
            n++;
        }
        return n;
    }

    /// <summary>The deepest cached table descriptor covering <paramref name="va"/>, if any.</summary>
    public bool DeepestWalk(ulong va, out TlbWalkEntry e)
    {
        for (int level = 2; level >= _g.StartLevel; level--)
            if (_walk[level].TryGetValue(Key(va, level), out e)) return true;
        e = default;
        return false;
    }

    /// <summary>Entries made from the descriptor at <paramref name="descPa"/>, which maps <paramref name="va"/> at
    /// <paramref name="level"/>: leaf and/or walk entry. Returns how many (0..2).</summary>
    public int FindByDescriptor(ulong descPa, int level, ulong va, out ulong value1, out ulong value2)
    {
        value1 = value2 = 0;
        int n = 0;
        if (_leaf[level].TryGetValue(Key(va, level), out var l) && l.DescPa == descPa) { value1 = l.Descriptor; n++; }
        if (_walk[level].TryGetValue(Key(va, level), out var w) && w.DescPa == descPa)
        {
            if (n == 0) value1 = w.Descriptor; else value2 = w.Descriptor;
            n++;
        }
        return n;
    }

    /// <summary>TLBI by VA: removes the leaf (page or any block covering <paramref name="va"/>) and, unless
    /// last-level-only, the walk-cache entries on the path (ARM ARM C5.5 TLBI VAE1/VALE1; arm-arch.md §3.1).</summary>
    public void InvalidateVa(ulong va, bool lastLevelOnly)
    {
        for (int level = 1; level <= 3; level++)
            if (_leaf[level].Remove(Key(va, level), out var e)) Unref(e.DescPa);
        if (lastLevelOnly) return;
        for (int level = _g.StartLevel; level <= 2; level++)
            if (_walk[level].Remove(Key(va, level), out var w)) Unref(w.DescPa);
    }

    /// <summary>Range invalidation [vaStart, vaEnd). Probes page by page when that is cheaper than scanning the
    /// TLB, else scans the entries (a large range on a small TLB).</summary>
    public void InvalidateRange(ulong vaStart, ulong vaEnd, bool lastLevelOnly)
    {
        ulong pages = (vaEnd - vaStart) >> _g.PageShift;
        if (pages <= (ulong)(LeafCount + WalkCount))
        {
            for (ulong va = vaStart; va < vaEnd; va += _g.PageSize) InvalidateVa(va, lastLevelOnly);
            return;
        }
        for (int level = 1; level <= 3; level++)
        {
            _scratch.Clear();
            foreach (var (k, e) in _leaf[level])
                if (Overlaps(e.VaBase, _g.LevelSize(level), vaStart, vaEnd)) _scratch.Add(k);
            foreach (var k in _scratch) { _leaf[level].Remove(k, out var e); Unref(e.DescPa); }
        }
        if (lastLevelOnly) return;
        for (int level = _g.StartLevel; level <= 2; level++)
        {
            _scratch.Clear();
            foreach (var (k, e) in _walk[level])
                if (Overlaps(e.VaBase, _g.LevelSize(level), vaStart, vaEnd)) _scratch.Add(k);
            foreach (var k in _scratch) { _walk[level].Remove(k, out var e); Unref(e.DescPa); }
        }
    }

    private static bool Overlaps(ulong baseVa, ulong size, ulong start, ulong end) => baseVa < end && start < baseVa + size;

    /// <summary>TLBI ASIDE1(IS) stand-in: removes every non-global (nG = 1) leaf; walk-cache entries carry no nG.</summary>
    public void InvalidateNonGlobal()
    {
        for (int level = 1; level <= 3; level++)
        {
            _scratch.Clear();
            foreach (var (k, e) in _leaf[level])
                if ((e.Descriptor & DescBits.NG) != 0) _scratch.Add(k);
            foreach (var k in _scratch) { _leaf[level].Remove(k, out var e); Unref(e.DescPa); }
        }
    }

    /// <summary>TLBI VMALLE1(IS): everything goes.</summary>
    public void InvalidateAll()
    {
        foreach (var d in _leaf) d.Clear();
        foreach (var d in _walk) d.Clear();
        foreach (var pa in _refs.Keys) _holders.Remove(pa, _cpu);
        _refs.Clear();
    }

    /// <summary>A leaf entry whose output range contains physical address <paramref name="pa"/>, skipping entries for
    /// VAs in [<paramref name="ignoreVaLo"/>, <paramref name="ignoreVaHi"/>) (e.g. the linear map). Scans this TLB
    /// without allocating; used by monitors when a page is freed, not per access.</summary>
    public bool FindLeafMapping(ulong pa, ulong ignoreVaLo, ulong ignoreVaHi, out TlbLeaf found)
    {
        if (_refs.Count != 0)
            for (int level = 1; level <= 3; level++)
            {
                ulong size = _g.LevelSize(level);
                foreach (var e in _leaf[level].Values)
                {
                    if (e.VaBase >= ignoreVaLo && e.VaBase < ignoreVaHi) continue;
                    ulong oa = new Descriptor(e.Descriptor).OutputAddress(_g, level);
                    if (pa >= oa && pa < oa + size) { found = e; return true; }
                }
            }
        found = default;
        return false;
    }

    /// <summary>Snapshot of the leaf entries (diagnostics and tests; allocates).</summary>
    public List<TlbLeaf> LeafEntries()
    {
        var list = new List<TlbLeaf>();
        foreach (var d in _leaf) list.AddRange(d.Values);
        return list;
    }

    public List<TlbWalkEntry> WalkEntries()
    {
        var list = new List<TlbWalkEntry>();
        foreach (var d in _walk) list.AddRange(d.Values);
        return list;
    }
}
