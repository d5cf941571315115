using HvoLab.Arch;

namespace HvoLab.Engine;

/// <summary>
/// Stores by VA under the Arm data model (struct page fields: <c>folio_ref_unfreeze</c>'s release store of _refcount,
/// the HPG_vmemmap_optimized flag, an LRU page's flags): translated when issued, then buffered like a store to a
/// kernel global.
/// </summary>
/// <remarks>
/// A store is translated before it is performed: its walk (and a fault, taken at once) belongs to the instruction,
/// which may run long before the write reaches memory (arm-arch.md §4: translation is performed out of order with
/// loads and stores, commit 42f91093b043). So the store's
/// physical word is fixed when it enters the buffer, and its drain writes that word whatever the tables say by then.
/// Its own CPU's later loads of the word, by VA or by PA, forward from the buffer; other CPUs read memory. Everything
/// that orders a buffered store to a kernel global orders it (DMB ST epochs, DMB ISH and DSBs, release and fully
/// ordered accesses); it never passes older stores (its word is known only after the walk that would decide it).
/// What it may not outlive: a broadcast TLBI that removes its translation completes, at the issuer's DSB, only once
/// the accesses made through that translation are complete (arm-arch.md §3.2, `obtlbi`), so a DSB that completes
/// TLBIs waits while another CPU has a store by VA in their range (<see cref="WaitsForOtherCpusStores"/>). A store by
/// VA that lands in a page table is a descriptor write and is performed at once (the Arch oracle judges it then).
/// </remarks>
internal sealed partial class DataStoreBuffers
{
    /// <summary>A store by VA, translated to <paramref name="pa"/>, enters CPU <paramref name="cpu"/>'s buffer at the back.</summary>
    public void EnqueueByVa(int cpu, ulong va, ulong pa, ulong value, int size, MemOrder order) =>
        _q.Insert(cpu, new StoreQueues.Entry
        {
            Pa = pa, Value = value, Size = size, Epoch = _q.Epoch(cpu), Release = order == MemOrder.Release, Step = _sim.Driver.PerformingStep,
            ByVa = true, Va = va,
        }, _q.Count(cpu));

    /// <summary>The translated store by VA goes through the buffer: the model is on and it is not a descriptor.</summary>
    public bool BuffersByVa(ulong pa) => Active && !_sim.Arch.Tables.IsTableFrame(pa >> _sim.Arch.Granule.PageShift);

    /// <summary>The VA the front store (by VA) was issued to.</summary>
    public ulong FrontVa(int cpu) => _q.Front(cpu).Va & ~7UL;

    /// <summary>A DSB ISH/SY of <paramref name="cpu"/> that completes its TLBIs waits until no other CPU has a buffered
    /// store by VA in the range they may invalidate (the hull <see cref="ArchMachine.PendingMaintenanceRange"/> gives,
    /// everything on a machine with errata): the store was translated by an entry the TLBI removes, and the TLBI
    /// completes only once it is complete (arm-arch.md §3.2). Waiting for a store outside the exact ranges only removes
    /// executions Arm allows.</summary>
    private bool WaitsForOtherCpusStores(int cpu, ref PendingOp op)
    {
        if (op.Kind != OpKind.Barrier || op.Barrier is not (BarrierKind.DsbIsh or BarrierKind.DsbSy)) return false;
        if (_sim.Arch.PendingTlbiCount(cpu) == 0) return false;
        var (lo, hi) = _sim.Arch.PendingMaintenanceRange(cpu, completesTlbis: true);
        return _q.OthersHaveByVaIn(cpu, lo, hi);
    }
}
