using HvoLab.Arch.MemoryModel;

namespace HvoLab.Engine;

/// <summary>
/// Load→load reordering of the kernel's data accesses under the Arm data model, as views (Promising-ARM, Pulte et al.,
/// PLDI 2019, Fig. 4), reusing the litmus model's <see cref="MessageMemory"/> and <see cref="ThreadViews"/>: every
/// store to a kernel global that reaches memory (a drain of <see cref="DataStoreBuffers"/>, an RMW, an ordered store)
/// is appended as a message, so per word the messages are its coherence order; a relaxed load may take, besides the
/// newest message, the oldest one its CPU may still read — not older than the CPU's last read or write of the word
/// (<c>coh</c>) and the newest write to the word at the CPU's view <c>vrNew</c>. An older value is the CPU's second
/// action (<see cref="Actions.RunOpAlternative"/>), like a ChooseOne's other outcome.
/// </summary>
/// <remarks>
/// <para>Which words: the kernel globals the guest names (<see cref="IGuest.MayReadOlderValue"/>: those its code loads
/// with plain READ_ONCE / atomic_read); other globals, struct pages and descriptors are read at their newest value.</para>
/// <para>What raises <c>vrNew</c> is coarser than the paper, always in the stronger direction (so the machine never
/// allows what Arm forbids): an ordering point sets it to the newest timestamp of all (everything in memory then),
/// where the paper joins only the views of the CPU's own earlier accesses. Ordering points: DMB LD (smp_rmb), DMB
/// ISH/SY (smp_mb), every DSB (no later instruction executes before it completes, Arm ARM B2.3, and the stores by VA
/// leave no view of their own to join), ISB (taken as ctrl+ISB: the C# routines branch on the values they load),
/// acquire loads, waits and RMWs, fully ordered RMWs and stores, exception entry and return (context synchronization,
/// also taken as ctrl+CSE). DMB ST orders no loads. Loads of kernel globals have no address dependencies on each other
/// (their addresses are fixed), and control dependencies order no load→load pair on Arm.</para>
/// <para>Because an ordering point reads the global timestamp, it depends on every other CPU's store to such a word
/// reaching memory (<see cref="Schedulers.Footprint"/>: LoadOrdering against GlobalStore). With that, swapping two
/// independent actions changes no comparison the rules make (a word's messages keep their order relative to each CPU's
/// ordering points), which is what DPOR needs.</para>
/// <para>Left out (each only removes behaviours Arm allows): reads of messages strictly between the oldest readable and
/// the newest; older values for acquire loads, waits and RMWs (they read the newest); load→store reordering and load
/// buffering (stores reach memory after the loads before them: no promises); older values of other words.</para>
/// </remarks>
internal sealed class DataLoadViews
{
    private readonly Simulator _sim;
    private readonly LocationTable _locations = new();
    private readonly List<ulong> _initial = [];
    private readonly MessageMemory _memory;
    private readonly ThreadViews[] _views;
    private readonly int[] _lastView;
    private readonly List<int>[] _storeDeps;

    public DataLoadViews(Simulator sim, bool active)
    {
        _sim = sim;
        Active = active;
        _memory = new MessageMemory(loc => _initial[loc]);
        _views = new ThreadViews[active ? sim.Cpus.Length : 0];
        for (int i = 0; i < _views.Length; i++) _views[i] = new ThreadViews(i);
        _lastView = new int[_views.Length];
        _storeDeps = new List<int>[_views.Length];
        for (int i = 0; i < _storeDeps.Length; i++) _storeDeps[i] = [];
    }

    public bool Active { get; }

    /// <summary>The word's location, registered with its current memory value as its initial message on first use
    /// (so call it before the first store changes the word).</summary>
    private int Location(ulong word)
    {
        int loc = _locations.IndexOf(word);
        while (_initial.Count <= loc) _initial.Add(_sim.Arch.ReadPhys(_locations.AddressOf(_initial.Count)));
        return loc;
    }

    /// <summary>Before a store of CPU-visible data to <paramref name="word"/> changes memory.</summary>
    public void BeforeStore(ulong word)
    {
        if (Active) Location(word);
    }

