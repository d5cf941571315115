using HvoLab.Arch;

namespace HvoLab.Engine;

/// <summary>
/// Arm ordering of the kernel's data accesses in a search (<see cref="SimOptions.MemoryModel"/> = Arm): each CPU has a
/// buffer of stores to kernel globals that other CPUs do not see yet. A store enters the buffer; the CPU's loads read
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
/// allows (<see cref="DataLoadViews"/>: load→load reordering). Load→store reordering is not explored; stores by VA
/// (struct pages), descriptor stores and bulk copies are not buffered (descriptors keep their own visibility to
/// walkers, DescriptorStoreBuffer). Both only remove behaviours Arm allows: the model never allows an outcome Arm
/// forbids. Timed runs are sequentially consistent.
/// </remarks>
internal sealed partial class DataStoreBuffers
{
    internal struct Entry
    {
        public ulong Pa;
        public ulong Value;
        public int Size;
        public int Epoch;
        public bool Release;
        /// <summary>The search step that issued the store (<see cref="ExecutionDriver.PerformingStep"/>): its drain's enabler.</summary>
        public int Step;
        /// <summary>A frame store (> 0): <see cref="Pa"/> is the frame, of this many words; <see cref="Src"/> the frame
        /// copied, or ulong.MaxValue for the words <see cref="Value"/> + i * <see cref="Stride"/>.</summary>
        public int Words;
        public ulong Src, Stride;
        /// <summary>A store by VA (a struct page field): <see cref="Va"/> is the address it was issued to, translated
        /// then into <see cref="Pa"/> (<see cref="EnqueueByVa"/>).</summary>
        public bool ByVa;
        public ulong Va;
        public readonly bool Covers(ulong word) => Words > 0 ? word - Pa < (ulong)Words * 8 : (Pa & ~7UL) == word;
    }

    private readonly Simulator _sim;
    private readonly Entry[][] _entries;
    private readonly int[] _count;
    private readonly int[] _epoch;
    private readonly int[] _releases;
    /// <summary>Buffered stores by VA per CPU, and over all CPUs (DataStoreBuffers.ByVa.cs).</summary>
    private readonly int[] _byVa;
    private int _byVaTotal;

    public DataStoreBuffers(Simulator sim, bool active)
    {
        _sim = sim;
        Active = active;
        int n = sim.Cpus.Length;
        _entries = new Entry[n][];
        for (int i = 0; i < n; i++) _entries[i] = active ? new Entry[8] : [];
        _count = new int[n];
        _epoch = new int[n];
        _releases = new int[n];
        _byVa = new int[n];
        _latent = new Entry[n][];
        for (int i = 0; i < n; i++) _latent[i] = active ? new Entry[2] : [];
        _latentCount = new int[n];
        _frames = new int[n];
        Views = new DataLoadViews(sim, active);
    }

    /// <summary>The messages and per-CPU views that let a relaxed load read an older value (load→load reordering).</summary>
    public DataLoadViews Views { get; }

    /// <summary>Stores a CPU may have buffered at once.</summary>
    public const int Capacity = 8;

    /// <summary>Arm data ordering is on (search mode with the Arm model).</summary>
    public bool Active { get; }

    public int Count(int cpu) => _count[cpu];

    /// <summary>Stores to this word go through the buffer: kernel globals (no VA the model accesses maps them), not
    /// page tables.</summary>
    public bool Buffers(ulong pa) => Active && !_sim.Arch.Tables.IsTable(pa & ~7UL) && (_sim.Guest?.IsPrivateKernelData(pa & ~7UL) ?? false);

