using HvoLab.Arch;
using Entry = HvoLab.Engine.StoreQueues.Entry;

namespace HvoLab.Engine;

/// <summary>
/// Arm ordering of the kernel's data accesses in a search (<see cref="SimOptions.MemoryModel"/> = Arm): each CPU has a
/// buffer of stores (to kernel globals, by VA, whole frames) that other CPUs do not see yet. A store enters the buffer; the CPU's loads read
/// their own newest buffered store of the word (forwarding) or memory; the buffer drains one store at a time, as a
/// scheduled action of its CPU (<see cref="Actions.RunOpAlternative"/>), so other CPUs act between a store and its
/// visibility. Memory itself stays one coherent copy that every CPU reads: other-multi-copy atomicity (Arm ARM B2.3).
/// </summary>
/// <remarks>
/// The rules, each an ordering the Arm model requires (aarch64.cat: ob = obs | dob | aob | bob) and no more:
/// <list type="bullet">
/// <item>The buffer drains from its front. A plain store normally joins the back; its CPU may instead let it pass the
/// stores to other words issued since the last DMB ST (the second outcome of the store op): store→store reordering.
/// It never passes a store to the same word (coherence, R_PHMBW) nor one before a barrier.</item>
/// <item>DMB ST (smp_wmb) starts a new epoch: a later store may not pass an earlier one, and a store that does not
/// go through the buffer (by VA, a descriptor, an RMW) waits until the older epochs have drained.</item>
/// <item>DMB ISH/SY (smp_mb), every DSB (including DSB ST: it waits for the stores to complete), a Release or
/// fully ordered RMW and a fully ordered store wait until the buffer is empty.</item>
/// <item>A release store joins the back and never passes; since the buffer drains from the front it becomes visible
/// after every earlier store. An acquire load or RMW waits while a release store is buffered (RCsc: release→acquire
/// in bob).</item>
/// <item>An RMW is performed on memory, after the CPU's buffered stores to its word (coherence; atomicity holds since
/// memory is one copy).</item>
/// </list>
/// Loads are performed in program order; a relaxed load may still read an older value of the word its CPU's view
/// allows (<see cref="DataLoadViews"/>: load→load reordering). Stores by VA (struct page fields) are buffered once
/// translated (DataStoreBuffers.ByVa.cs) and never pass; whole pages are frame stores (<see cref="FrameStores"/>).
/// Load→store reordering is not explored; descriptor stores and other bulk work are not buffered (descriptors keep
/// their own visibility to walkers, DescriptorStoreBuffer). Both only remove behaviours Arm allows: the model never
/// allows an outcome Arm forbids. Timed runs are sequentially consistent. The queues themselves are
/// <see cref="StoreQueues"/>.
/// </remarks>
internal sealed partial class DataStoreBuffers
{
    private readonly Simulator _sim;
    /// <summary>The buffered stores of each CPU (<see cref="StoreQueues"/>).</summary>
    private readonly StoreQueues _q;
    /// <summary>Frame stores: latent ones and what a buffered one holds back (<see cref="FrameStores"/>).</summary>
    private readonly FrameStores _frames;

    public DataStoreBuffers(Simulator sim, bool active)
    {
        _sim = sim;
        Active = active;
        int n = sim.Cpus.Length;
        _q = new StoreQueues(n, active);
        _frames = new FrameStores(sim, _q, active);
        Views = new DataLoadViews(sim, active);
    }

    /// <summary>The messages and per-CPU views that let a relaxed load read an older value (load→load reordering).</summary>
    public DataLoadViews Views { get; }

    /// <summary>Stores a CPU may have buffered at once.</summary>
    public const int Capacity = 8;

    /// <summary>Arm data ordering is on (search mode with the Arm model).</summary>
    public bool Active { get; }

    public int Count(int cpu) => _q.Count(cpu);

    /// <summary>Stores to this word go through the buffer: kernel globals (no VA the model accesses maps them), not
    /// page tables.</summary>
    public bool Buffers(ulong pa) => Active && !_sim.Arch.Tables.IsTable(pa & ~7UL) && (_sim.Guest?.IsPrivateKernelData(pa & ~7UL) ?? false);

