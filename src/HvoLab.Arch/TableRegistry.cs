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
    private readonly Granule _g;

    public TableRegistry(Granule g) { _g = g; }

    public int Count => _byPfn.Count;

    public void Register(ulong tablePa, ulong vaBase, int level) => _byPfn[tablePa >> _g.PageShift] = new TableInfo(vaBase, level);

    public void Forget(ulong tablePa) => _byPfn.Remove(tablePa >> _g.PageShift);

    public bool IsTable(ulong pa) => _byPfn.ContainsKey(pa >> _g.PageShift);

    public bool TryGetTable(ulong tablePa, out TableInfo info) => _byPfn.TryGetValue(tablePa >> _g.PageShift, out info);

    /// <summary>For a descriptor address inside a known table: its level and the VA (block/page/region base) it maps.</summary>
    public bool TryLocateDescriptor(ulong descPa, out int level, out ulong va)
    {
        if (!_byPfn.TryGetValue(descPa >> _g.PageShift, out var t)) { level = 0; va = 0; return false; }
        level = t.Level;
        ulong index = (descPa & (_g.PageSize - 1)) >> 3;
        va = t.VaBase + (index << _g.LevelShift(t.Level));
        return true;
    }
}