    /// <summary>A store by <paramref name="cpu"/> to <paramref name="word"/> reached memory: its message.</summary>
    public void Stored(int cpu, ulong word)
    {
        if (!Active) return;
        int loc = Location(word);
        int ts = _memory.Append(loc, _sim.Arch.ReadPhys(word), cpu);
        _views[cpu].Fulfill(loc, ts, DepView.None, DepView.None, release: false, exclusive: false);
    }

    /// <summary>Timestamp of the oldest message of location <paramref name="loc"/> CPU <paramref name="cpu"/> may read
    /// with a load whose address depends on loads of view <paramref name="addressView"/>.</summary>
    private int OldestReadable(int cpu, int loc, int addressView)
    {
        var v = _views[cpu];
        int ts = Math.Min(Math.Max(v.VrNew, addressView), _memory.Count);
        while (ts > 0 && _memory.LocationOf(ts) != loc) ts--;
        return Math.Max(ts, v.Coh(loc));
    }

    /// <summary>CPU <paramref name="cpu"/> may read a value of <paramref name="word"/> older than memory's.</summary>
    public bool HasOlder(int cpu, ulong word, int addressView = 0)
    {
        if (!Active) return false;
        int loc = Location(word);
        int latest = _memory.Latest(loc), oldest = OldestReadable(cpu, loc, addressView);
        return oldest < latest && _memory.ValueOf(oldest, loc) != _memory.ValueOf(latest, loc);
    }

    /// <summary>A load of the word by CPU <paramref name="cpu"/>: the newest message, or (<paramref name="older"/>) the
    /// oldest it may read (not older than the newest write at <paramref name="addressView"/>, the view of the loads its
    /// address depends on); returns the word's value. The load's view (<see cref="LastView"/>) is the paper's post-view:
    /// the message's timestamp joined with what the read was ordered after.</summary>
    public ulong Load(int cpu, ulong word, bool older, int addressView = 0)
    {
        int loc = Location(word);
        int ts = older ? OldestReadable(cpu, loc, addressView) : _memory.Latest(loc);
        int post = _views[cpu].Read(loc, ts, new DepView(addressView, addressView), ReadStrength.Plain, exclusive: false).Plain;
        // A read of the CPU's own write (post below the timestamp: forwarding) gets, in the paper, that write's address
        // and data views: here the join of those of every store of the CPU to the word (StoreIssued), never below.
        _lastView[cpu] = post >= ts ? post : Math.Max(post, StoreDeps(cpu, loc));
        return older ? _memory.ValueOf(ts, loc) : _sim.Arch.ReadPhys(word);
    }

    /// <summary>A read of CPU <paramref name="cpu"/> that took no message (its own buffered store, a word without
    /// messages, an RMW's write): its view is taken as everything in memory now, at least the paper's (a forwarded
    /// store's view is its dependencies', below its timestamp), so a load depending on it is never weaker than Arm.</summary>
    public void ReadWithoutMessage(int cpu)
    {
        if (Active) _lastView[cpu] = _memory.Count;
    }

    /// <summary>A store or RMW of CPU <paramref name="cpu"/> to <paramref name="word"/> whose address or data depends on
    /// loads of view <paramref name="dependencyView"/> (<see cref="PendingOp.AddressView"/> of a write): what a later
    /// read of that write by the same CPU carries (Promising-ARM's forwarding view). Call it before the store changes
    /// memory.</summary>
    public void StoreIssued(int cpu, ulong word, int dependencyView)
    {
        if (!Active || dependencyView == 0) return;
        int loc = Location(word);
        var deps = _storeDeps[cpu];
        while (deps.Count <= loc) deps.Add(0);
        deps[loc] = Math.Max(deps[loc], dependencyView);
    }

    private int StoreDeps(int cpu, int loc) => loc < _storeDeps[cpu].Count ? _storeDeps[cpu][loc] : 0;

    /// <summary>The view of CPU <paramref name="cpu"/>'s last read (0 when the Arm data model is off).</summary>
    public int LastView(int cpu) => Active ? _lastView[cpu] : 0;

    /// <summary>An ordering point of CPU <paramref name="cpu"/>: later loads read at least what memory holds now.</summary>
    public void Order(int cpu)
    {
        if (Active) _views[cpu].VrNew = _memory.Count;
    }
}
