using HvoLab.Arch;

namespace HvoLab.Engine.Schedulers;

public enum FootprintKind : byte
{
    /// <summary>Touches nothing another CPU can see or be affected by (Work, mask changes, DMB, ISB).</summary>
    Local,
    VaRead, VaWrite, PhysRead, PhysWrite, Tlbi,
    /// <summary>A DSB with TLB maintenance or descriptor stores pending: completes or publishes them.</summary>
    DsbPending,
    /// <summary>cpu_relax() in a spin: depends on writes to the words it watches.</summary>
    Relax,
    Event, SendSgi, TakeInterrupt,
    /// <summary>Anything not known (dependent with everything).</summary>
    Preempt,
    /// <summary>Starting queued preempting work (a stopper): changes only what its own CPU runs next. Addr is the
    /// step that queued it (ulong.MaxValue: queued before the run), the only action that enabled it.</summary>
    TakePreempt,
    /// <summary>Bulk memory work (copy_page, struct page initialisation): may touch any word.</summary>
    Bulk,
}

/// <summary>
/// What an enabled action may touch, computed when the search reaches it (the state then is the state the action
/// would run in for as long as it stays in a sleep set: anything that changes it is dependent with it and wakes it —
/// except the old value a zero-tested add sees, which <see cref="IndependentAfter"/> accounts for).
/// Addresses are words (PA or VA); for descriptor writes and TLBIs, [VaLo, VaHi) is the VA range they affect.
/// </summary>
public readonly partial record struct Footprint(int Cpu, FootprintKind Kind, ulong Addr, ulong VaLo, ulong VaHi, ulong[]? Watched)
{
    /// <summary>For VA accesses: the physical word the VA maps now, or ulong.MaxValue when that is not certain (the
    /// walk faults, or some CPU's TLB still holds a different translation for it).</summary>
    public ulong Pa { get; init; } = ulong.MaxValue;

    /// <summary>Could these two accesses touch the same physical word?</summary>
    private static bool MayAlias(in Footprint x, in Footprint y)
    {
        ulong a = x.IsVa ? x.Pa : x.Addr, b = y.IsVa ? y.Pa : y.Addr;
        if (a == ulong.MaxValue || b == ulong.MaxValue) return true;
        return a == b;
    }

    /// <summary>Arm data model: a frame store's drain writes the physical frame [FrameLo, FrameHi) (Kind Bulk with no VA
    /// range): it touches accesses whose word is in the frame or not known, and TLB maintenance (a PTE table's fill).</summary>
    public ulong FrameLo { get; init; }
    public ulong FrameHi { get; init; }
    /// <summary>The frame a copy reads when it drains (the copy's loads are made then), or ulong.MaxValue for a fill.</summary>
    public ulong FrameSrc { get; init; }
    private bool InFrame(ulong pa) => pa - FrameLo < FrameHi - FrameLo || (FrameSrc != ulong.MaxValue && pa - FrameSrc < FrameHi - FrameLo);

    /// <summary>Arm data model: the action makes the oldest buffered store of its CPU visible (writes <see cref="Addr"/>).</summary>
    public bool Drain { get; init; }

    /// <summary>For a drain: the search step that issued the store (-1: none), the only action that enabled the drain,
    /// so everything that happens before that step happens before the drain (FootprintDrains.cs).</summary>
    public int IssuedAt { get; init; } = -1;

    /// <summary>Arm data model: the action of the CPU's code could be enabled, disabled or changed by a drain of its
    /// own buffer (FootprintDrains.cs).</summary>
    public bool BufferSensitive { get; init; }

    /// <summary>Arm data model: a buffer-sensitive op that the buffer holds back only for stores of older epochs or to
    /// its own word (a relaxed store or RMW performed on memory: FootprintDrains.cs).</summary>
    public bool OlderEpochsOnly { get; init; }

    /// <summary>For a drain: the store is of its CPU's current epoch (no older epoch is buffered).</summary>
    public bool CurrentEpoch { get; init; }

    /// <summary>Arm data model: an ordering point of its CPU's loads (a barrier that orders loads, an acquire or fully
    /// ordered access, exception entry): it reads the newest timestamp of all (<see cref="DataLoadViews"/>).</summary>
    public bool LoadOrdering { get; init; }

    /// <summary>Arm data model: a store to a kernel global with messages reaches memory (a drain, an RMW, an unbuffered
    /// store; <see cref="IGuest.MayReadOlderValue"/>).</summary>
    public bool GlobalStore { get; init; }

    /// <summary>An add to a data word whose old value nobody sees (<see cref="Cpu.AtomicAddPhys"/>): two of them on
    /// one word commute (addition does), and neither enables or disables anything.</summary>
    public bool Blind { get; init; }

    /// <summary>For a write to a data word (SC data model; FootprintWaits.cs): the word's value in the state the write runs in.</summary>
    public ulong Before { get; init; }
    public bool HasBefore { get; init; }

    /// <summary>For a blind add (<see cref="Blind"/>): what it adds.</summary>
    public ulong Added { get; init; }

    /// <summary>For an op of the CPU's own code (not a buffered store's drain): its interrupt masks where it runs
    /// (FootprintMasks.cs).</summary>
    public InterruptMasks CodeMasks { get; init; }
    public bool HasCodeMasks { get; init; }

    /// <summary>An add whose caller sees only whether it made the word zero (<see cref="Cpu.DecAndTestPhys"/>), with
    /// <see cref="Delta"/> and the old value <see cref="Seen"/> in the state the footprint was taken in. Two of them on
    /// one word with the same delta commute when neither makes the word zero: either order leaves the same word and
    /// tells each caller "not zero" (atomic_dec_and_test acknowledgements of all but the last CPU).</summary>
    public bool ZeroTest { get; init; }
    public ulong Delta { get; init; }
    public ulong Seen { get; init; }

    /// <summary>A rendezvous acknowledgement (<see cref="Cpu.BeginRendezvousAck"/>): decrements <see cref="Addr"/> and, in
    /// the caller that makes it zero, resets it and writes <see cref="NextState"/> to <see cref="AlsoWrites"/>. Two
    /// acknowledgements of one round commute: in either order the counter drops by two, the later one (whichever it
    /// is) makes it zero if any does and writes the same state, and both callers go on the same way. Against
    /// everything else it is a write of both words (whether or not it makes the counter zero, so that every
    /// linearization of happens-before is an execution: a waiter on the state comes after every acknowledgement).</summary>
    public bool Rendezvous { get; init; }
    public ulong AlsoWrites { get; init; }
    public ulong CurrentState { get; init; }
    public ulong NextState { get; init; }

    /// <summary>A WaitPhys: a read of <see cref="Addr"/> enabled only when the word equals (or, with
    /// <see cref="WaitNotEqual"/>, differs from) <see cref="WaitValue"/>.</summary>
    public bool IsWait { get; init; }
    public ulong WaitValue { get; init; }
    public bool WaitNotEqual { get; init; }

    /// <summary>Two dependent actions that can never be enabled in the same state are no race (Flanagan &amp; Godefroid's
    /// race needs co-enabledness): a rendezvous acknowledgement is enabled only while the state is its round's, and a
    /// wait on the state whose condition is false for that value can never run beside it — it waits for the write
    /// the acknowledgements lead to, which orders it after them.</summary>
    public static bool NeverCoEnabled(in Footprint a, in Footprint b) => BlocksWait(a, b) || BlocksWait(b, a);

    private static bool BlocksWait(in Footprint ack, in Footprint wait) =>
        ack.Rendezvous && wait.IsWait && wait.Addr == ack.AlsoWrites && !wait.WaitHolds(ack.CurrentState);

    private bool WaitHolds(ulong v) => WaitNotEqual ? v != WaitValue : v == WaitValue;

    /// <summary>A participant's wait that lets it into the acknowledgement's round (its condition holds for the round's
    /// state) commutes with the acknowledgement: only the last acknowledgement writes the state, and it cannot come
    /// before that participant's own.</summary>
    private static bool EntersRound(in Footprint ack, in Footprint wait) =>
        ack.Rendezvous && wait.IsWait && wait.Addr == ack.AlsoWrites && wait.WaitHolds(ack.CurrentState);

    /// <summary>Does this physical access touch <paramref name="pa"/> (a rendezvous acknowledgement touches two words)?</summary>
    private bool TouchesPhys(ulong pa) => Addr == pa || (Rendezvous && AlsoWrites == pa);

    /// <summary>A zero-tested add that makes its word zero (the last acknowledgement).</summary>
    public bool MakesZero => ZeroTest && Seen + Delta == 0;

    internal static bool SameZeroTest(in Footprint a, in Footprint b) =>
        a.ZeroTest && b.ZeroTest && a.Addr == b.Addr && a.Delta == b.Delta;

    /// <summary>Whether an action asleep in the state before <paramref name="taken"/> stays asleep after it (sleep sets
    /// keep the footprint from where the action fell asleep). For everything but zero-tested adds that footprint still
    /// holds (what changes it is dependent and wakes it); a zero-tested add asleep there would now see the value
    /// <paramref name="taken"/> saw, so the two commute only if neither order makes the word zero: taken's add, and
    /// the asleep one's add right after it.</summary>
    public static bool IndependentAfter(in Footprint asleep, in Footprint taken)
    {
        if (asleep.Cpu != taken.Cpu && SameZeroTest(asleep, taken))
            return taken.Seen + taken.Delta != 0 && taken.Seen + 2 * taken.Delta != 0;
        return Independent(asleep, taken);
    }

    /// <summary>For physical accesses: whether some VA might map this word (false for page tables and kernel globals).</summary>
    public bool Aliased { get; init; } = true;

    private bool CoversVa(ulong va) => va >= VaLo && va < VaHi;
    private bool IsVa => Kind is FootprintKind.VaRead or FootprintKind.VaWrite;

    /// <summary>Whether the two actions commute. Conservative: unknown means dependent.</summary>
    public static bool Independent(in Footprint a, in Footprint b)
    {
        if (OrdersAgainst(a, b)) return false;   // Arm data model: load ordering points (FootprintDrains.cs)
        if (a.Cpu == b.Cpu) return DrainCommutes(a, b);
        if (a.Kind == FootprintKind.Local || b.Kind == FootprintKind.Local) return true;
        // Starting preempting work touches only its CPU's context stack, which no other CPU's action reads or
        // changes, and nothing but its enabler (joined into its clock, RaceDetector.ClockFor) enables it — as for
        // taking an interrupt. Its CPU's own actions are dependent (same CPU, above).
        if (a.Kind == FootprintKind.TakePreempt || b.Kind == FootprintKind.TakePreempt) return true;
        if (a.Kind == FootprintKind.Preempt || b.Kind == FootprintKind.Preempt) return false;
        if (a.Kind == FootprintKind.TakeInterrupt || b.Kind == FootprintKind.TakeInterrupt)
            return a.Kind != FootprintKind.SendSgi && b.Kind != FootprintKind.SendSgi;
        if (a.Kind == FootprintKind.SendSgi || b.Kind == FootprintKind.SendSgi) return a.Kind != b.Kind;
        if (a.Kind == FootprintKind.Event || b.Kind == FootprintKind.Event) return a.Kind != b.Kind;
        if (a.Kind == FootprintKind.Bulk) return !BulkTouches(a, b);
        if (b.Kind == FootprintKind.Bulk) return !BulkTouches(b, a);
        if (a.Blind && b.Blind && a.Addr == b.Addr) return true;
        if (a.Rendezvous && b.Rendezvous && a.Addr == b.Addr) return a.AlsoWrites == b.AlsoWrites && a.NextState == b.NextState;
        if (EntersRound(a, b) || EntersRound(b, a)) return true;
        // Each footprint is the add as it ran (or would run now): neither made the word zero, so swapping them —
        // they are adjacent whenever they are swapped — gives each the other's old value and still not zero.
        if (SameZeroTest(a, b)) return !a.MakesZero && !b.MakesZero;
        return !Dependent(a, b) && !Dependent(b, a);
    }

    /// <summary>Bulk work on the memory behind [VaLo, VaHi): a VA access inside the range, or one whose physical word
    /// is not known for certain; physical accesses that some VA may map; spins; other bulk work on overlapping ranges.</summary>
    private static bool BulkTouches(in Footprint bulk, in Footprint y)
    {
        if (bulk.FrameHi > bulk.FrameLo) return FrameTouches(bulk, y);
        if (y.FrameHi > y.FrameLo) return FrameTouches(y, bulk);
        if (y.IsVa) return bulk.CoversVa(y.Addr) || y.Pa == ulong.MaxValue;
        if (y.Kind is FootprintKind.PhysRead or FootprintKind.PhysWrite) return y.Aliased;
        if (y.Kind == FootprintKind.Bulk) return bulk.VaLo < y.VaHi && y.VaLo < bulk.VaHi;
        if (y.Kind is FootprintKind.Tlbi or FootprintKind.DsbPending) return bulk.VaLo == 0 && bulk.VaHi == ulong.MaxValue;
        return y.Kind == FootprintKind.Relax;
    }

    /// <summary>A frame store's drain (Arm data model) against another action: accesses whose physical word is in the
    /// frame or not known (a walk through a PTE table the fill has not reached faults, so its word is not known), a
    /// physical write that may be aliased (a VA may map the frame), every other bulk work and frame, TLB maintenance
    /// and DSBs (the frame may be a PTE table), and spins that watch the frame or anything.</summary>
    private static bool FrameTouches(in Footprint frame, in Footprint y)
    {
        if (y.IsVa) return y.Pa == ulong.MaxValue || frame.InFrame(y.Pa);
        if (y.Kind is FootprintKind.PhysRead or FootprintKind.PhysWrite) return frame.InFrame(y.Addr) || (y.Rendezvous && frame.InFrame(y.AlsoWrites));
        if (y.Kind is FootprintKind.Bulk or FootprintKind.Tlbi or FootprintKind.DsbPending) return true;
        if (y.Kind == FootprintKind.Relax) return y.Watched is null || Array.Exists(y.Watched, frame.InFrame);
        return false;
    }

    /// <summary>One-sided rules: does <paramref name="x"/> change what <paramref name="y"/> does or sees?</summary>
    private static bool Dependent(in Footprint x, in Footprint y)
    {
        switch (x.Kind)
        {
            case FootprintKind.VaWrite:
                // A VA write may alias another access (vmemmap tails map the head's frame), and when it lands in a
                // page table it changes translations ([VaLo, VaHi); everything when its target is unknown).
                if (y.IsVa) return MayAlias(x, y) || x.CoversVa(y.Addr);
                if (y.Kind is FootprintKind.Tlbi or FootprintKind.DsbPending && x.VaHi > x.VaLo) return true;
                if (y.Kind is FootprintKind.PhysRead or FootprintKind.PhysWrite) return y.Aliased && MayAlias(x, y);
                // A spin re-reads the physical words it watches: the drain of a store by VA (Arm data model), whose
                // word is known, touches only those.
                return y.Kind == FootprintKind.Relax && (!x.Drain || y.Watched is null || Array.IndexOf(y.Watched, x.Pa) >= 0);
            case FootprintKind.PhysWrite:
                if (y.Kind is FootprintKind.PhysRead or FootprintKind.PhysWrite)
                    return y.TouchesPhys(x.Addr) || (x.Rendezvous && y.TouchesPhys(x.AlsoWrites));
                if (y.IsVa) return x.CoversVa(y.Addr);
                if (y.Kind == FootprintKind.Relax)
                    return y.Watched is null || Array.IndexOf(y.Watched, x.Addr) >= 0 || (x.Rendezvous && Array.IndexOf(y.Watched, x.AlsoWrites) >= 0);
                // Descriptor writes interact with TLB maintenance (pending visibility, adversarial refill).
                return y.Kind is FootprintKind.Tlbi or FootprintKind.DsbPending && x.VaHi > x.VaLo;
            case FootprintKind.Tlbi:
            case FootprintKind.DsbPending:
                if (y.IsVa) return x.CoversVa(y.Addr);
                return y.Kind is FootprintKind.Tlbi or FootprintKind.DsbPending;
            default:
                return false;
        }
    }
}
