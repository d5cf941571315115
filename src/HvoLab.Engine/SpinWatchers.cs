using HvoLab.Arch;

namespace HvoLab.Engine;

/// <summary>
/// Spin detection's index: for each physical word, the CPUs parked in a spin loop (or a failing WaitPhys) that read it.
/// A write to the word wakes them (<see cref="Simulator"/> NotifyWrite), so a spinning CPU costs nothing until then.
/// </summary>
internal sealed class SpinWatchers
{
    private readonly Dictionary<ulong, CpuMask> _byWord = new();

    /// <summary>CPU <paramref name="c"/> parks watching every word of its read set.</summary>
    public void Watch(Cpu c)
    {
        for (int i = 0; i < c.ReadCount; i++)
        {
            _byWord.TryGetValue(c.ReadSet[i], out var m);
            m.Set(c.Id);
            _byWord[c.ReadSet[i]] = m;
        }
    }

    /// <summary>CPU <paramref name="c"/> stops watching (woken, or interrupted while parked).</summary>
    public void Unwatch(Cpu c)
    {
        for (int i = 0; i < c.ReadCount; i++)
        {
            if (!_byWord.TryGetValue(c.ReadSet[i], out var m)) continue;
            m.Clear(c.Id);
            if (m.IsEmpty) _byWord.Remove(c.ReadSet[i]); else _byWord[c.ReadSet[i]] = m;
        }
    }

    /// <summary>The CPUs watching word <paramref name="pa"/>, if any.</summary>
    public bool TryGet(ulong pa, out CpuMask watchers)
    {
        watchers = default;
        return _byWord.Count != 0 && _byWord.TryGetValue(pa, out watchers);
    }
}