    /// <summary>Whether CPU <paramref name="c"/>'s pending op must wait for (part of) its buffer to drain first.</summary>
    public bool Blocks(Cpu c)
    {
        if (!Active || c.Depth == 0) return false;
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        int id = c.Id;
        if (_byVaTotal > _byVa[id] && WaitsForOtherCpusStores(id, ref op)) return true;
        if (_count[id] == 0) return false;
        if (_frames[id] > 0 && FrameBlocks(id, ref op)) return true;
        switch (op.Kind)
        {
            case OpKind.Barrier:
                return op.Barrier is BarrierKind.DmbIsh or BarrierKind.DsbIsh or BarrierKind.DsbIshSt or BarrierKind.DsbSy;
            case OpKind.Mem:
                // A store by VA joins the buffer (DataStoreBuffers.ByVa.cs) unless it lands in a page table, which is
                // known only once it is translated: it waits for older epochs as a store performed at once must. An
                // RMW by VA is performed on memory once the stores by VA before it have drained (its word is known
                // only after the walk: all of them).
                if (op.Mem.Kind == AccessKind.Read) return false;
                if (op.Order == MemOrder.Full || HasOlderEpoch(id)) return true;
                return op.Mem.Kind == AccessKind.Rmw && (op.Order == MemOrder.Release || _byVa[id] > 0);
            case OpKind.Bulk:
                // Bulk work reads and writes memory directly: the CPU's stores by VA, which may be to its pages, first.
                // A frame store does not: it is buffered behind them (StoreFrame).
                return HasOlderEpoch(id) || (_byVa[id] > 0 && op.FrameWords == 0);
            case OpKind.WaitPhys:
                return op.Order != MemOrder.Relaxed && _releases[id] > 0;
            case OpKind.MemPhys:
            {
                var kind = op.Mem.Kind;
                var order = op.Order;
                if (kind == AccessKind.Read) return order != MemOrder.Relaxed && _releases[id] > 0;
                if (order == MemOrder.Full || (kind == AccessKind.Rmw && order == MemOrder.Release)) return true;
                // A full buffer holds the CPU back until a drain (the hardware's buffer is finite too): a loop of
                // stores cannot grow it without bound while the search leaves its drains for later.
                if (kind == AccessKind.Write && order != MemOrder.Acquire && Buffers(op.Mem.Va)) return _count[id] >= Capacity;
                if (order == MemOrder.Release) return true;
                if (order == MemOrder.Acquire && _releases[id] > 0) return true;
                return HasOlderEpoch(id) || HasWord(id, op.Mem.Va & ~7UL);
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
        if (c.InRendezvousWrites && _count[c.Id] == 0) return false;
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
        if (_frames[c.Id] > 0 && FrameBlocks(c.Id, ref op)) return true;
        switch (op.Kind)
        {
            case OpKind.Choose: case OpKind.Bulk: return true;
            case OpKind.Barrier: return op.Barrier is not (BarrierKind.DmbIshLd or BarrierKind.Isb);
            case OpKind.Mem: return op.Mem.Kind != AccessKind.Read || (_count[c.Id] > 0 && _sim.Arch.Stores.PendingCount > 0);
            case OpKind.WaitPhys: return op.Order != MemOrder.Relaxed;
            case OpKind.MemPhys:
                // A relaxed load of a kernel global may read an older value only once the buffer is empty (a drain
                // comes first as the CPU's second action), so its drains enable that outcome.
                if (op.Mem.Kind == AccessKind.Read) return op.Order != MemOrder.Relaxed || HasMessages(op.Mem.Va);
                if (WillBuffer(c)) return CanPass(c) || _count[c.Id] >= Capacity;
                return true;
            default: return false;
        }
    }

    /// <summary>The second outcome CPU <paramref name="c"/> has besides running its op: drain the front store, or
    /// (its op being a plain buffered store that may pass others) issue the store ahead of them.</summary>
    public bool HasAlternative(Cpu c) => Active && (_count[c.Id] > 0 || CanPass(c));

    /// <summary>CPU <paramref name="c"/>'s pending op is a relaxed load of a kernel global, its buffer is empty (a drain
    /// is the second action otherwise) and its view allows a value older than memory's (<see cref="DataLoadViews"/>).</summary>
    public bool OffersOlderValue(Cpu c)
    {
        if (!Active || c.Depth == 0 || c.Park != Cpu.ParkKind.None || _count[c.Id] > 0) return false;
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        return op.Kind == OpKind.MemPhys && op.Mem.Kind == AccessKind.Read && op.Order == MemOrder.Relaxed
            && HasMessages(op.Mem.Va) && Views.HasOlder(c.Id, op.Mem.Va & ~7UL);
    }

    /// <summary>The search step that issued the front store (-1: before the first step): the step that enabled its drain.</summary>
    public int FrontStep(int cpu) => _entries[cpu][0].Step;

    /// <summary>CPU <paramref name="c"/>'s pending op is an access by VA, its buffer is empty (a drain is the second
    /// action otherwise) and some descriptor store is not yet visible to walkers (<see cref="DescriptorStoreBuffer"/>:
    /// until its writer's DSB). The second action lets the access's walks see every such store first: a store is
    /// visible to walkers once it is performed, which may be before the DSB that guarantees it (arm-arch.md §4: the
    /// DSB is what makes the walker certain to see it), so another CPU's walker may meet a PMD before the PTE table
    /// it points to is filled when nothing orders the two stores (no DMB ST, no DSB between them).</summary>
    public bool OffersNewestWalk(Cpu c)
    {
        if (!Active || c.Depth == 0 || c.Park != Cpu.ParkKind.None || _count[c.Id] > 0) return false;
        return c.Frames[c.Depth - 1].Pending.Kind == OpKind.Mem && _sim.Arch.Stores.PendingCount > 0;
    }

    /// <summary>Makes every pending descriptor store visible to walkers (of every CPU: other-multi-copy atomicity).
    /// Hardware flag updates are the litmus binding's and stay pending, as at a DSB ST.</summary>
    public void PublishDescriptorStores()
    {
        for (int i = 0; i < _count.Length; i++) _sim.Arch.Stores.Publish(i, includeHardware: false);
    }

    /// <summary>The word the alternative writes to memory (a drain of a store to one kernel global), or null for a store
    /// that only enters the buffer, a frame's drain (<see cref="AlternativeDrainsFrame"/>) or the drain of a store by VA
    /// (<see cref="AlternativeDrainByVa"/>).</summary>
    public ulong? AlternativeWrite(Cpu c) =>
        _count[c.Id] > 0 && !CanPass(c) && _entries[c.Id][0].Words == 0 && !_entries[c.Id][0].ByVa ? _entries[c.Id][0].Pa & ~7UL : null;

    /// <summary>The pending op is a plain buffered store and the buffer holds a store it may pass.</summary>
    public bool CanPass(Cpu c)
    {
        if (!Active || c.Depth == 0 || c.Park != Cpu.ParkKind.None) return false;
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        if (op.Kind != OpKind.MemPhys || op.Mem.Kind != AccessKind.Write || op.Order != MemOrder.Relaxed || !Buffers(op.Mem.Va)) return false;
        // Latent frame stores enter the buffer before this store runs (DataStoreBuffers.Frames.cs); it may pass them.
        return PassIndex(c.Id, op.Mem.Va & ~7UL) < _count[c.Id] || FateOfLatent(c) == LatentFate.Buffer;
    }

    /// <summary>Where a store to <paramref name="word"/> that passes lands: before the trailing run of same-epoch
    /// stores to other words.</summary>
    private int PassIndex(int cpu, ulong word)
    {
        var e = _entries[cpu];
        int i = _count[cpu];
        while (i > 0 && e[i - 1].Epoch == _epoch[cpu] && !e[i - 1].Covers(word)) i--;
        return i;
    }

    /// <summary>A store enters CPU <paramref name="cpu"/>'s buffer, at the back or (<paramref name="pass"/>) ahead of
    /// the stores it may pass.</summary>
    public void Enqueue(int cpu, ulong pa, ulong value, int size, MemOrder order, bool pass)
    {
        var e = _entries[cpu];
        int n = _count[cpu];
        if (n == e.Length) { Array.Resize(ref _entries[cpu], n * 2); e = _entries[cpu]; }
        int at = pass && order == MemOrder.Relaxed ? PassIndex(cpu, pa & ~7UL) : n;
        Array.Copy(e, at, e, at + 1, n - at);
        e[at] = new Entry { Pa = pa, Value = value, Size = size, Epoch = _epoch[cpu], Release = order == MemOrder.Release, Step = _sim.Driver.PerformingStep };
        _count[cpu] = n + 1;
        if (order == MemOrder.Release) _releases[cpu]++;
    }

    /// <summary>DMB ST: later stores may not pass earlier ones.</summary>
    public void StoreBarrier(int cpu)
    {
        if (_count[cpu] > 0) _epoch[cpu]++;
    }

    /// <summary>Makes the front store of <paramref name="cpu"/>'s buffer visible to every CPU; returns its word.</summary>
    public ulong DrainFront(int cpu)
    {
        var e = _entries[cpu];
        var front = e[0];
        int n = --_count[cpu];
        Array.Copy(e, 1, e, 0, n);
        if (front.Release) _releases[cpu]--;
        if (front.ByVa) { _byVa[cpu]--; _byVaTotal--; }
        if (front.Words > 0) { _frames[cpu]--; WriteFrame(cpu, in front); return front.Pa; }
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
        if (!Active || _count[cpu] == 0 || !HasWord(cpu, word)) return _sim.Arch.ReadPhys(pa, size);
        ulong w = _sim.Arch.ReadPhys(word);
        var e = _entries[cpu];
        for (int i = 0; i < _count[cpu]; i++)
        {
            if (e[i].Words > 0 || (e[i].Pa & ~7UL) != word) continue;
            int shift = (int)(e[i].Pa & 7) * 8;
            ulong mask = e[i].Size == 8 ? ulong.MaxValue : ((1UL << (e[i].Size * 8)) - 1) << shift;
            w = (w & ~mask) | ((e[i].Value << shift) & mask);
        }
        int s = (int)(pa & 7) * 8;
        return size == 8 ? w : (w >> s) & ((1UL << (size * 8)) - 1);
    }

    /// <summary>A load by CPU <paramref name="cpu"/>: its own newest buffered store of the word (forwarding), else for a
    /// kernel global the newest message or (<paramref name="older"/>) the oldest its view allows, else memory.</summary>
    public ulong Load(int cpu, ulong pa, int size, bool older)
    {
        ulong word = pa & ~7UL;
        if (!LoadsMessage(cpu, word)) return Read(cpu, pa, size);
        ulong w = Views.Load(cpu, word, older);
        int s = (int)(pa & 7) * 8;
        return size == 8 ? w : (w >> s) & ((1UL << (size * 8)) - 1);
    }

    /// <summary>A load of <paramref name="pa"/> by <paramref name="cpu"/> reads a message (a kernel global its CPU has
    /// no buffered store to), not its own buffer or untracked memory.</summary>
    public bool LoadsMessage(int cpu, ulong pa) => HasMessages(pa) && !HasWord(cpu, pa & ~7UL);

    /// <summary>The word's stores are messages of <see cref="Views"/>: a kernel global whose relaxed loads may read an
    /// older value (<see cref="IGuest.MayReadOlderValue"/>).</summary>
    public bool HasMessages(ulong pa) => Buffers(pa & ~7UL) && (_sim.Guest?.MayReadOlderValue(pa & ~7UL) ?? false);

    private bool HasWord(int cpu, ulong word)
    {
        var e = _entries[cpu];
        for (int i = 0; i < _count[cpu]; i++) if (e[i].Words == 0 && (e[i].Pa & ~7UL) == word) return true;
        return false;
    }

    private bool HasOlderEpoch(int cpu) => _count[cpu] > 0 && _entries[cpu][0].Epoch < _epoch[cpu];

    /// <summary>CPU <paramref name="c"/>'s pending op is held back by its buffer at most for stores of older epochs or to
    /// its own word: a relaxed store or RMW performed on memory (by VA, a descriptor, an RMW of a global), bulk work,
    /// or a DMB ST (never held; it only starts an epoch, and epochs are only compared with each other).</summary>
    public bool WaitsOnlyForOlderEpochs(Cpu c)
    {
        if (!Active || c.Depth == 0) return false;
        // A buffered or latent frame store holds ops back for reasons of its own (FrameBlocks, LatentFateOf): say no.
        if (_frames[c.Id] > 0 || _latentCount[c.Id] > 0) return false;
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        if (op.Kind == OpKind.Barrier && op.Barrier == BarrierKind.DmbIshSt) return true;
        // Bulk work and an RMW by VA also wait for every buffered store by VA (Blocks); a frame store enters the buffer
        // behind them rather than stay latent (StoreFrame), so their drains change what it does.
        if (op.Kind == OpKind.Bulk) return _byVa[c.Id] == 0;
        if (op.Kind == OpKind.Mem && op.Mem.Kind == AccessKind.Rmw && _byVa[c.Id] > 0) return false;
        return op.Kind is OpKind.Mem or OpKind.MemPhys && op.Mem.Kind != AccessKind.Read && op.Order == MemOrder.Relaxed && !WillBuffer(c);
    }

    /// <summary>The front store of <paramref name="cpu"/>'s buffer is of the current epoch: no store of an older one is
    /// buffered, before or after it drains.</summary>
    public bool FrontInCurrentEpoch(int cpu) => _count[cpu] > 0 && _entries[cpu][0].Words == 0 && _entries[cpu][0].Epoch == _epoch[cpu];

    /// <summary>The buffered stores of a CPU, oldest first (for traces and tests).</summary>
    public IEnumerable<(ulong Pa, ulong Value)> Pending(int cpu)
    {
        for (int i = 0; i < _count[cpu]; i++) yield return (_entries[cpu][i].Pa, _entries[cpu][i].Value);
    }
}
