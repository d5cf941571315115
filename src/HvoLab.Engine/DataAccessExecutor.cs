using HvoLab.Arch;

namespace HvoLab.Engine;

/// <summary>The data accesses of <see cref="OpExecutor"/>: by VA and PA, and under the Arm data model the stores that
/// enter the CPU's buffer (<see cref="DataStoreBuffers"/>): kernel globals, stores by VA after their translation, and
/// whole frames (copy_page, a PTE table's fill).</summary>
internal sealed class DataAccessExecutor(Simulator sim)
{
    private readonly Simulator _sim = sim;
    private OpExecutor Ops => _sim.Ops;

    public ExecOutcome ExecMem(Cpu c, ref PendingOp op, bool physical)
    {
        _sim.Arch.Now = (long)c.Time;
        AccessResult r;
        // A write's dependency view (the litmus binding's; the kernel passes none) before it can reach memory.
        if (physical && op.AddressView > 0 && op.Mem.Kind != AccessKind.Read && _sim.DataBuffer.HasMessages(op.Mem.Va))
            _sim.DataBuffer.Views.StoreIssued(c.Id, op.Mem.Va & ~7UL, op.AddressView);
        if (physical && _sim.DataBuffer.WillBuffer(c)) return BufferStore(c, ref op);
        bool older = c.OlderRead;
        c.OlderRead = false;
        bool newestWalk = c.NewestWalk;
        c.NewestWalk = false;
        // The search chose to let this access's walks see every descriptor store made so far (DataStoreBuffers).
        if (newestWalk) _sim.DataBuffer.PublishDescriptorStores();
        if (physical) r = PhysAccess(c, in op.Mem, older, op.AddressView);
        else if (op.Mem.Kind == AccessKind.Write && _sim.DataBuffer.Active) return StoreByVa(c, ref op, newestWalk);
        else r = VaAccess(c, in op.Mem);
        // Arm data model: an acquire or fully ordered access orders the CPU's later loads (DataLoadViews).
        if (op.Order is MemOrder.Acquire or MemOrder.Full) _sim.DataBuffer.Views.Order(c.Id);
        Ops.CheckOracle(c);
        c.LastFault = r.Fault;
        c.LastFaultLevel = r.Level;
        if (!r.Ok) return Faulted(c, ref op, r);
        c.LastValue = r.Value;
        var kind = op.Mem.Kind;
        c.Time += _sim.Jitter(c, OpCosts.Access(_sim.Cost, kind));
        if (kind != AccessKind.Write) Ops.RecordRead(c, r.Pa, r.Value, op.Mem.Size);
        if (kind != AccessKind.Read) { _sim.ClosedForm.ForgetVisibility(r.Pa & ~7UL, c.Time); Ops.NotifyWrite(r.Pa, c.Time); }
        if (_sim.Trace.Enabled)
            _sim.Trace.Op(c.Time, c.Id, c.Context, (physical ? "phys " + kind : kind.ToString()) + (older ? " (older value)" : newestWalk ? " (walk sees the newest descriptors)" : ""), op.Mem.Va, kind == AccessKind.Write ? op.Mem.Value : r.Value);
        return ExecOutcome.Completed;
    }

    /// <summary>An access by VA; under the Arm data model a load reads the CPU's own buffered stores by VA to its word
    /// (forwarding; an RMW by VA runs only once they have drained, DataStoreBuffers.Blocks).</summary>
    private AccessResult VaAccess(Cpu c, in MemOp m)
    {
        var r = _sim.Arch.Access(c.Id, in m);
        if (r.Ok && m.Kind == AccessKind.Read && _sim.DataBuffer.Count(c.Id) > 0) r = r with { Value = _sim.DataBuffer.Read(c.Id, r.Pa, m.Size) };
        return r;
    }

    /// <summary>Arm data model: a store by VA is translated now, as a write (permission, hardware dirty update, a fault
    /// taken at once), then enters the CPU's buffer with its physical word (DataStoreBuffers.ByVa.cs); one that lands
    /// in a page table is a descriptor write, performed at once.</summary>
    private ExecOutcome StoreByVa(Cpu c, ref PendingOp op, bool newestWalk)
    {
        // An RMW that changes nothing: the translation of a store, without its write.
        var translate = new MemOp(AccessKind.Rmw, op.Mem.Va, op.Mem.Size, 0, 0, RmwOp.None);
        var r = _sim.Arch.Access(c.Id, in translate);
        bool buffered = r.Ok && _sim.DataBuffer.BuffersByVa(r.Pa);
        if (buffered) _sim.DataBuffer.EnqueueByVa(c.Id, op.Mem.Va, r.Pa, op.Mem.Value, op.Mem.Size, op.Order);
        else if (r.Ok) _sim.Arch.WritePhys(c.Id, r.Pa, op.Mem.Value, op.Mem.Size);
        if (op.Order == MemOrder.Full) _sim.DataBuffer.Views.Order(c.Id);
        Ops.CheckOracle(c);
        c.LastFault = r.Fault;
        c.LastFaultLevel = r.Level;
        c.LastValue = 0;
        if (!r.Ok) return Faulted(c, ref op, r);
        c.Time += _sim.Jitter(c, OpCosts.Access(_sim.Cost, AccessKind.Write));
        if (!buffered) { _sim.ClosedForm.ForgetVisibility(r.Pa & ~7UL, c.Time); Ops.NotifyWrite(r.Pa, c.Time); }
        if (_sim.Trace.Enabled)
            _sim.Trace.Op(c.Time, c.Id, c.Context, buffered ? "Write (buffered)" : newestWalk ? "Write (walk sees the newest descriptors)" : "Write", op.Mem.Va, op.Mem.Value);
        return ExecOutcome.Completed;
    }

