using HvoLab.Arch;
using Entry = HvoLab.Engine.StoreQueues.Entry;

namespace HvoLab.Engine;

/// <summary>
/// Frame stores under the Arm data model, for <see cref="DataStoreBuffers"/> (<see cref="Cpu.StoreFrame"/>: copy_page of a vmemmap page, the fill of a new
/// PTE table): the page's stores as one store that other CPUs and walkers see only when it drains.
/// </summary>
/// <remarks>
/// A frame store is first <em>latent</em>: it waits, outside the buffer, for its CPU's next op. An op that orders it
/// (a DMB or DSB, an access by VA, a fully ordered or release access, an access inside the frame) makes it visible in
/// its own step: the latest moment Arm allows for it, and the page is fresh (nothing maps it before a store of the same
/// CPU publishes it), so no other CPU can tell that moment from an earlier one. A store or RMW makes it an ordinary
/// buffered store instead (at the back, before the new store): from then on the search drains it as any other, and a
/// later store to another word in its epoch may pass it, e.g. a PMD pointing at a PTE table whose fill is not yet
/// visible when neither smp_wmb() nor set_pte_at()'s dsb(ishst) sits between them. Loads, ISBs, private work, masks,
/// TLBIs and further frame stores leave it latent; a CPU whose code has finished lets it drain as its second action. So the
/// kernel paths whose barrier follows the copy or fill at once cost the search nothing more, and a left-out barrier
/// lets the frame be seen late. Reading the source when the frame becomes visible (not when the op ran) is allowed:
/// copy_page's loads are not ordered before anything up to then (the barriers that would order them make the frame
/// visible first), and its CPU reads neither page in between.
/// </remarks>
internal sealed class FrameStores
{
    private readonly Simulator _sim;
    private readonly StoreQueues _q;
    private readonly Entry[][] _latent;
    private readonly int[] _latentCount;

    public FrameStores(Simulator sim, StoreQueues q, bool active)
    {
        _sim = sim;
        _q = q;
        Active = active;
        _latent = new Entry[q.Cpus][];
        for (int i = 0; i < q.Cpus; i++) _latent[i] = active ? new Entry[2] : [];
        _latentCount = new int[q.Cpus];
    }

    private bool Active { get; }

    /// <summary>CPU <paramref name="cpu"/> has latent frame stores.</summary>
    public bool HasLatent(int cpu) => _latentCount[cpu] > 0;

    /// <summary>A frame store by <paramref name="cpu"/>: written at once when the model is off, else latent.</summary>
    public void StoreFrame(int cpu, ulong dst, ulong src, ulong first, ulong stride, int words)
    {
        var entry = new Entry { Pa = dst, Value = first, Size = 8, Epoch = Active ? _q.Epoch(cpu) : 0, Words = words, Src = src, Stride = stride, Step = -1 };
        if (!Active) { WriteFrame(cpu, in entry); return; }
        if (_latentCount[cpu] == _latent[cpu].Length) Array.Resize(ref _latent[cpu], _latent[cpu].Length * 2);
        _latent[cpu][_latentCount[cpu]++] = entry;
    }

    /// <summary>What a CPU's pending op does with its latent frame stores.</summary>
    internal enum LatentFate : byte { None, Keep, MakeVisible, Buffer }

    public LatentFate FateOfLatent(Cpu c)
    {
        if (!Active || c.Depth == 0 || _latentCount[c.Id] == 0) return LatentFate.None;
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        switch (op.Kind)
        {
            // An ISB orders no store and (without a dependency on them) none of copy_page's loads.
            case OpKind.Barrier: return op.BarrierOmitted || op.Barrier == BarrierKind.Isb ? LatentFate.Keep : LatentFate.MakeVisible;
            case OpKind.Mem: return LatentFate.MakeVisible;
            case OpKind.Bulk: return op.FrameWords > 0 ? LatentFate.Keep : LatentFate.MakeVisible;
            case OpKind.WaitPhys: return InLatent(c.Id, op.WaitPa & ~7UL) ? LatentFate.MakeVisible : LatentFate.Keep;
            case OpKind.MemPhys:
                if (op.Order is MemOrder.Full or MemOrder.Release || InLatent(c.Id, op.Mem.Va & ~7UL)) return LatentFate.MakeVisible;
                return op.Mem.Kind == AccessKind.Read ? LatentFate.Keep : LatentFate.Buffer;
            default: return LatentFate.Keep;
        }
    }

