namespace HvoLab.Arch;

/// <summary>
/// Translations that many CPUs' TLBs hold at once, kept once with the set of CPUs that hold them. The adversarial
/// fill policy puts the translation an overwritten descriptor gave into every CPU's TLB (arm-arch.md §3.3: a walker
/// may have cached it at any time before); stored per CPU, that is 256 insertions per PTE write on a 256-CPU machine
/// and 256 removals per broadcast TLBI. Here it is one insertion and one removal. Semantics are those of the per-CPU
/// insertion it stands for: a CPU that already holds an entry for the same (level, VA block) keeps it and does not
/// get the fill (<see cref="Tlb"/> keeps the first entry cached), so the index of which CPUs hold a private entry
/// for each block is kept here too. Each <see cref="Tlb"/> consults this for its CPU in every lookup, add and
/// invalidation, so callers see one TLB per CPU as before.
/// </summary>
public sealed class TlbSharedFills
{
    private readonly Granule _g;
    private readonly CpuMask _all;
    private readonly Dictionary<ulong, (TlbLeaf Entry, CpuMask Cpus)>[] _leaf = new Dictionary<ulong, (TlbLeaf, CpuMask)>[4];
    private readonly Dictionary<ulong, (TlbWalkEntry Entry, CpuMask Cpus)>[] _walk = new Dictionary<ulong, (TlbWalkEntry, CpuMask)>[4];
    private readonly Dictionary<ulong, CpuMask>[] _privateLeaf = new Dictionary<ulong, CpuMask>[4];
    private readonly Dictionary<ulong, CpuMask>[] _privateWalk = new Dictionary<ulong, CpuMask>[4];
    private readonly List<ulong> _scratch = new();

    public TlbSharedFills(Granule g, int cpus)
    {
        _g = g;
        _all = CpuMask.FirstN(cpus);
        for (int i = 0; i < 4; i++) { _leaf[i] = new(); _walk[i] = new(); _privateLeaf[i] = new(); _privateWalk[i] = new(); }
    }

    /// <summary>Shared entries held by at least one CPU (0: every TLB is just its private part).</summary>
    public int Count { get; private set; }

    /// <summary>CPUs with at least one private entry (kept by each <see cref="Tlb"/>).</summary>
    internal CpuMask CpusWithPrivate;

    /// <summary>CPUs whose TLB may hold anything: a superset, cheap to read.</summary>
    public CpuMask CpusWithEntries => Count == 0 ? CpusWithPrivate : _all;

    internal ulong Key(ulong va, int level) => (va & ((1UL << 48) - 1)) >> _g.LevelShift(level);

    // ---- the private-entry index, kept by each Tlb ----

    internal void NotePrivate(bool walk, int level, ulong key, int cpu, bool held)
    {
        var d = walk ? _privateWalk[level] : _privateLeaf[level];
        ref var m = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(d, key, out _);
        if (held) { m.Set(cpu); return; }
        m.Clear(cpu);
        if (m.IsEmpty) d.Remove(key);
    }

    // ---- fills ----

    /// <summary>Every CPU that holds nothing for this block gets <paramref name="e"/>. Returns the CPUs that did not get
    /// it as a shared entry because a different shared entry is already there for others (the caller adds it to
    /// those CPUs one by one; rare).</summary>
    internal CpuMask AddLeafEverywhere(in TlbLeaf e) => AddEverywhere(_leaf[e.Level], _privateLeaf[e.Level], Key(e.VaBase, e.Level), e);

    internal CpuMask AddWalkEverywhere(in TlbWalkEntry e) => AddEverywhere(_walk[e.Level], _privateWalk[e.Level], Key(e.VaBase, e.Level), e);

    private CpuMask AddEverywhere<T>(Dictionary<ulong, (T Entry, CpuMask Cpus)> fills, Dictionary<ulong, CpuMask> privateHolders, ulong key, in T e)
        where T : struct, IEquatable<T>
    {
        var want = Without(_all, privateHolders, key);
        if (fills.TryGetValue(key, out var cur))
        {
            want = CpuMask.AndNot(want, cur.Cpus);
            if (!cur.Entry.Equals(e)) return want;
            fills[key] = (cur.Entry, cur.Cpus | want);
            return default;
        }
        if (!want.IsEmpty) { fills[key] = (e, want); Count++; }
        return default;
    }

    // ---- per-CPU views ----

    internal bool TryLeaf(int cpu, int level, ulong key, out TlbLeaf e)
    {
        if (Count != 0 && _leaf[level].TryGetValue(key, out var f) && f.Cpus.Has(cpu)) { e = f.Entry; return true; }
        e = default;
        return false;
    }

    internal bool TryWalk(int cpu, int level, ulong key, out TlbWalkEntry e)
    {
        if (Count != 0 && _walk[level].TryGetValue(key, out var f) && f.Cpus.Has(cpu)) { e = f.Entry; return true; }
        e = default;
        return false;
    }

    /// <summary>CPUs holding a shared entry made from the descriptor at <paramref name="descPa"/> that maps
    /// <paramref name="va"/> at <paramref name="level"/>.</summary>
    internal CpuMask HoldersOf(ulong descPa, int level, ulong va)
    {
        if (Count == 0) return default;
        ulong key = Key(va, level);
        CpuMask m = default;
        if (_leaf[level].TryGetValue(key, out var l) && l.Entry.DescPa == descPa) m = l.Cpus;
        if (_walk[level].TryGetValue(key, out var w) && w.Entry.DescPa == descPa) m |= w.Cpus;
        return m;
    }