    /// <summary>Whether CPU <paramref name="c"/>'s pending op must wait for (part of) its buffer to drain first.</summary>
    public bool Blocks(Cpu c)
    {
        if (!Active || c.Depth == 0) return false;
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        int id = c.Id;
        if (_q.OthersHaveByVa(id) && WaitsForOtherCpusStores(id, ref op)) return true;
        if (_q.Count(id) == 0) return false;
        if (_q.Frames(id) > 0 && _frames.Blocks(id, ref op)) return true;
        switch (op.Kind)
        {
            case OpKind.Barrier:
                return op.Barrier is BarrierKind.DmbIsh or BarrierKind.DsbIsh or BarrierKind.DsbIshSt or BarrierKind.DsbSy;
            case OpKind.Mem:
                // A store by VA joins the buffer (DataStoreBuffers.ByVa.cs) unless it lands in a page table, which is
                // known only once it is translated: it waits for older epochs as a store performed at once must. An
                // RMW by VA is performed on memory once the stores by VA before it have drained (its word is known
                // only after the walk: all of them).
                // An acquire by VA waits while a release store is buffered, as one by PA does (RCsc: aarch64.cat bob
                // "[L]; po; [A]"); the kernel issues none today, the litmus binding by VA does (EngineArmModelTests).
                if (op.Mem.Kind == AccessKind.Read) return (op.Order != MemOrder.Relaxed && _q.Releases(id) > 0) || _q.HasOlderEpoch(id);
                if (op.Order == MemOrder.Full || _q.HasOlderEpoch(id)) return true;
                return op.Mem.Kind == AccessKind.Rmw && (op.Order == MemOrder.Release || _q.ByVa(id) > 0
                    || (op.Order == MemOrder.Acquire && _q.Releases(id) > 0));
            case OpKind.Bulk:
                // Bulk work reads and writes memory directly, and a frame store copies or overwrites a page: the CPU's
                // stores by VA, which may be to those pages, first.
                return _q.HasOlderEpoch(id) || _q.ByVa(id) > 0;
            case OpKind.WaitPhys:
                return op.Order != MemOrder.Relaxed && _q.Releases(id) > 0;
            case OpKind.MemPhys:
            {
                var kind = op.Mem.Kind;
                var order = op.Order;
                if (kind == AccessKind.Read) return order != MemOrder.Relaxed && _q.Releases(id) > 0;
                if (order == MemOrder.Full || (kind == AccessKind.Rmw && order == MemOrder.Release)) return true;
                // A full buffer holds the CPU back until a drain (the hardware's buffer is finite too): a loop of
                // stores cannot grow it without bound while the search leaves its drains for later.
                if (kind == AccessKind.Write && order != MemOrder.Acquire && Buffers(op.Mem.Va)) return _q.Count(id) >= Capacity;
                if (order == MemOrder.Release) return true;
                if (order == MemOrder.Acquire && _q.Releases(id) > 0) return true;
                return _q.HasOlderEpoch(id) || _q.HasWord(id, op.Mem.Va & ~7UL);
            }
            default: return false;
        }
    }

    /// <summary>CPU <paramref name="c"/>'s pending op is a store that enters the buffer (relaxed or release, to a
    /// kernel global).</summary>
    public bool WillBuffer(Cpu c)
    {
        if (!Active || c.Depth == 0) return false;
        // The last acknowledger's set_state() (Cpu.BeginRendezvousAck) writes memory in program order while its buffer
        // is empty — the fully ordered acknowledgement emptied it — as if each store drained at once: a left mover under
        // the caller's promise (docs/engine.md item 15), so who acknowledged last leaves no trace in a buffer.
        if (c.InRendezvousWrites && _q.Count(c.Id) == 0) return false;
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        return op.Kind == OpKind.MemPhys && op.Mem.Kind == AccessKind.Write && op.Order is MemOrder.Relaxed or MemOrder.Release && Buffers(op.Mem.Va);
    }

