namespace HvoLab.Engine.Schedulers;

/// <summary>
/// Independence of a buffered store's drain (Arm data model, <see cref="DataStoreBuffers"/>) with its own CPU's
/// actions. A drain is its own DPOR process: it commutes with the CPU's next action unless that action touches the
/// drained word, or depends on the buffer's contents — it could be blocked by it (a barrier, an acquire, an RMW), it
/// is a store that may pass buffered ones, a ChooseOne or an interrupt (which decide whether the drain is offered at
/// all; <see cref="BufferSensitive"/>) — or is another drain of the same buffer (FIFO).
/// </summary>
public readonly partial record struct Footprint
{
    /// <summary>Which stores reached memory before an ordering point decides which older values its CPU's later loads
    /// may read, so the two are dependent across CPUs (same CPU: program order and <see cref="DrainCommutes"/>).</summary>
    private static bool OrdersAgainst(in Footprint a, in Footprint b) =>
        a.Cpu != b.Cpu && ((a.LoadOrdering && b.GlobalStore) || (b.LoadOrdering && a.GlobalStore));

    /// <summary>Two actions of the same CPU commute only when one is a drain that the other neither touches nor
    /// depends on; everything else on one CPU is ordered (program order).</summary>
    private static bool DrainCommutes(in Footprint a, in Footprint b)
    {
        if (a.Drain == b.Drain) return false;
        var (d, x) = a.Drain ? (a, b) : (b, a);
        // A relaxed store or RMW performed on memory, bulk work or a DMB ST waits at most for older epochs and its own
        // word: draining a store of the current epoch to another word neither holds it back nor lets it go (no older
        // epoch before or after), and the DMB ST starts an epoch over the same stores either way.
        bool held = x.BufferSensitive && !(x.OlderEpochsOnly && d.CurrentEpoch);
        if (held || x.Kind is FootprintKind.TakeInterrupt or FootprintKind.Preempt) return false;
        // A frame store's drain first: its CPU's accesses inside the frame wait for it (no forwarding of a whole page,
        // DataStoreBuffers.FrameBlocks), so the drain enables them and the two never commute.
        if (d.Kind == FootprintKind.Bulk) return x.Kind != FootprintKind.Bulk && !BulkTouches(d, x);   // a frame store's drain
        if (x.Kind == FootprintKind.Bulk) return !BulkTouches(x, d);   // a word drain writes a kernel global, never behind a VA
        if (x.Kind == FootprintKind.Local) return true;
        // Its own CPU reads a word through its buffer: the newest buffered store to it, else memory. Draining the
        // front store moves that store's value from the buffer to memory, so a relaxed load or wait of the word (not
        // buffer-sensitive: no older values) reads the same either way, and the drain does not care about the read.
        // A load by VA forwards the same way (a drain writes data, never a descriptor its walk reads).
        if (x.Kind is FootprintKind.PhysRead or FootprintKind.VaRead) return true;
        return !Dependent(d, x) && !Dependent(x, d);
    }
}
