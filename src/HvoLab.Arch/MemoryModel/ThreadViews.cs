namespace HvoLab.Arch.MemoryModel;

/// <summary>The view of a register or dependency: <see cref="Plain"/> for ordinary dependencies, <see cref="Pick"/>
/// (never smaller) also counting pick dependencies, which order only later writes.</summary>
public readonly record struct DepView(int Plain, int Pick)
{
    public static readonly DepView None = new(0, 0);
    public static DepView Of(long plain, long pick) => new((int)plain, (int)Math.Max(plain, pick));
    public DepView Join(DepView o) => new(Math.Max(Plain, o.Plain), Math.Max(Pick, o.Pick));
}

/// <summary>Ordering strength of a read: plain, acquire-PC (LDAPR, RCpc) or acquire (LDAR, RCsc).</summary>
public enum ReadStrength { Plain, AcquirePc, Acquire }

/// <summary>Which program-order pairs a DMB/DSB orders (Arm ARM B2.3.7 "barrier-ordered-before"): DMB SY/ISH orders
/// all four, DMB LD orders reads before reads and writes, DMB ST orders writes before writes.</summary>
[Flags]
public enum BarrierOrders
{
    None = 0,
    ReadRead = 1,
    ReadWrite = 2,
    WriteRead = 4,
    WriteWrite = 8,
    Load = ReadRead | ReadWrite,
    Store = WriteWrite,
    Full = ReadRead | ReadWrite | WriteRead | WriteWrite,
}

/// <summary>
/// One thread's local state in the view-based Arm model (Promising-ARM, Pulte, Pichon-Pharabod, Kang, Lee, Hur,
/// "Promising-ARM/RISC-V: a simpler and faster operational concurrency model", PLDI 2019, Fig. 4; the names follow the
/// paper). A view is a timestamp of <see cref="MessageMemory"/>: everything the thread must already have "seen".
/// <list type="bullet">
/// <item><c>coh[loc]</c>: the newest write to loc the thread has read or written (per-location coherence).</item>
/// <item><c>vrNew</c>/<c>vwNew</c>: lower bounds for later reads/writes (raised by barriers and acquires).</item>
/// <item><c>vrOld</c>/<c>vwOld</c>: the join of the views of reads/writes done so far (what a barrier orders).</item>
/// <item><c>vCap</c>: control and address dependencies so far (later writes and, after an ISB, later reads wait for it).</item>
/// <item><c>vRel</c>: the newest release write (a later acquire, not an acquire-PC, is ordered after it).</item>
/// <item><c>fwd[loc]</c>: the thread's last write to loc and the view of its address and data, so a read of it can be
/// satisfied by forwarding before the write is visible to others (Arm "local read successor").</item>
/// <item>the exclusives bank (last load-exclusive) and the set of promised, unfulfilled timestamps.</item>
/// </list>
/// Besides the paper's views, "pick" dependencies of the current Arm model (herdtools7 aarch64deps.cat: a value chosen
/// by a condition, e.g. CSEL on flags from a load, or whether a CAS writes) order a read only before later writes and,
/// through an ISB, later reads (aarch64hwreqs.cat "pob", "pick-lob", IFB-ob). So every dependency is a
/// <see cref="DepView"/> pair: <c>Plain</c> (ordinary address/data dependencies, ordering everything) and <c>Pick</c>
/// (≥ Plain, ordering writes); <c>vwNew</c> and <c>vCap</c> only bound writes and ISBs, so they hold pick views.
/// All operations are allocation-free once the location arrays have grown to the program's locations.
/// </summary>
public sealed class ThreadViews
{
    public int Tid { get; }
    private int[] _coh = [];
    private int[] _fwdTs = [], _fwdView = [], _fwdPick = [], _fwdRmwView = [], _fwdRmwPick = [];
    private ulong[] _promises = new ulong[1];

    public int VrNew, VwNew, VrOld, VrOldPick, VwOld, VCap, VRel;
    public bool HasExclusive;
    public int ExclusiveLoc, ExclusiveTs;
    /// <summary>View of the load-exclusive (or atomic read): its write is ordered after it (herd "aob": rmw).</summary>
    public DepView ExclusiveView;
    public int PromiseCount { get; private set; }

    public ThreadViews(int tid) => Tid = tid;

    public int Coh(int loc) => loc < _coh.Length ? _coh[loc] : 0;

    private void Grow(int loc)
    {
        if (loc < _coh.Length) return;
        var n = Math.Max(loc + 1, _coh.Length * 2);
        Array.Resize(ref _coh, n);
        Array.Resize(ref _fwdTs, n);
        Array.Resize(ref _fwdView, n);
        Array.Resize(ref _fwdPick, n);
        Array.Resize(ref _fwdRmwView, n);
        Array.Resize(ref _fwdRmwPick, n);
    }

