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
/// Contiguous runs are cached as individual entries (no amalgamated range entry). Entries the adversarial fill gives
/// every CPU at once live in <see cref="TlbSharedFills"/>; this class answers for them as if they were its own.
/// </summary>
public sealed class Tlb
{
    private readonly Granule _g;
    private readonly int _cpu;
    private readonly TlbHolders _holders;
    private readonly TlbSharedFills _shared;
    private readonly Dictionary<ulong, TlbLeaf>[] _leaf = new Dictionary<ulong, TlbLeaf>[4];
    private readonly Dictionary<ulong, TlbWalkEntry>[] _walk = new Dictionary<ulong, TlbWalkEntry>[4];
    // How many entries of this TLB were made from each descriptor PA (drives the shared reverse index).
    private readonly Dictionary<ulong, int> _refs = new();
    private readonly List<ulong> _scratch = new();

    public Tlb(Granule g, int cpu, TlbHolders holders, TlbSharedFills? shared = null)
    {
        _g = g; _cpu = cpu; _holders = holders; _shared = shared ?? new TlbSharedFills(g, cpu + 1);
        for (int i = 0; i < 4; i++) { _leaf[i] = new(); _walk[i] = new(); }
    }

    /// <summary>No entry of this CPU's own cached (entries shared with other CPUs aside): every private entry
    /// references its descriptor PA, so no references means no entries.</summary>
    public bool HasNoPrivateEntries => _refs.Count == 0;
    /// <summary>Nothing cached at all for this CPU.</summary>
    public bool IsEmpty => _refs.Count == 0 && (_shared.Count == 0 || LeafCount + WalkCount == 0);
    public int LeafCount { get { int n = _shared.CountFor(_cpu, walk: false); foreach (var d in _leaf) n += d.Count; return n; } }
    public int WalkCount { get { int n = _shared.CountFor(_cpu, walk: true); foreach (var d in _walk) n += d.Count; return n; } }

    private ulong Key(ulong va, int level) => (va & ((1UL << 48) - 1)) >> _g.LevelShift(level);

    private void Ref(ulong descPa)
    {
        _refs.TryGetValue(descPa, out int n);
        _refs[descPa] = n + 1;
        if (n == 0)
        {
            _holders.Add(descPa, _cpu);
            if (_refs.Count == 1) _shared.CpusWithPrivate.Set(_cpu);
        }
    }

    private void Unref(ulong descPa)
    {
        if (!_refs.TryGetValue(descPa, out int n)) return;
        if (n <= 1)
        {
            _refs.Remove(descPa);
            _holders.Remove(descPa, _cpu);
            if (_refs.Count == 0) _shared.CpusWithPrivate.Clear(_cpu);
        }
        else _refs[descPa] = n - 1;
    }

    /// <summary>Caches a leaf unless an entry for the same (level, block) is already held. Returns true if added.</summary>
    public bool AddLeaf(in TlbLeaf e)
    {
        ulong key = Key(e.VaBase, e.Level);
        if (_shared.TryLeaf(_cpu, e.Level, key, out _) || !_leaf[e.Level].TryAdd(key, e)) return false;
        Ref(e.DescPa);
        _shared.NotePrivate(false, e.Level, key, _cpu, held: true);
        return true;
    }

    public bool AddWalk(in TlbWalkEntry e)
    {
        ulong key = Key(e.VaBase, e.Level);
        if (_shared.TryWalk(_cpu, e.Level, key, out _) || !_walk[e.Level].TryAdd(key, e)) return false;
        Ref(e.DescPa);
        _shared.NotePrivate(true, e.Level, key, _cpu, held: true);
        return true;
    }

    private bool TryLeaf(int level, ulong key, out TlbLeaf e) => _leaf[level].TryGetValue(key, out e) || _shared.TryLeaf(_cpu, level, key, out e);
    private bool TryWalk(int level, ulong key, out TlbWalkEntry e) => _walk[level].TryGetValue(key, out e) || _shared.TryWalk(_cpu, level, key, out e);

