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
    /// <summary>Two actions of the same CPU commute only when one is a drain that the other neither touches nor
    /// depends on; everything else on one CPU is ordered (program order).</summary>
    private static bool DrainCommutes(in Footprint a, in Footprint b)
    {
        if (a.Drain == b.Drain) return false;
        var (d, x) = a.Drain ? (a, b) : (b, a);
        if (x.BufferSensitive || x.Kind is FootprintKind.TakeInterrupt or FootprintKind.Preempt or FootprintKind.Bulk) return false;
        if (x.Kind == FootprintKind.Local) return true;
        return !Dependent(d, x) && !Dependent(x, d);
    }
}
