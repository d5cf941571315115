using HvoLab.Arch;

namespace HvoLab.Engine;

/// <summary>A CPU's second action (<see cref="Actions.RunOpAlternative"/>): the other outcome of a ChooseOne, or under
/// the Arm data model a store that passes older buffered ones, the drain of its oldest buffered store
/// (<see cref="DataStoreBuffers"/>; its own DPOR process), or a relaxed load that reads an older value
/// (<see cref="DataLoadViews"/>; like a ChooseOne's two outcomes, one transition of the CPU's code).</summary>
public sealed partial class Simulator
{
    private bool ChoosePending(Cpu c) => c.Depth > 0 && c.Frames[c.Depth - 1].Pending.Kind == OpKind.Choose;

    /// <summary>What CPU <paramref name="c"/>'s second action does now (<see cref="SecondAction"/>): the other outcome
    /// of a pending ChooseOne, else what the store buffers give (<see cref="DataStoreBuffers.SecondActionOf"/>).</summary>
    public SecondAction SecondActionOf(Cpu c) => ChoosePending(c) ? SecondAction.ChooseOther : DataBuffer.SecondActionOf(c);

    /// <summary>Whether CPU <paramref name="c"/> has a second action now (also when its code is parked or finished:
    /// its buffer still drains).</summary>
    public bool HasOpAlternative(Cpu c) => SecondActionOf(c) != SecondAction.None;

    /// <summary>The pending op may not run yet: it must wait for the CPU's buffered stores (a barrier, an acquire...).</summary>
    public bool BlockedByStoreBuffer(Cpu c) => DataBuffer.Blocks(c);

    /// <summary>The word the second action writes to memory when it drains a store to a kernel global, or null.</summary>
    public ulong? AlternativeDrainWord(int cpu) => SecondActionOf(Cpus[cpu]) == SecondAction.DrainWord ? DataBuffer.FrontWord(cpu) : null;

    /// <summary>The action makes frame stores visible at once: the CPU's op that makes its latent frame stores
    /// visible, or (its code finished) the second action that does (FrameStores.cs).</summary>
    public bool MakesFramesVisible(int cpu, int kind) =>
        kind == Actions.RunOp ? DataBuffer.MakesLatentVisible(Cpus[cpu])
        : kind == Actions.RunOpAlternative && SecondActionOf(Cpus[cpu]) == SecondAction.LatentFramesVisible;

    /// <summary>The one latent frame store of the CPU (frame, source), or null when it has none or several.</summary>
    public (ulong Frame, ulong Source)? OnlyLatentFrame(int cpu) => DataBuffer.OnlyLatent(cpu);

    /// <summary>Performs CPU <paramref name="c"/>'s second action.</summary>
    internal void RunAlternative(Cpu c)
    {
        var action = SecondActionOf(c);
        switch (action)
        {
            case SecondAction.ChooseOther: c.ChoiceAlt = 1; Resume(c); return;
            case SecondAction.LatentFramesVisible: DataBuffer.DrainLatentWhileIdle(c); Steps++; return;
            case SecondAction.PassStore: c.PassStore = true; Resume(c); return;
            case SecondAction.NewestWalk: c.NewestWalk = true; Resume(c); return;
            case SecondAction.OlderRead: c.OlderRead = true; Resume(c); return;
            case SecondAction.None: throw new InvalidOperationException($"CPU{c.Id} has no second action");
        }
        bool frame = action == SecondAction.DrainFrame;
        ulong word = DataBuffer.DrainFront(c.Id);
        Steps++;
        if (Trace.Enabled) Trace.Op(c.Time, c.Id, c.Context, frame ? "frame store visible" : "store visible", word, frame ? 0 : Arch.ReadPhys(word));
        if (frame) DataBuffer.NotifyFrame(word, c.Time);
        else Ops.NotifyWrite(word, c.Time);
    }

    /// <summary>The Arm data model is on in this run (stores to kernel globals are buffered).</summary>
    public bool HasStoreBuffers => DataBuffer.Active;

    /// <summary>Whether the action of kind <paramref name="kind"/> of CPU <paramref name="cpu"/> depends on that CPU's
    /// buffered stores beyond the words it touches (footprints of the search, FootprintDrains.cs).</summary>
    public bool IsBufferSensitive(int cpu, int kind) =>
        kind is Actions.TakeInterrupt or Actions.TakePreemptWork || DataBuffer.Sensitive(Cpus[cpu]);

    /// <summary>The action is an ordering point for its CPU's later loads (<see cref="DataLoadViews.Order"/>): it reads
    /// the newest timestamp, so it depends on every other CPU's store to a word with messages that reaches memory.</summary>
    public bool IsLoadOrderingPoint(int cpu, int kind)
    {
        if (!DataBuffer.Active) return false;
        if (kind is Actions.TakeInterrupt or Actions.TakePreemptWork) return true;   // exception entry (CSE)
        var c = Cpus[cpu];
        if (kind != Actions.RunOp || c.Depth == 0) return false;
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        // Fault entry and exception return are ordering points too (Simulator.Contexts.cs), taken inside the op that
        // faults or that ends a handler. Which op that is is known only once it runs, so every access by VA (it may
        // fault: a descriptor another CPU wrote, or one not yet visible to walkers) and every op of an exception
        // context (it may be the handler's last) counts as one: conservative, and free for the kernel, whose globals
        // have no messages (IGuest.MayReadOlderValue), so no store is dependent with an ordering point there.
        if (op.Kind == OpKind.Mem || c.Context is ContextKind.Irq or ContextKind.Nmi or ContextKind.Fault) return true;
        return op.Kind switch
        {
            OpKind.Barrier => OrdersLoads(op.Barrier),
            OpKind.Mem or OpKind.MemPhys or OpKind.WaitPhys => op.Order is MemOrder.Acquire or MemOrder.Full,
            _ => false,
        };
    }

    /// <summary>The action makes a store to a kernel global with messages reach memory (a drain, an RMW or an
    /// unbuffered store): a new message (<see cref="DataLoadViews.Stored"/>).</summary>
    public bool StoresKernelGlobal(int cpu, int kind)
    {
        if (!DataBuffer.Active) return false;
        var c = Cpus[cpu];
        if (kind == Actions.RunOpAlternative) return AlternativeDrainWord(cpu) is ulong word && DataBuffer.HasMessages(word);
        if (kind != Actions.RunOp || c.Depth == 0) return false;
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        return op.Kind == OpKind.MemPhys && op.Mem.Kind != AccessKind.Read && DataBuffer.HasMessages(op.Mem.Va) && !DataBuffer.WillBuffer(c);
    }

    /// <summary>Barriers after which later loads read at least what memory holds: DMB LD/ISH, every DSB (no later
    /// instruction executes before it completes, Arm ARM B2.3: a DSB ST orders the stores before it before later loads
    /// too, and the untracked stores by VA leave no own-write view to join, so the whole view is taken) and ISB (as
    /// ctrl+ISB). DMB ST orders only stores.</summary>
    internal static bool OrdersLoads(BarrierKind b) => b != BarrierKind.DmbIshSt;
}