    /// <summary>All leaf entries matching <paramref name="va"/> (one probe per level). Returns how many matched;
    /// the first two are returned.</summary>
    public int LookupLeaves(ulong va, out TlbLeaf first, out TlbLeaf second)
    {
        first = default; second = default;
        int n = 0;
        for (int level = 1; level <= 3; level++)
        {
            if (!TryLeaf(level, Key(va, level), out var e)) continue;
            if (n == 0) first = e; else if (n == 1) second = e;
            n++;
        }
        return n;
    }

    /// <summary>The deepest cached table descriptor covering <paramref name="va"/>, if any.</summary>
    public bool DeepestWalk(ulong va, out TlbWalkEntry e)
    {
        for (int level = 2; level >= _g.StartLevel; level--)
            if (TryWalk(level, Key(va, level), out e)) return true;
        e = default;
        return false;
    }

    /// <summary>Entries made from the descriptor at <paramref name="descPa"/>, which maps <paramref name="va"/> at
    /// <paramref name="level"/>: leaf and/or walk entry. Returns how many (0..2).</summary>
    public int FindByDescriptor(ulong descPa, int level, ulong va, out ulong value1, out ulong value2)
    {
        value1 = value2 = 0;
        int n = 0;
        ulong key = Key(va, level);
        if (TryLeaf(level, key, out var l) && l.DescPa == descPa) { value1 = l.Descriptor; n++; }
        if (TryWalk(level, key, out var w) && w.DescPa == descPa)
        {
            if (n == 0) value1 = w.Descriptor; else value2 = w.Descriptor;
            n++;
        }
        return n;
    }

    /// <summary>Removes this CPU's own entry for the block, if any (the holder indexes follow).</summary>
    private bool DropPrivate(bool walk, int level, ulong key)
    {
        ulong descPa;
        if (walk) { if (!_walk[level].Remove(key, out var w)) return false; descPa = w.DescPa; }
        else { if (!_leaf[level].Remove(key, out var e)) return false; descPa = e.DescPa; }
        Unref(descPa);
        _shared.NotePrivate(walk, level, key, _cpu, held: false);
        return true;
    }

    /// <summary>This CPU's entry for the block goes, its own or its share of a shared fill (unless a broadcast has
    /// already removed the shared fills for every CPU).</summary>
    private void Remove(bool walk, int level, ulong key, bool privateOnly)
    {
        if (!DropPrivate(walk, level, key) && !privateOnly) _shared.InvalidateKey(_cpu, walk, level, key);
    }

    /// <summary>TLBI by VA: removes the leaf (page or any block covering <paramref name="va"/>) and, unless
    /// last-level-only, the walk-cache entries on the path (ARM ARM C5.5 TLBI VAE1/VALE1; arm-arch.md §3.1).
    /// <c>privateOnly</c> (internal overload): the shared entries were already removed for every CPU (a broadcast).</summary>
    public void InvalidateVa(ulong va, bool lastLevelOnly) => InvalidateVa(va, lastLevelOnly, privateOnly: false);

    internal void InvalidateVa(ulong va, bool lastLevelOnly, bool privateOnly)
    {
        for (int level = 1; level <= 3; level++) Remove(walk: false, level, Key(va, level), privateOnly);
        if (lastLevelOnly) return;
        for (int level = _g.StartLevel; level <= 2; level++) Remove(walk: true, level, Key(va, level), privateOnly);
    }

    /// <summary>Range invalidation [vaStart, vaEnd). Probes page by page when that is cheaper than scanning the
    /// TLB, else scans the entries (a large range on a small TLB).</summary>
    public void InvalidateRange(ulong vaStart, ulong vaEnd, bool lastLevelOnly) => InvalidateRange(vaStart, vaEnd, lastLevelOnly, privateOnly: false);