    /// <summary>The view a read must be ordered after: its address, earlier barriers/acquires, and for an acquire
    /// (RCsc) the thread's earlier release (Arm "[L]; po; [A]").</summary>
    public int ReadPre(int vAddr, ReadStrength strength) =>
        Math.Max(Math.Max(vAddr, VrNew), strength == ReadStrength.Acquire ? VRel : 0);

    /// <summary>Whether a read of <paramref name="loc"/> may take message <paramref name="ts"/> (0 = initial value):
    /// not older than what the thread has seen of loc, and the newest write to loc at the read's pre-view.</summary>
    public bool CanRead(MessageMemory mem, int loc, int ts, DepView addr, ReadStrength strength)
    {
        if (ts < Coh(loc) || ts > mem.Count || (ts > 0 && mem.LocationOf(ts) != loc)) return false;
        return mem.NoWriteBetween(loc, ts, ReadPre(addr.Pick, strength));
    }

    /// <summary>Performs a read of message <paramref name="ts"/> and returns the view of the value read.
    /// <paramref name="countsAsRead"/> is false for an atomic whose destination is the zero register: DMB LD and
    /// DSB LD do not order it (herd "R \ NoRet").</summary>
    public DepView Read(int loc, int ts, DepView addr, ReadStrength strength, bool exclusive, bool countsAsRead = true)
    {
        Grow(loc);
        var pre = ReadPre(addr.Pick, strength);
        // Forwarding from the thread's own last write to loc: the value's view is that write's address and data
        // views (herd "(addr|data); lmrs"), not its timestamp; an acquire (or acquire-PC) also waits for the read
        // of an exclusive pair or atomic whose write it reads (herd "[M]; rmw; lmrs; [A|Q]").
        var fromOwn = _fwdTs[loc] == ts && ts > 0;
        var acq = strength != ReadStrength.Plain;
        var post = Math.Max(pre, fromOwn ? Math.Max(_fwdView[loc], acq ? _fwdRmwView[loc] : 0) : ts);
        var pick = Math.Max(Math.Max(post, addr.Pick), fromOwn ? Math.Max(_fwdPick[loc], acq ? _fwdRmwPick[loc] : 0) : 0);
        _coh[loc] = Math.Max(_coh[loc], ts);
        if (strength != ReadStrength.Plain) { VrNew = Math.Max(VrNew, post); VwNew = Math.Max(VwNew, pick); }
        if (countsAsRead) { VrOld = Math.Max(VrOld, post); VrOldPick = Math.Max(VrOldPick, pick); }
        VCap = Math.Max(VCap, addr.Pick);
        var v = new DepView(post, pick);
        if (exclusive) { HasExclusive = true; ExclusiveLoc = loc; ExclusiveTs = ts; ExclusiveView = v; }
        return v;
    }

    /// <summary>The view a write must be ordered after (its timestamp must be larger): address, data, control and
    /// address dependencies so far, earlier barriers/acquires, for a release everything before it, and for a
    /// store-exclusive its load-exclusive.</summary>
    public int WritePre(DepView addr, DepView data, bool release, bool exclusive)
    {
        var v = Math.Max(Math.Max(addr.Pick, data.Pick), Math.Max(VCap, VwNew));
        if (exclusive && HasExclusive) v = Math.Max(v, ExclusiveView.Pick);
        return release ? Math.Max(v, Math.Max(VrOldPick, VwOld)) : v;
    }

    /// <summary>Whether a write to <paramref name="loc"/> may take timestamp <paramref name="ts"/>. A store-exclusive
    /// (or the write of an atomic) needs the exclusives bank for the same location and no other thread's write to loc
    /// between the read and this write.</summary>
    public bool CanWrite(MessageMemory mem, int loc, int ts, DepView addr, DepView data, bool release, bool exclusive)
    {
        if (ts <= Coh(loc) || ts <= WritePre(addr, data, release, exclusive)) return false;
        if (!exclusive) return true;
        return HasExclusive && ExclusiveLoc == loc && mem.NoOtherWriteBetween(loc, Tid, ExclusiveTs, ts);
    }

    /// <summary>Performs a write at timestamp <paramref name="ts"/> (a message already in memory: the thread's promise).</summary>
    public void Fulfill(int loc, int ts, DepView addr, DepView data, bool release, bool exclusive)
    {
        Grow(loc);
        _coh[loc] = Math.Max(_coh[loc], ts);
        VwOld = Math.Max(VwOld, ts);
        VCap = Math.Max(VCap, addr.Pick);
        if (release) VRel = Math.Max(VRel, ts);
        var fwd = addr.Join(data);
        var rmw = exclusive && HasExclusive ? ExclusiveView : DepView.None;
        _fwdTs[loc] = ts;
        _fwdView[loc] = fwd.Plain;
        _fwdPick[loc] = fwd.Pick;
        _fwdRmwView[loc] = rmw.Plain;
        _fwdRmwPick[loc] = rmw.Pick;
        if (exclusive) HasExclusive = false;
        RemovePromise(ts);
    }

