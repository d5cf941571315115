namespace HvoLab.Engine;

/// <summary>
/// The per-CPU store buffers of the Arm data model as storage: each CPU's buffered stores oldest first, with the DMB ST
/// epoch each was issued in and counts of the release stores, stores by VA and frame stores among them, plus what a
/// CPU's own load of a word reads through them (forwarding). Which store may enter, pass, drain or hold an op back is
/// <see cref="DataStoreBuffers"/>' business; this type only keeps the queues consistent. Allocation-free per store
/// once a queue has grown to its largest size.
/// </summary>
internal sealed class StoreQueues
{
    /// <summary>One buffered store.</summary>
    internal struct Entry
    {
        public ulong Pa;
        public ulong Value;
        public int Size;
        public int Epoch;
        public bool Release;
        /// <summary>The search step that issued the store (<see cref="ExecutionDriver.PerformingStep"/>): its drain's enabler.</summary>
        public int Step;
        /// <summary>A frame store (> 0): <see cref="Pa"/> is the frame, of this many words; <see cref="Src"/> the frame
        /// copied, or ulong.MaxValue for the words <see cref="Value"/> + i * <see cref="Stride"/>.</summary>
        public int Words;
        public ulong Src, Stride;
        /// <summary>A store by VA (a struct page field): <see cref="Va"/> is the address it was issued to, translated
        /// then into <see cref="Pa"/> (DataStoreBuffers.ByVa.cs).</summary>
        public bool ByVa;
        public ulong Va;
        public readonly bool Covers(ulong word) => Words > 0 ? word - Pa < (ulong)Words * 8 : (Pa & ~7UL) == word;
    }

    private readonly Entry[][] _entries;
    private readonly int[] _count, _epoch, _releases, _byVa, _frames;
    private int _byVaTotal;

    public StoreQueues(int cpus, bool active)
    {
        _entries = new Entry[cpus][];
        for (int i = 0; i < cpus; i++) _entries[i] = active ? new Entry[8] : [];
        _count = new int[cpus];
        _epoch = new int[cpus];
        _releases = new int[cpus];
        _byVa = new int[cpus];
        _frames = new int[cpus];
    }

    public int Cpus => _count.Length;
    public int Count(int cpu) => _count[cpu];
    public int Releases(int cpu) => _releases[cpu];
    public int ByVa(int cpu) => _byVa[cpu];
    public int Frames(int cpu) => _frames[cpu];
    /// <summary>Some CPU other than <paramref name="cpu"/> has a store by VA buffered.</summary>
    public bool OthersHaveByVa(int cpu) => _byVaTotal > _byVa[cpu];
    /// <summary>The current DMB ST epoch of <paramref name="cpu"/>.</summary>
    public int Epoch(int cpu) => _epoch[cpu];
    public ref Entry At(int cpu, int i) => ref _entries[cpu][i];
    public ref Entry Front(int cpu) => ref _entries[cpu][0];

    /// <summary>Where a store to <paramref name="word"/> that passes lands: before the trailing run of same-epoch
    /// stores to other words.</summary>
    public int PassIndex(int cpu, ulong word)
    {
        var e = _entries[cpu];
        int i = _count[cpu];
        while (i > 0 && e[i - 1].Epoch == _epoch[cpu] && !e[i - 1].Covers(word)) i--;
        return i;
    }

    /// <summary>Inserts <paramref name="entry"/> at index <paramref name="at"/> of <paramref name="cpu"/>'s queue (its
    /// count at the back) and returns the slot.</summary>
    public ref Entry Insert(int cpu, in Entry entry, int at)
    {
        int n = _count[cpu];
        if (n == _entries[cpu].Length) Array.Resize(ref _entries[cpu], n * 2);
        var e = _entries[cpu];
        Array.Copy(e, at, e, at + 1, n - at);
        e[at] = entry;
        _count[cpu] = n + 1;
        if (entry.Release) _releases[cpu]++;
        if (entry.ByVa) { _byVa[cpu]++; _byVaTotal++; }
        if (entry.Words > 0) _frames[cpu]++;
        return ref e[at];
    }

    /// <summary>Removes and returns the front store of <paramref name="cpu"/>'s queue.</summary>
    public Entry RemoveFront(int cpu)
    {
        var e = _entries[cpu];
        var front = e[0];
        int n = --_count[cpu];
        Array.Copy(e, 1, e, 0, n);
        if (front.Release) _releases[cpu]--;
        if (front.ByVa) { _byVa[cpu]--; _byVaTotal--; }
        if (front.Words > 0) _frames[cpu]--;
        return front;
    }

    /// <summary>DMB ST: later stores may not pass earlier ones.</summary>
    public void StoreBarrier(int cpu)
    {
        if (_count[cpu] > 0) _epoch[cpu]++;
    }

    /// <summary><paramref name="memoryWord"/>, the word at <paramref name="word"/> in memory, with <paramref name="cpu"/>'s
    /// buffered stores to it laid over it in program order (forwarding).</summary>
    public ulong Forward(int cpu, ulong word, ulong memoryWord)
    {
        var e = _entries[cpu];
        for (int i = 0; i < _count[cpu]; i++)
        {
            if (e[i].Words > 0 || (e[i].Pa & ~7UL) != word) continue;
            int shift = (int)(e[i].Pa & 7) * 8;
            ulong mask = e[i].Size == 8 ? ulong.MaxValue : ((1UL << (e[i].Size * 8)) - 1) << shift;
            memoryWord = (memoryWord & ~mask) | ((e[i].Value << shift) & mask);
        }
        return memoryWord;
    }

    /// <summary><paramref name="cpu"/> has a buffered store (not a frame) to <paramref name="word"/>.</summary>
    public bool HasWord(int cpu, ulong word)
    {
        var e = _entries[cpu];
        for (int i = 0; i < _count[cpu]; i++) if (e[i].Words == 0 && (e[i].Pa & ~7UL) == word) return true;
        return false;
    }

    /// <summary><paramref name="cpu"/> has a buffered frame store covering <paramref name="word"/>.</summary>
    public bool InFrame(int cpu, ulong word)
    {
        var e = _entries[cpu];
        for (int i = 0; i < _count[cpu]; i++) if (e[i].Words > 0 && e[i].Covers(word)) return true;
        return false;
    }

    /// <summary>Some CPU other than <paramref name="cpu"/> has a store by VA in [<paramref name="lo"/>, <paramref name="hi"/>) buffered.</summary>
    public bool OthersHaveByVaIn(int cpu, ulong lo, ulong hi)
    {
        for (int o = 0; o < _count.Length; o++)
        {
            if (o == cpu || _byVa[o] == 0) continue;
            var e = _entries[o];
            for (int i = 0; i < _count[o]; i++)
                if (e[i].ByVa && e[i].Va >= lo && e[i].Va < hi) return true;
        }
        return false;
    }

    public bool HasOlderEpoch(int cpu) => _count[cpu] > 0 && _entries[cpu][0].Epoch < _epoch[cpu];

    /// <summary>The front store of <paramref name="cpu"/>'s queue is a store to a kernel global of the current epoch: no
    /// store of an older one is buffered, before or after it drains. Not a store by VA: RMWs by VA and bulk work wait
    /// for those whatever their epoch, so such a drain may be what lets them run.</summary>
    public bool FrontInCurrentEpoch(int cpu) =>
        _count[cpu] > 0 && _entries[cpu][0].Words == 0 && !_entries[cpu][0].ByVa && _entries[cpu][0].Epoch == _epoch[cpu];
}
