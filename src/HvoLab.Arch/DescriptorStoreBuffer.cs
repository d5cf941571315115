namespace HvoLab.Arch;

/// <summary>A descriptor store not yet made visible to translation table walkers by its writer's DSB.
/// <paramref name="Hardware"/>: a walker's AF/dirty update whose visibility the litmus binding delays (herd orders a
/// hardware update before later accesses only through a full DSB, aarch64hwreqs.cat DSB-ob; the kernel machine never
/// records one).</summary>
public readonly record struct PendingDescriptorStore(int Cpu, ulong Pa, ulong OldValue, ulong NewValue, long Seq, bool Hardware = false);

/// <summary>
/// Visibility of descriptor stores to table walkers. A store to a translation table is guaranteed to be seen by
/// walkers (of any PE, including the writer's own) only after the writer executes a DSB (arm-arch.md §3.2:
/// "DSB ISHST: prior page-table stores complete and visible to walkers"; ESOP22 CoWinvT tests). Until then the
/// model adversarially lets walkers read the value that was visible before the store.
/// </summary>
public sealed class DescriptorStoreBuffer
{
    private readonly List<PendingDescriptorStore>[] _perCpu;
    // pa -> value walkers currently see, and the sequence number of the store that produced it.
    private readonly Dictionary<ulong, (ulong Value, long Seq)> _visible = new();
    // pa -> sequence number of the newest store (pending or not) to that address.
    private readonly Dictionary<ulong, long> _latest = new();
    private long _seq;

    public DescriptorStoreBuffer(int cpus)
    {
        _perCpu = new List<PendingDescriptorStore>[cpus];
        for (int i = 0; i < cpus; i++) _perCpu[i] = new List<PendingDescriptorStore>();
    }

    public IReadOnlyList<PendingDescriptorStore> Pending(int cpu) => _perCpu[cpu];

    public int PendingCount { get { int n = 0; foreach (var l in _perCpu) n += l.Count; return n; } }

    /// <summary>Record a store whose memory value is now <paramref name="newValue"/>; walkers keep seeing the old one.</summary>
    public void Record(int cpu, ulong pa, ulong oldValue, ulong newValue, bool hardware = false)
    {
        long seq = ++_seq;
        if (!_visible.ContainsKey(pa)) _visible[pa] = (oldValue, 0);
        _latest[pa] = seq;
        _perCpu[cpu].Add(new PendingDescriptorStore(cpu, pa, oldValue, newValue, seq, hardware));
    }

    /// <summary>The writer's DSB: its stores become visible, newest-in-coherence-order wins. With
    /// <paramref name="includeHardware"/> false (DSB ST, DMB, release) pending hardware updates stay pending: those
    /// barriers order explicit writes only (aarch64hwreqs.cat DSB-ob "[Exp &amp; W]; po; [dsb.st]", bob).</summary>
    public void Publish(int cpu, bool includeHardware = true)
    {
        var list = _perCpu[cpu];
        if (list.Count == 0) return;
        foreach (var s in list)
            if (includeHardware || !s.Hardware) MakeVisible(in s);
        if (includeHardware) list.Clear();
        else list.RemoveAll(s => !s.Hardware);
    }

    private void MakeVisible(in PendingDescriptorStore s)
    {
        if (!_visible.TryGetValue(s.Pa, out var cur) || cur.Seq > s.Seq) return;
        if (_latest.TryGetValue(s.Pa, out long latest) && latest == s.Seq) { _visible.Remove(s.Pa); _latest.Remove(s.Pa); }
        else _visible[s.Pa] = (s.NewValue, s.Seq);
    }

    /// <summary>Makes visible every CPU's pending stores to <paramref name="pa"/> except those of
    /// <paramref name="exceptCpu"/>: an atomic access or a hardware flag update works on the coherence-newest value,
    /// so a store it observes is observed by every observer from then on (other-multi-copy atomicity, ARM ARM B2.3).</summary>
    public void PublishLocation(ulong pa, int exceptCpu = -1)
    {
        for (int c = 0; c < _perCpu.Length; c++)
        {
            if (c == exceptCpu || _perCpu[c].Count == 0) continue;
            foreach (var s in _perCpu[c])
                if (s.Pa == pa) MakeVisible(in s);
            _perCpu[c].RemoveAll(s => s.Pa == pa);
        }
    }

    /// <summary>Makes visible <paramref name="cpu"/>'s own pending software stores to the word at <paramref name="pa"/>
    /// (pending hardware updates stay pending), earlier than its DSB: a store may become visible to walkers at any time
    /// before it must. The litmus binding uses it where FEAT_ETS2 orders a walk after the store. Returns whether any was
    /// pending.</summary>
    public bool PublishOwn(int cpu, ulong pa)
    {
        var list = _perCpu[cpu];
        var any = false;
        foreach (var s in list)
            if (!s.Hardware && s.Pa == pa) { MakeVisible(in s); any = true; }
        if (any) list.RemoveAll(s => !s.Hardware && s.Pa == pa);
        return any;
    }

    /// <summary>The value an explicit read by <paramref name="cpu"/> returns for the descriptor word at
    /// <paramref name="pa"/> whose coherence-newest value is <paramref name="newest"/>: its own newest pending store
    /// (store forwarding) or the value the walkers see, whichever is later in coherence order. Another CPU's pending
    /// store is not observed before it is visible to all (other-multi-copy atomicity; the kernel model's software
    /// reads use <see cref="ArchMachine.ReadPhys"/> and see the newest value).</summary>
    public ulong ObservedBy(int cpu, ulong pa, ulong newest)
    {
        if (!_visible.TryGetValue(pa, out var vis)) return newest;
        ulong value = vis.Value;
        long seq = vis.Seq;
        foreach (var s in _perCpu[cpu])
            if (s.Pa == pa && s.Seq > seq) { value = s.NewValue; seq = s.Seq; }
        return value;
    }

    /// <summary>If a store to <paramref name="pa"/> is pending, the value walkers see instead of memory.</summary>
    public bool TryGetWalkerValue(ulong pa, out ulong value)
    {
        if (_visible.Count != 0 && _visible.TryGetValue(pa, out var v)) { value = v.Value; return true; }
        value = 0;
        return false;
    }
}