    internal void InvalidateRange(ulong vaStart, ulong vaEnd, bool lastLevelOnly, bool privateOnly)
    {
        ulong pages = (vaEnd - vaStart) >> _g.PageShift;
        if (pages <= (ulong)(PrivateCount() + (privateOnly ? 0 : _shared.Count)))
        {
            for (ulong va = vaStart; va < vaEnd; va += _g.PageSize) InvalidateVa(va, lastLevelOnly, privateOnly);
            return;
        }
        var match = new RangeMatch(_g, vaStart, vaEnd);
        RemovePrivateWhere(match, walks: !lastLevelOnly);
        if (!privateOnly) _shared.InvalidateWhere(_cpu, leaves: true, walks: !lastLevelOnly, match);
    }

    private int PrivateCount() { int n = 0; foreach (var d in _leaf) n += d.Count; foreach (var d in _walk) n += d.Count; return n; }

    /// <summary>TLBI ASIDE1(IS) stand-in: removes every non-global (nG = 1) leaf; walk-cache entries carry no nG.</summary>
    public void InvalidateNonGlobal() => InvalidateNonGlobal(privateOnly: false);

    internal void InvalidateNonGlobal(bool privateOnly)
    {
        RemovePrivateWhere(new NonGlobalMatch(), walks: false);
        if (!privateOnly) _shared.InvalidateWhere(_cpu, leaves: true, walks: false, new NonGlobalMatch());
    }

    /// <summary>TLBI VMALLE1(IS): everything goes.</summary>
    public void InvalidateAll() => InvalidateAll(privateOnly: false);

    internal void InvalidateAll(bool privateOnly)
    {
        RemovePrivateWhere(new AllMatch(), walks: true);
        if (!privateOnly) _shared.InvalidateWhere(_cpu, leaves: true, walks: true, new AllMatch());
    }

    private void RemovePrivateWhere<TMatch>(TMatch match, bool walks) where TMatch : struct, IEntryMatch
    {
        for (int level = 0; level < 4; level++)
        {
            _scratch.Clear();
            foreach (var (k, e) in _leaf[level]) if (match.Leaf(e)) _scratch.Add(k);
            foreach (var k in _scratch) DropPrivate(walk: false, level, k);
            if (!walks) continue;
            _scratch.Clear();
            foreach (var (k, e) in _walk[level]) if (match.Walk(e)) _scratch.Add(k);
            foreach (var k in _scratch) DropPrivate(walk: true, level, k);
        }
    }

    /// <summary>A leaf entry whose output range contains physical address <paramref name="pa"/>, skipping entries for
    /// VAs in [<paramref name="ignoreVaLo"/>, <paramref name="ignoreVaHi"/>) (e.g. the linear map). Scans this TLB
    /// without allocating; used by monitors when a page is freed, not per access.</summary>
    public bool FindLeafMapping(ulong pa, ulong ignoreVaLo, ulong ignoreVaHi, out TlbLeaf found)
    {
        for (int level = 1; level <= 3; level++)
            foreach (var e in _leaf[level].Values)
                if (Maps(e, pa, ignoreVaLo, ignoreVaHi)) { found = e; return true; }
        if (_shared.Count != 0)
            foreach (var e in LeafEntries())
                if (Maps(e, pa, ignoreVaLo, ignoreVaHi)) { found = e; return true; }
        found = default;
        return false;
    }

    private bool Maps(in TlbLeaf e, ulong pa, ulong ignoreVaLo, ulong ignoreVaHi)
    {
        if (e.VaBase >= ignoreVaLo && e.VaBase < ignoreVaHi) return false;
        ulong oa = new Descriptor(e.Descriptor).OutputAddress(_g, e.Level);
        return pa >= oa && pa < oa + _g.LevelSize(e.Level);
    }

    /// <summary>Snapshot of the leaf entries (diagnostics and tests; allocates).</summary>
    public List<TlbLeaf> LeafEntries()
    {
        var list = new List<TlbLeaf>();
        foreach (var d in _leaf) list.AddRange(d.Values);
        _shared.ForEachLeaf(_cpu, list);
        return list;
    }

    public List<TlbWalkEntry> WalkEntries()
    {
        var list = new List<TlbWalkEntry>();
        foreach (var d in _walk) list.AddRange(d.Values);
        _shared.ForEachWalk(_cpu, list);
        return list;
    }
}
