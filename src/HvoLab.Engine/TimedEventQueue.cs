namespace HvoLab.Engine;

/// <summary>
/// Timed scheduling without scanning every CPU per switch: each CPU's next-event time (<see cref="TimedDriver.NextEventTime"/>)
/// is cached in an indexed binary min-heap ordered by (time, CPU id), the order the former linear scan produced
/// (earliest time, lowest id on ties), so seeds give the same executions. A CPU's key is recomputed only when its
/// state may have changed: the CPU that just ran, and CPUs marked dirty by an SGI made pending, an unpark or queued
/// preempting work (the only ways one CPU changes another's next event). Owned by <see cref="TimedDriver"/>.
/// </summary>
internal sealed class TimedEventQueue(TimedDriver driver, Cpu[] cpus)
{
    /// <summary>A heap slot: the key sits beside its CPU id, so a sift reads one array (keys indexed by CPU would cost
    /// a second, scattered read per comparison).</summary>
    private struct Entry
    {
        public double Key;
        public int Id;
    }

    private readonly Cpu[] _cpus = cpus;
    private Entry[] _heap = [];    // heap position → (key, CPU id)
    private int[] _pos = [];       // CPU id → heap position
    private bool[] _dirty = [];
    private int[] _dirtyList = [];
    private int _dirtyCount;

    public void Init()
    {
        int n = _cpus.Length;
        _heap = new Entry[n]; _pos = new int[n]; _dirty = new bool[n]; _dirtyList = new int[n];
        for (int i = 0; i < n; i++) { _heap[i] = new Entry { Key = double.PositiveInfinity, Id = i }; _pos[i] = i; }
        _dirtyCount = 0;
        for (int i = 0; i < n; i++) MarkDirty(i);
    }

    /// <summary>The next event of CPU <paramref name="cpu"/> may have moved (called from the GIC, unpark, preempt work).</summary>
    public void MarkDirty(int cpu)
    {
        if (_dirty.Length == 0 || _dirty[cpu]) return;
        _dirty[cpu] = true;
        _dirtyList[_dirtyCount++] = cpu;
    }

    private void FlushDirty()
    {
        // Many keys at once (a pause holds or releases every other CPU): re-keying all and rebuilding the heap bottom
        // up is O(n), against O(k log n) for k sifts. The order (time, id) is total, so the root and its children —
        // all the queue is asked for — are the same either way.
        if (_dirtyCount > 8 && _dirtyCount * 4 > _heap.Length) { RebuildHeap(); return; }
        for (int i = 0; i < _dirtyCount; i++)
        {
            int id = _dirtyList[i];
            _dirty[id] = false;
            double k = driver.NextEventTime(_cpus[id]);
            int at = _pos[id];
            double old = _heap[at].Key;
            if (k == old) continue;
            _heap[at].Key = k;
            if (k < old) SiftUp(at); else SiftDown(at);
        }
        _dirtyCount = 0;
    }

    private void RebuildHeap()
    {
        for (int i = 0; i < _dirtyCount; i++)
        {
            int id = _dirtyList[i];
            _dirty[id] = false;
            _heap[_pos[id]].Key = driver.NextEventTime(_cpus[id]);
        }
        _dirtyCount = 0;
        for (int i = _heap.Length / 2 - 1; i >= 0; i--) SiftDown(i);
    }

    /// <summary>CPU with the earliest next event (lowest id on ties), or null when none has anything to do.</summary>
    public Cpu? PeekEarliest(out double at)
    {
        FlushDirty();
        ref var top = ref _heap[0];
        at = top.Key;
        return double.IsPositiveInfinity(at) ? null : _cpus[top.Id];
    }

    /// <summary>Earliest next event of any CPU other than <paramref name="running"/>: in a heap the runner-up of the
    /// root is one of its two children.</summary>
    public double HorizonFromQueue(Cpu running)
    {
        FlushDirty();
        int n = _heap.Length;
        if (n == 0) return double.PositiveInfinity;
        if (_heap[0].Id != running.Id) return _heap[0].Key;
        double h = double.PositiveInfinity;
        if (n > 1) h = _heap[1].Key;
        if (n > 2 && _heap[2].Key < h) h = _heap[2].Key;
        return h;
    }

    private static bool Less(in Entry a, in Entry b) => a.Key < b.Key || (a.Key == b.Key && a.Id < b.Id);

    private void SiftUp(int i)
    {
        var e = _heap[i];
        while (i > 0)
        {
            int p = (i - 1) >> 1;
            if (!Less(e, _heap[p])) break;
            _heap[i] = _heap[p]; _pos[_heap[i].Id] = i;
            i = p;
        }
        _heap[i] = e; _pos[e.Id] = i;
    }

    private void SiftDown(int i)
    {
        int n = _heap.Length;
        var e = _heap[i];
        while (true)
        {
            int c = 2 * i + 1;
            if (c >= n) break;
            if (c + 1 < n && Less(_heap[c + 1], _heap[c])) c++;
            if (!Less(_heap[c], e)) break;
            _heap[i] = _heap[c]; _pos[_heap[i].Id] = i;
            i = c;
        }
        _heap[i] = e; _pos[e.Id] = i;
    }
}