    /// <summary>Whether CPU <paramref name="c"/>'s pending op depends on its buffer beyond the word it touches: it may
    /// be blocked by it (<see cref="Blocks"/> for some buffer content), pass buffered stores, or (a ChooseOne) hold
    /// drains back. Loads, buffered stores that cannot pass, TLBIs, SGIs, masks and private work do not.</summary>
    public bool Sensitive(Cpu c)
    {
        if (!Active || c.Depth == 0) return false;
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        // A buffered frame blocks more (FrameBlocks), and an access by VA may walk the newest descriptors only once
        // its CPU's buffer is empty (OffersNewestWalk): drains change both.
        if (_q.Frames(c.Id) > 0 && _frames.Blocks(c.Id, ref op)) return true;
        switch (op.Kind)
        {
            case OpKind.Choose: case OpKind.Bulk: return true;
            case OpKind.Barrier: return op.Barrier is not (BarrierKind.DmbIshLd or BarrierKind.Isb);
            case OpKind.Mem: return op.Mem.Kind != AccessKind.Read || op.Order != MemOrder.Relaxed || _q.HasOlderEpoch(c.Id) || (_q.Count(c.Id) > 0 && _sim.Arch.Stores.PendingCount > 0);
            case OpKind.WaitPhys: return op.Order != MemOrder.Relaxed;
            case OpKind.MemPhys:
                // A relaxed load of a kernel global may read an older value only once the buffer is empty (a drain
                // comes first as the CPU's second action), so its drains enable that outcome.
                if (op.Mem.Kind == AccessKind.Read) return op.Order != MemOrder.Relaxed || HasMessages(op.Mem.Va);
                if (WillBuffer(c)) return CanPass(c) || _q.Count(c.Id) >= Capacity;
                return true;
            default: return false;
        }
    }

    /// <summary>The second action the buffers give CPU <paramref name="c"/> (a pending ChooseOne comes first, in
    /// <see cref="Simulator.SecondActionOf"/>). With stores buffered: pass them (the pending op a plain store that may)
    /// or drain the front one; with the buffer empty: make latent frames visible (code finished), walk the newest
    /// descriptors (an access by VA) or read an older value (a relaxed load of a kernel global).</summary>
    public SecondAction SecondActionOf(Cpu c)
    {
        if (!Active) return SecondAction.None;
        var empty = _q.Count(c.Id) == 0;
        if (empty && HasLatentWhileIdle(c)) return SecondAction.LatentFramesVisible;
        // Before the empty-buffer cases: a store may pass latent frame stores, which enter the buffer ahead of it.
        if (CanPass(c)) return SecondAction.PassStore;
        if (empty)
            return OffersNewestWalk(c) ? SecondAction.NewestWalk
                : OffersOlderValue(c) ? SecondAction.OlderRead
                : SecondAction.None;
        return _frames.FrontIsFrame(c.Id) ? SecondAction.DrainFrame : _q.Front(c.Id).ByVa ? SecondAction.DrainByVa : SecondAction.DrainWord;
    }

    /// <summary>The word the front store writes (a kernel global's, or the physical word of a store by VA).</summary>
    public ulong FrontWord(int cpu) => _q.Front(cpu).Pa & ~7UL;

    /// <summary>CPU <paramref name="c"/>'s pending op is a relaxed load of a kernel global, its buffer is empty (a drain
    /// is the second action otherwise) and its view allows a value older than memory's (<see cref="DataLoadViews"/>).</summary>
    public bool OffersOlderValue(Cpu c)
    {
        if (!Active || c.Depth == 0 || c.Park != Cpu.ParkKind.None || _q.Count(c.Id) > 0) return false;
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        return op.Kind == OpKind.MemPhys && op.Mem.Kind == AccessKind.Read && op.Order == MemOrder.Relaxed
            && HasMessages(op.Mem.Va) && Views.HasOlder(c.Id, op.Mem.Va & ~7UL, op.AddressView);
    }

    /// <summary>The search step that issued the front store (-1: before the first step): the step that enabled its drain.</summary>
    public int FrontStep(int cpu) => _q.Front(cpu).Step;