    /// <summary>A faulting access: completed with <see cref="Cpu.LastFault"/> set when the caller handles faults, else the
    /// kernel's fault handler is entered.</summary>
    private ExecOutcome Faulted(Cpu c, ref PendingOp op, in AccessResult r)
    {
        if (op.ReturnFaults)
        {
            c.LastValue = 0;
            c.Time += _sim.Jitter(c, _sim.Cost.ExceptionEntryExitNs);
            if (_sim.Trace.Enabled) _sim.Trace.Op(c.Time, c.Id, c.Context, "fault " + r.Fault, op.Mem.Va, 0);
            return ExecOutcome.Completed;
        }
        c.PendingFault = new FaultInfo(op.Mem.Va, r.Fault, r.Level, op.Mem.Kind, c.Context, (long)c.Time);
        if (_sim.Trace.Enabled) _sim.Trace.Op(c.Time, c.Id, c.Context, "fault " + r.Fault, op.Mem.Va, 0);
        return ExecOutcome.Faulted;
    }

    /// <summary>Arm data model: a store to a kernel global enters the CPU's buffer; it becomes visible when drained.</summary>
    private ExecOutcome BufferStore(Cpu c, ref PendingOp op)
    {
        _sim.DataBuffer.Enqueue(c.Id, op.Mem.Va, op.Mem.Value, op.Mem.Size, op.Order, c.PassStore);
        bool passed = c.PassStore;
        c.PassStore = false;
        c.LastFault = FaultKind.None;
        c.LastValue = 0;
        c.Time += _sim.Jitter(c, _sim.Cost.MemAccessNs);
        if (_sim.Trace.Enabled) _sim.Trace.Op(c.Time, c.Id, c.Context, passed ? "phys Write (buffered, passes older stores)" : "phys Write (buffered)", op.Mem.Va, op.Mem.Value);
        return ExecOutcome.Completed;
    }

    private AccessResult PhysAccess(Cpu c, in MemOp m, bool older, int addressView)
    {
        var buffers = _sim.DataBuffer;
        ulong word = m.Va & ~7UL;
        bool global = buffers.HasMessages(word);
        // A load reads its own buffered store, or a message its view allows (DataLoadViews); an RMW reads the newest.
        ulong old = m.Kind == AccessKind.Read ? buffers.Load(c.Id, m.Va, m.Size, older, addressView)
            : global ? buffers.Load(c.Id, m.Va, m.Size, older: false) : _sim.Arch.ReadPhys(m.Va, m.Size);
        if (m.Kind == AccessKind.Read) return AccessResult.Success(m.Va, old);
        ulong nv = m.Kind == AccessKind.Write ? m.Value : m.Rmw switch
        {
            RmwOp.Swap => m.Value,
            RmwOp.Cas => old == m.Expected ? m.Value : old,
            RmwOp.Add => old + m.Value,
            RmwOp.Or => old | m.Value,
            RmwOp.AndNot => old & ~m.Value,
            RmwOp.Eor => old ^ m.Value,
            _ => old,
        };
        if (m.Kind == AccessKind.Write || nv != old)
        {
            if (global) buffers.Views.BeforeStore(word);
            _sim.Arch.WritePhys(c.Id, m.Va, nv, m.Size);
            if (global) buffers.Views.Stored(c.Id, word);
        }
        buffers.Views.ReadWithoutMessage(c.Id);   // an RMW's result: as if ordered after everything in memory
        return AccessResult.Success(m.Va, old);
    }

    /// <summary>A frame store (<see cref="Cpu.StoreFrame"/>): the source is translated when the op runs (copy_page
    /// reads it now; a source that faults copies nothing, as before), then the frame is written at once or, under the
    /// Arm data model, enters the buffer as one store.</summary>
    public void StoreFrame(Cpu c, ref PendingOp op)
    {
        ulong src = ulong.MaxValue;
        if (op.FrameSrcIsPa) src = op.FrameSrcVa;
        else if (op.FrameSrcVa != ulong.MaxValue)
        {
            var w = _sim.Arch.Translate(op.FrameSrcVa);
            if (w.Fault != FaultKind.None) return;
            src = w.Pa & ~(ulong)(op.FrameWords * 8 - 1);
        }
        _sim.DataBuffer.StoreFrame(c.Id, op.FrameDst, src, op.FrameFirst, op.FrameStride, op.FrameWords);
        if (_sim.Trace.Enabled) _sim.Trace.Op(c.Time, c.Id, c.Context, _sim.DataBuffer.Active ? "frame store (buffered)" : "frame store", op.FrameDst, 0);
    }
}
