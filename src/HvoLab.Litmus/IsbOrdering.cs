namespace HvoLab.Litmus;

/// <summary>
/// What a litmus thread's next ISB orders before itself, as a <see cref="WalkHistory"/> epoch: walks after the ISB
/// cannot have been made before it (herd "[CSE]; po"), and so cannot read a descriptor value older than any
/// effect of an event ordered before the ISB. Events ordered before an ISB (herd's aarch64 hardware requirements,
/// without FEAT_ETS2): explicit accesses before a DSB (all of them for DSB SY/ISH, reads for DSB LD, writes for DSB
/// ST: DSB-ob), reads feeding a branch before it (CSE-ob), and reads an earlier access's address depends on (dob).
/// A DMB or an acquire orders only explicit accesses, not the ISB, so they do not count.
/// The epoch of a read is when it completed; of a write, when it completed or, for a descriptor store, when the DSB
/// made it visible to walkers.
/// </summary>
internal sealed class IsbOrdering
{
    private long _lastRead, _lastWrite, _fromBarriers;

    /// <summary>Epoch of the latest effect the DSBs so far order before what follows them.</summary>
    public long FromBarriers => _fromBarriers;

    /// <summary>Epoch of the latest explicit access so far (for a descriptor store, when walkers saw it).</summary>
    public long LastAccess => Math.Max(_lastRead, _lastWrite);

    public void AfterRead(long epoch) => _lastRead = Math.Max(_lastRead, epoch);
    public void AfterWrite(long epoch) => _lastWrite = Math.Max(_lastWrite, epoch);

    /// <summary>A DSB of <paramref name="types"/> ("" for all, "LD", "ST") completed at <paramref name="epoch"/>; it made
    /// this CPU's pending descriptor stores visible when <paramref name="publishedStores"/>.</summary>
    public void AfterDsb(string types, long epoch, bool publishedStores)
    {
        if (types != "LD" && publishedStores) _lastWrite = Math.Max(_lastWrite, epoch);
        if (types != "ST") _fromBarriers = Math.Max(_fromBarriers, _lastRead);
        if (types != "LD") _fromBarriers = Math.Max(_fromBarriers, _lastWrite);
    }

    /// <summary>The epoch an ISB executed now orders its later walks after.</summary>
    public long Bound(RegisterReadiness ready) => Math.Max(_fromBarriers, Math.Max(ready.ControlReady, ready.AddressesReady));
}
