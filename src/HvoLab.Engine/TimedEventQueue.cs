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
    private readonly Cpu[] _cpus = cpus;
    private double[] _key = [];
    private int[] _heap = [];      // heap position → CPU id
    private int[] _pos = [];       // CPU id → heap position
    private bool[] _dirty = [];
    private int[] _dirtyList = [];
    private int _dirtyCount;

    public void Init()
    {
        int n = _cpus.Length;
        _key = new double[n]; _heap = new int[n]; _pos = new int[n]; _dirty = new bool[n]; _dirtyList = new int[n];
        for (int i = 0; i < n; i++) { _heap[i] = i; _pos[i] = i; _key[i] = double.PositiveInfinity; }
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
            double old = _key[id];
            if (k == old) continue;
            _key[id] = k;
            if (Less(k, id, old, id)) SiftUp(_pos[id]); else SiftDown(_pos[id]);
        }
        _dirtyCount = 0;
    }

    private void RebuildHeap()
    {
        for (int i = 0; i < _dirtyCount; i++)
        {
            int id = _dirtyList[i];
            _dirty[id] = false;
            _key[id] = driver.NextEventTime(_cpus[id]);
        }
        _dirtyCount = 0;
        for (int i = _heap.Length / 2 - 1; i >= 0; i--) SiftDown(i);
    }

    /// <summary>CPU with the earliest next event (lowest id on ties), or null when none has anything to do.</summary>
    public Cpu? PeekEarliest(out double at)
    {
        FlushDirty();
        int top = _heap[0];
        at = _key[top];
        return double.IsPositiveInfinity(at) ? null : _cpus[top];
    }

    /// <summary>Earliest next event of any CPU other than <paramref name="running"/>: in a heap the runner-up of the
    /// root is one of its two children.</summary>
    public double HorizonFromQueue(Cpu running)
    {
        FlushDirty();
        int n = _heap.Length;
        if (n == 0) return double.PositiveInfinity;
        if (_heap[0] != running.Id) return _key[_heap[0]];
        double h = double.PositiveInfinity;
        if (n > 1) h = _key[_heap[1]];
        if (n > 2 && _key[_heap[2]] < h) h = _key[_heap[2]];
        return h;
    }

    private static bool Less(double ka, int a, double kb, int b) => ka < kb || (ka == kb && a < b);

    private void SiftUp(int i)
    {
        int id = _heap[i];
        double k = _key[id];
        while (i > 0)
        {
            int p = (i - 1) >> 1;
            int pid = _heap[p];
            if (!Less(k, id, _key[pid], pid)) break;
            _heap[i] = pid; _pos[pid] = i;
            i = p;
        }
        _heap[i] = id; _pos[id] = i;
    }

    private void SiftDown(int i)
    {
        int n = _heap.Length;
        int id = _heap[i];
        double k = _key[id];
        while (true)
        {
            int l = 2 * i + 1;
            if (l >= n) break;
            int r = l + 1;
            int c = l;
            if (r < n && Less(_key[_heap[r]], _heap[r], _key[_heap[l]], _heap[l])) c = r;
            int cid = _heap[c];
            if (!Less(_key[cid], cid, k, id)) break;
            _heap[i] = cid; _pos[cid] = i;
            i = c;
        }
        _heap[i] = id; _pos[id] = i;
    }
}
