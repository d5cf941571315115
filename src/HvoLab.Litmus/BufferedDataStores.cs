using HvoLab.Arch;
using HvoLab.Engine;

namespace HvoLab.Litmus;

/// <summary>
/// What a litmus thread's own data stores, buffered by the engine's Arm data model (<c>--data-model engine-arm-va</c>
/// on a translation test: stores by VA, DataStoreBuffers.ByVa.cs), mean for the binding's epochs. The binding dates
/// a write at its access step (<see cref="IsbOrdering"/>) and a barrier's ordering of later faults at the barrier
/// (<c>LitmusEngineThread.FaultHorizon</c>): both assume a store is visible to everyone when it executes, which holds
/// for sequentially consistent data only. A buffered store becomes visible when it drains, which the thread does not
/// see; what it knows is when its buffer must be empty:
/// <list type="bullet">
/// <item>after a DSB other than DSB LD, a DMB SY/ISH (the engine holds them until the buffer has drained), an atomic
/// (an RMW by VA waits for the CPU's stores by VA) and a step that waits for them (<see cref="Cpu.Bulk(double, int)"/>);</item>
/// <item>so a DSB that follows buffered stores dates them no later than itself (<see cref="DsbPublishes"/>: the epoch
/// an ISB after it orders its walks after, herd DSB-ob);</item>
/// <item>a DMB ST orders the stores before it before later faults (herd bob, "[W]; po; [dmb.st]; po; [MMU &amp; FAULT]")
/// but does not wait for them: a later access that may fault first waits until they have drained
/// (<see cref="DrainBeforeFault"/>), and the fault horizon moves to that point.</item>
/// </list>
/// Both date a store at or after its real visibility, which only removes walks (never adds an outcome). With
/// sequentially consistent data nothing is buffered and this class is not used.
/// </summary>
internal sealed class BufferedDataStores
{
    /// <summary>A data store was issued since the buffer was last known empty.</summary>
    private bool _buffered;

    /// <summary>A DMB ST came after buffered stores: later faults are ordered after their drain.</summary>
    private bool _faultOrderWaitsForDrain;

    /// <summary>Whether a DSB of <paramref name="kind"/> issued now makes buffered stores of this thread visible.</summary>
    public bool DsbPublishes(BarrierKind kind) => _buffered && kind is BarrierKind.DsbIsh or BarrierKind.DsbSy or BarrierKind.DsbIshSt;

    public void AfterStore() => _buffered = true;

    /// <summary>A barrier completed: the ones the engine holds until the buffer is empty leave it empty; a DMB ST after
    /// buffered stores orders them before later faults.</summary>
    public void AfterBarrier(BarrierKind kind)
    {
        if (kind is BarrierKind.DmbIsh or BarrierKind.DsbIsh or BarrierKind.DsbSy or BarrierKind.DsbIshSt) Drained();
        else if (kind == BarrierKind.DmbIshSt && _buffered) _faultOrderWaitsForDrain = true;
    }

    /// <summary>After a DMB ST that follows buffered data stores, an access to <paramref name="va"/> that may fault waits
    /// until they have drained (a step the engine holds until then, <see cref="Cpu.Bulk(double, int)"/>); returns the
    /// epoch its faults are then ordered after, or null if it need not wait. An access whose translation never changed
    /// and does not fault now cannot fault (faulting walks are not cached).</summary>
    public async SimTask<long?> DrainBeforeFault(Cpu cpu, WalkHistory history, ulong va)
    {
        if (!_faultOrderWaitsForDrain || (!history.HasChanged(va) && cpu.Sim.Arch.Translate(va).Ok)) return null;
        await cpu.Bulk(0);
        Drained();
        return history.Epoch;
    }

    /// <summary>The CPU's buffer is empty of this thread's stores (an atomic or a <see cref="Cpu.Bulk(double, int)"/> step waited for it).</summary>
    public void Drained()
    {
        _buffered = false;
        _faultOrderWaitsForDrain = false;
    }
}