    /// <summary>A store-exclusive that fails (always allowed): the monitor is cleared, nothing is written.</summary>
    public void FailExclusive() => HasExclusive = false;

    public void Dmb(BarrierOrders orders)
    {
        if ((orders & BarrierOrders.ReadRead) != 0) VrNew = Math.Max(VrNew, VrOld);
        if ((orders & BarrierOrders.WriteRead) != 0) VrNew = Math.Max(VrNew, VwOld);
        if ((orders & BarrierOrders.ReadWrite) != 0) VwNew = Math.Max(VwNew, VrOldPick);
        if ((orders & BarrierOrders.WriteWrite) != 0) VwNew = Math.Max(VwNew, VwOld);
    }

    /// <summary>ISB: later reads wait for the control and address dependencies so far, pick ones included
    /// (herd IFB-ob: "ctrl; [ISB]; po", "addr; [M]; po; [ISB]; po" and their pick forms).</summary>
    public void Isb() => VrNew = Math.Max(VrNew, VCap);

    /// <summary>A conditional branch on a value of view <paramref name="cond"/>: later writes are ordered after it.</summary>
    public void Control(DepView cond) => VCap = Math.Max(VCap, cond.Pick);

    public bool IsPromised(int ts) => ts / 64 < _promises.Length && (_promises[ts / 64] & (1UL << (ts % 64))) != 0;

    public void AddPromise(int ts)
    {
        if (ts / 64 >= _promises.Length) Array.Resize(ref _promises, ts / 64 + 1);
        if (!IsPromised(ts)) PromiseCount++;
        _promises[ts / 64] |= 1UL << (ts % 64);
    }

    private void RemovePromise(int ts)
    {
        if (!IsPromised(ts)) return;
        _promises[ts / 64] &= ~(1UL << (ts % 64));
        PromiseCount--;
    }

    public ThreadViews Clone()
    {
        var c = (ThreadViews)MemberwiseClone();
        c._coh = (int[])_coh.Clone();
        c._fwdTs = (int[])_fwdTs.Clone();
        c._fwdView = (int[])_fwdView.Clone();
        c._fwdPick = (int[])_fwdPick.Clone();
        c._fwdRmwView = (int[])_fwdRmwView.Clone();
        c._fwdRmwPick = (int[])_fwdRmwPick.Clone();
        c._promises = (ulong[])_promises.Clone();
        return c;
    }

    public void AddTo(ref HashCode h)
    {
        h.Add(VrNew); h.Add(VwNew); h.Add(VrOld); h.Add(VrOldPick); h.Add(VwOld); h.Add(VCap); h.Add(VRel);
        h.Add(HasExclusive); h.Add(PromiseCount);
        if (HasExclusive) { h.Add(ExclusiveLoc); h.Add(ExclusiveTs); h.Add(ExclusiveView); }
        for (var i = 0; i < _coh.Length; i++)
            if (_coh[i] != 0 || _fwdTs[i] != 0) { h.Add(i); h.Add(_coh[i]); h.Add(_fwdTs[i]); h.Add(_fwdView[i]); h.Add(_fwdPick[i]); h.Add(_fwdRmwView[i]); h.Add(_fwdRmwPick[i]); }
        foreach (var p in _promises) if (p != 0) h.Add(p);
    }

    public bool SameAs(ThreadViews o) =>
        VrNew == o.VrNew && VwNew == o.VwNew && VrOld == o.VrOld && VrOldPick == o.VrOldPick && VwOld == o.VwOld
        && VCap == o.VCap && VRel == o.VRel && HasExclusive == o.HasExclusive
        && (!HasExclusive || (ExclusiveLoc == o.ExclusiveLoc && ExclusiveTs == o.ExclusiveTs && ExclusiveView == o.ExclusiveView))
        && PromiseCount == o.PromiseCount && Same(_coh, o._coh) && Same(_fwdTs, o._fwdTs) && Same(_fwdView, o._fwdView)
        && Same(_fwdPick, o._fwdPick) && Same(_fwdRmwView, o._fwdRmwView) && Same(_fwdRmwPick, o._fwdRmwPick) && Same(_promises, o._promises);

    private static bool Same<T>(T[] a, T[] b) where T : IEquatable<T>
    {
        var n = Math.Max(a.Length, b.Length);
        for (var i = 0; i < n; i++)
            if (!(i < a.Length ? a[i] : default!).Equals(i < b.Length ? b[i] : default!)) return false;
        return true;
    }
}