    /// <summary>CPU <paramref name="c"/>'s pending op makes its latent frame stores visible in its own step (its
    /// footprint must then cover them).</summary>
    public bool MakesLatentVisible(Cpu c) => FateOfLatent(c) == LatentFate.MakeVisible;

    /// <summary>Before CPU <paramref name="c"/> runs its op: its latent frame stores become visible, enter the buffer,
    /// or stay latent (see the remarks).</summary>
    public void BeforeOp(Cpu c)
    {
        var fate = FateOfLatent(c);
        if (fate is LatentFate.None or LatentFate.Keep) return;
        int id = c.Id, n = _latentCount[id];
        _latentCount[id] = 0;
        for (int i = 0; i < n; i++)
        {
            var f = _latent[id][i];
            if (fate == LatentFate.MakeVisible) { WriteFrame(id, in f); NotifyFrame(f.Pa, c.Time); continue; }
            f.Step = _sim.Driver.PerformingStep;   // this op puts it in the buffer: it enables the drain
            _q.Insert(id, f, _q.Count(id));
        }
    }

    /// <summary>The one latent frame store of <paramref name="cpu"/> (frame, source), or null when there are several.</summary>
    public (ulong Frame, ulong Source)? OnlyLatent(int cpu) => _latentCount[cpu] == 1 ? (_latent[cpu][0].Pa, _latent[cpu][0].Src) : null;

    /// <summary>A CPU whose code has finished still makes its latent frame stores visible (its second action).</summary>
    public bool HasLatentWhileIdle(Cpu c) => Active && c.Depth == 0 && _latentCount[c.Id] > 0;

    public void DrainLatentWhileIdle(Cpu c)
    {
        for (int i = 0; i < _latentCount[c.Id]; i++) { WriteFrame(c.Id, in _latent[c.Id][i]); NotifyFrame(_latent[c.Id][i].Pa, c.Time); }
        _latentCount[c.Id] = 0;
    }

    /// <summary>Wakes what waits on any word of the frame at <paramref name="pa"/>: all of it became visible.</summary>
    public void NotifyFrame(ulong pa, double time)
    {
        for (ulong off = 0; off < _sim.Arch.Granule.PageSize; off += 8) _sim.Ops.NotifyWrite(pa + off, time);
    }

    private bool InLatent(int cpu, ulong word)
    {
        for (int i = 0; i < _latentCount[cpu]; i++) if (_latent[cpu][i].Covers(word)) return true;
        return false;
    }

    /// <summary>What a buffered frame store holds back besides the ordering rules of the buffer: DMB LD (it orders
    /// copy_page's loads, which the frame's stores carry), and its own CPU's accesses that may read or write the
    /// frame (no forwarding of a whole page: accesses by VA, whose physical word is not known before the walk, bulk
    /// work, physical accesses inside the frame). Waiting only removes executions Arm allows.</summary>
    public bool Blocks(int id, ref PendingOp op)
    {
        switch (op.Kind)
        {
            case OpKind.Mem: case OpKind.Bulk: return true;
            case OpKind.Barrier: return !op.BarrierOmitted && op.Barrier == BarrierKind.DmbIshLd;
            case OpKind.WaitPhys: return _q.InFrame(id, op.WaitPa & ~7UL);
            case OpKind.MemPhys: return _q.InFrame(id, op.Mem.Va & ~7UL);
            default: return false;
        }
    }

    public void WriteFrame(int cpu, in Entry f)
    {
        var memory = _sim.Arch.Memory;
        int shift = memory.Granule.PageShift;
        if (f.Src != ulong.MaxValue && f.Words * 8 == 1 << shift) { memory.CopyFrame(f.Pa >> shift, f.Src >> shift); return; }
        for (int i = 0; i < f.Words; i++)
            _sim.Arch.WritePhys(cpu, f.Pa + (ulong)(8 * i), f.Src != ulong.MaxValue ? memory.ReadWord(f.Src + (ulong)(8 * i)) : f.Value + (ulong)i * f.Stride);
    }

    /// <summary>The frame the front store (a frame store) writes, and the frame it copies (ulong.MaxValue: a fill).</summary>
    public (ulong Frame, ulong Source) FrontFrame(int cpu) => (_q.Front(cpu).Pa, _q.Front(cpu).Src);

    /// <summary>The front store of the CPU's buffer is a frame store.</summary>
    public bool FrontIsFrame(int cpu) => _q.Count(cpu) > 0 && _q.Front(cpu).Words > 0;
}
