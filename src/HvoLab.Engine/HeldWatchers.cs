using System.Runtime.InteropServices;
using HvoLab.Arch;

namespace HvoLab.Engine;

/// <summary>
/// The CPUs held in closed-form handlers (<see cref="ClosedFormRunner"/>), by the word each waits on, so a write to
/// that word finds the ones it may release. The targets of one SGI send are added as one group at the end of the send
/// (<see cref="Flush"/>): one dictionary update per pause instead of one per held CPU.
/// </summary>
internal sealed class HeldWatchers
{
    private readonly Dictionary<ulong, CpuMask> _byWord = new();
    private bool _pending;
    private ulong _pendingPa;
    private CpuMask _pendingCpus;

    public bool Any => _byWord.Count != 0 || _pending;

    /// <summary>CPU <paramref name="cpu"/> now waits on <paramref name="pa"/> (joins at the next <see cref="Flush"/>).</summary>
    public void Add(ulong pa, int cpu)
    {
        if (_pending && _pendingPa != pa) Flush();
        if (!_pending) { _pending = true; _pendingPa = pa; _pendingCpus = default; }
        _pendingCpus.Set(cpu);
    }

    public void Flush()
    {
        if (!_pending) return;
        _pending = false;
        CollectionsMarshal.GetValueRefOrAddDefault(_byWord, _pendingPa, out _) |= _pendingCpus;
    }

    /// <summary>Removes and returns the CPUs waiting on <paramref name="pa"/>.</summary>
    public bool Take(ulong pa, out CpuMask cpus)
    {
        Flush();
        return _byWord.Remove(pa, out cpus);
    }

    /// <summary>CPUs taken by <see cref="Take"/> that still wait on <paramref name="pa"/>.</summary>
    public void PutBack(ulong pa, CpuMask cpus)
    {
        if (!cpus.IsEmpty) CollectionsMarshal.GetValueRefOrAddDefault(_byWord, pa, out _) |= cpus;
    }

    /// <summary>CPU <paramref name="cpu"/> no longer waits on <paramref name="pa"/> (its hold was cancelled).</summary>
    public void Remove(ulong pa, int cpu)
    {
        Flush();
        if (!_byWord.TryGetValue(pa, out var m)) return;
        m.Clear(cpu);
        if (m.IsEmpty) _byWord.Remove(pa); else _byWord[pa] = m;
    }
}