    /// <summary>CPU <paramref name="c"/>'s pending op is an access by VA, its buffer is empty (a drain is the second
    /// action otherwise) and some descriptor store is not yet visible to walkers (<see cref="DescriptorStoreBuffer"/>:
    /// until its writer's DSB). The second action lets the access's walks see every such store first: a store is
    /// visible to walkers once it is performed, which may be before the DSB that guarantees it (arm-arch.md §4: the
    /// DSB is what makes the walker certain to see it), so another CPU's walker may meet a PMD before the PTE table
    /// it points to is filled when nothing orders the two stores (no DMB ST, no DSB between them).</summary>
    public bool OffersNewestWalk(Cpu c)
    {
        if (!Active || c.Depth == 0 || c.Park != Cpu.ParkKind.None || _q.Count(c.Id) > 0) return false;
        return c.Frames[c.Depth - 1].Pending.Kind == OpKind.Mem && _sim.Arch.Stores.PendingCount > 0;
    }

    /// <summary>Makes every pending descriptor store visible to walkers (of every CPU: other-multi-copy atomicity).
    /// Hardware flag updates are the litmus binding's and stay pending, as at a DSB ST.</summary>
    public void PublishDescriptorStores()
    {
        for (int i = 0; i < _q.Cpus; i++) _sim.Arch.Stores.Publish(i, includeHardware: false);
    }

    /// <summary>The pending op is a plain buffered store and the buffer holds a store it may pass.</summary>
    public bool CanPass(Cpu c)
    {
        if (!Active || c.Depth == 0 || c.Park != Cpu.ParkKind.None) return false;
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        if (op.Kind != OpKind.MemPhys || op.Mem.Kind != AccessKind.Write || op.Order != MemOrder.Relaxed || !Buffers(op.Mem.Va)) return false;
        // Latent frame stores enter the buffer before this store runs (FrameStores.cs); it may pass them.
        return _q.PassIndex(c.Id, op.Mem.Va & ~7UL) < _q.Count(c.Id) || _frames.FateOfLatent(c) == FrameStores.LatentFate.Buffer;
    }

    /// <summary>A store enters CPU <paramref name="cpu"/>'s buffer, at the back or (<paramref name="pass"/>) ahead of
    /// the stores it may pass.</summary>
    public void Enqueue(int cpu, ulong pa, ulong value, int size, MemOrder order, bool pass)
    {
        int at = pass && order == MemOrder.Relaxed ? _q.PassIndex(cpu, pa & ~7UL) : _q.Count(cpu);
        _q.Insert(cpu, new Entry { Pa = pa, Value = value, Size = size, Epoch = _q.Epoch(cpu), Release = order == MemOrder.Release, Step = _sim.Driver.PerformingStep }, at);
    }

    /// <summary>DMB ST: later stores may not pass earlier ones.</summary>
    public void StoreBarrier(int cpu) => _q.StoreBarrier(cpu);

    /// <summary>Makes the front store of <paramref name="cpu"/>'s buffer visible to every CPU; returns its word.</summary>
    public ulong DrainFront(int cpu)
    {
        var front = _q.RemoveFront(cpu);
        if (front.Words > 0) { _frames.WriteFrame(cpu, in front); return front.Pa; }
        bool message = HasMessages(front.Pa);
        if (message) Views.BeforeStore(front.Pa & ~7UL);
        _sim.Arch.WritePhys(cpu, front.Pa, front.Value, front.Size);
        if (message) Views.Stored(cpu, front.Pa & ~7UL);
        return front.Pa & ~7UL;
    }

    /// <summary>What CPU <paramref name="cpu"/> reads at <paramref name="pa"/>: memory with its own buffered stores to
    /// the word laid over it in program order (forwarding).</summary>
    public ulong Read(int cpu, ulong pa, int size)
    {
        ulong word = pa & ~7UL;
        if (!Active || _q.Count(cpu) == 0 || !_q.HasWord(cpu, word)) return _sim.Arch.ReadPhys(pa, size);
        ulong w = _q.Forward(cpu, word, _sim.Arch.ReadPhys(word));
        int s = (int)(pa & 7) * 8;
        return size == 8 ? w : (w >> s) & ((1UL << (size * 8)) - 1);
    }