    internal void ForEachLeaf(int cpu, List<TlbLeaf> into)
    {
        if (Count == 0) return;
        foreach (var d in _leaf) foreach (var f in d.Values) if (f.Cpus.Has(cpu)) into.Add(f.Entry);
    }

    internal void ForEachWalk(int cpu, List<TlbWalkEntry> into)
    {
        if (Count == 0) return;
        foreach (var d in _walk) foreach (var f in d.Values) if (f.Cpus.Has(cpu)) into.Add(f.Entry);
    }

    internal int CountFor(int cpu, bool walk)
    {
        if (Count == 0) return 0;
        int n = 0;
        if (walk) { foreach (var d in _walk) foreach (var f in d.Values) if (f.Cpus.Has(cpu)) n++; }
        else foreach (var d in _leaf) foreach (var f in d.Values) if (f.Cpus.Has(cpu)) n++;
        return n;
    }

    // ---- invalidation: for one CPU (local TLBI) or for all (broadcast, cpu = -1) ----

    internal void InvalidateKey(int cpu, bool walk, int level, ulong key)
    {
        if (Count == 0) return;
        if (walk)
        {
            if (!_walk[level].TryGetValue(key, out var f)) return;
            if (Drop(ref f.Cpus, cpu)) { _walk[level].Remove(key); Count--; } else _walk[level][key] = f;
        }
        else
        {
            if (!_leaf[level].TryGetValue(key, out var f)) return;
            if (Drop(ref f.Cpus, cpu)) { _leaf[level].Remove(key); Count--; } else _leaf[level][key] = f;
        }
    }

    /// <summary>Removes, for <paramref name="cpu"/> (or every CPU if -1), the entries that <paramref name="match"/>
    /// selects (a range, nG entries, everything).</summary>
    internal void InvalidateWhere<TMatch>(int cpu, bool leaves, bool walks, TMatch match) where TMatch : struct, IEntryMatch
    {
        if (Count == 0) return;
        for (int level = 0; level < 4; level++)
        {
            if (leaves)
            {
                _scratch.Clear();
                foreach (var (k, f) in _leaf[level]) if (match.Leaf(f.Entry)) _scratch.Add(k);
                foreach (var k in _scratch) InvalidateKey(cpu, false, level, k);
            }
            if (walks)
            {
                _scratch.Clear();
                foreach (var (k, f) in _walk[level]) if (match.Walk(f.Entry)) _scratch.Add(k);
                foreach (var k in _scratch) InvalidateKey(cpu, true, level, k);
            }
        }
    }

    /// <summary>A broadcast TLBI reaches every CPU: the shared entries it selects go at once (the same selection a
    /// <see cref="Tlb"/> makes for its private entries).</summary>
    internal void InvalidateForAll(TlbiOp op, ulong va, ulong pages)
    {
        if (Count == 0) return;
        bool leafOnly = op.LastLevelOnly();
        if (op.IsAll()) InvalidateWhere(-1, true, true, new AllMatch());
        else if (op == TlbiOp.ASIDE1IS) InvalidateWhere(-1, true, false, new NonGlobalMatch());
        else if (op.IsRange()) InvalidateWhere(-1, true, !leafOnly, new RangeMatch(_g, va, va + pages * _g.PageSize));
        else
        {
            for (int level = 1; level <= 3; level++) InvalidateKey(-1, false, level, Key(va, level));
            if (!leafOnly) for (int level = _g.StartLevel; level <= 2; level++) InvalidateKey(-1, true, level, Key(va, level));
        }
    }

    private static bool Drop(ref CpuMask m, int cpu)
    {
        if (cpu < 0) return true;
        m.Clear(cpu);
        return m.IsEmpty;
    }

    private static CpuMask Without(CpuMask all, Dictionary<ulong, CpuMask> privateHolders, ulong key) =>
        privateHolders.TryGetValue(key, out var p) ? CpuMask.AndNot(all, p) : all;
}

/// <summary>Which cached entries an invalidation removes (a struct, so the scans allocate nothing).</summary>
internal interface IEntryMatch
{
    bool Leaf(in TlbLeaf e);
    bool Walk(in TlbWalkEntry e);
}

internal readonly struct RangeMatch(Granule g, ulong start, ulong end) : IEntryMatch
{
    public bool Leaf(in TlbLeaf e) => e.VaBase < end && start < e.VaBase + g.LevelSize(e.Level);
    public bool Walk(in TlbWalkEntry e) => e.VaBase < end && start < e.VaBase + g.LevelSize(e.Level);
}

internal readonly struct NonGlobalMatch : IEntryMatch
{
    public bool Leaf(in TlbLeaf e) => (e.Descriptor & DescBits.NG) != 0;
    public bool Walk(in TlbWalkEntry e) => false;
}

internal readonly struct AllMatch : IEntryMatch
{
    public bool Leaf(in TlbLeaf e) => true;
    public bool Walk(in TlbWalkEntry e) => true;
}