    /// <summary>A load by CPU <paramref name="cpu"/>: its own newest buffered store of the word (forwarding), else for a
    /// kernel global the newest message or (<paramref name="older"/>) the oldest its view allows, else memory.</summary>
    public ulong Load(int cpu, ulong pa, int size, bool older, int addressView = 0)
    {
        ulong word = pa & ~7UL;
        if (!LoadsMessage(cpu, word))
        {
            Views.ReadWithoutMessage(cpu);
            return Read(cpu, pa, size);
        }
        ulong w = Views.Load(cpu, word, older, addressView);
        int s = (int)(pa & 7) * 8;
        return size == 8 ? w : (w >> s) & ((1UL << (size * 8)) - 1);
    }

    /// <summary>A load of <paramref name="pa"/> by <paramref name="cpu"/> reads a message (a kernel global its CPU has
    /// no buffered store to), not its own buffer or untracked memory.</summary>
    public bool LoadsMessage(int cpu, ulong pa) => HasMessages(pa) && !_q.HasWord(cpu, pa & ~7UL);

    /// <summary>The word's stores are messages of <see cref="Views"/>: a kernel global whose relaxed loads may read an
    /// older value (<see cref="IGuest.MayReadOlderValue"/>).</summary>
    public bool HasMessages(ulong pa) => Buffers(pa & ~7UL) && (_sim.Guest?.MayReadOlderValue(pa & ~7UL) ?? false);

    /// <summary>CPU <paramref name="c"/>'s pending op is held back by its buffer at most for stores of older epochs or to
    /// its own word: a relaxed store or RMW performed on memory (by VA, a descriptor, an RMW of a global), bulk work,
    /// or a DMB ST (never held; it only starts an epoch, and epochs are only compared with each other).</summary>
    public bool WaitsOnlyForOlderEpochs(Cpu c)
    {
        if (!Active || c.Depth == 0) return false;
        // A buffered or latent frame store holds ops back for reasons of its own (FrameBlocks, LatentFateOf): say no.
        if (_q.Frames(c.Id) > 0 || _frames.HasLatent(c.Id)) return false;
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        if (op.Kind == OpKind.Barrier && op.Barrier == BarrierKind.DmbIshSt) return true;
        // Bulk work (frame stores too) and an RMW by VA also wait for every buffered store by VA (Blocks).
        if (op.Kind == OpKind.Bulk) return _q.ByVa(c.Id) == 0;
        if (op.Kind == OpKind.Mem && op.Mem.Kind == AccessKind.Rmw && _q.ByVa(c.Id) > 0) return false;
        // An access by VA may walk the newest descriptors only once its buffer is empty (OffersNewestWalk): any drain
        // may be what offers it that.
        if (op.Kind == OpKind.Mem && _sim.Arch.Stores.PendingCount > 0) return false;
        return op.Kind is OpKind.Mem or OpKind.MemPhys && op.Mem.Kind != AccessKind.Read && op.Order == MemOrder.Relaxed && !WillBuffer(c);
    }

    /// <summary>The front store of <paramref name="cpu"/>'s buffer is of the current epoch: no store of an older one is
    /// buffered, before or after it drains.</summary>
    public bool FrontInCurrentEpoch(int cpu) => _q.FrontInCurrentEpoch(cpu);

    // Frame stores (FrameStores.cs), as the executor and the search ask for them.
    public void StoreFrame(int cpu, ulong dst, ulong src, ulong first, ulong stride, int words) => _frames.StoreFrame(cpu, dst, src, first, stride, words);
    public bool MakesLatentVisible(Cpu c) => _frames.MakesLatentVisible(c);
    public void BeforeOp(Cpu c) => _frames.BeforeOp(c);
    public (ulong Frame, ulong Source)? OnlyLatent(int cpu) => _frames.OnlyLatent(cpu);
    public bool HasLatentWhileIdle(Cpu c) => _frames.HasLatentWhileIdle(c);
    public void DrainLatentWhileIdle(Cpu c) => _frames.DrainLatentWhileIdle(c);
    public void NotifyFrame(ulong pa, double time) => _frames.NotifyFrame(pa, time);
    public (ulong Frame, ulong Source) FrontFrame(int cpu) => _frames.FrontFrame(cpu);
}
