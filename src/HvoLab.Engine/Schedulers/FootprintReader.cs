using HvoLab.Arch;

namespace HvoLab.Engine.Schedulers;

/// <summary>
/// Takes an action's <see cref="Footprint"/> from the simulator's state when the search reaches it: the word it reads
/// or writes (and what a VA maps now), the VA range a descriptor write, TLBI or DSB affects, the words a spin watches,
/// the masks the CPU's code runs with, and the values the value-based rules need. Footprint itself holds the result
/// and decides whether two footprints commute; this class is the only one that reads the machine for it.
/// </summary>
public static partial class FootprintReader
{
    /// <summary>The footprint of <paramref name="action"/> (enabled or waiting) in the simulator's current state.</summary>
    public static Footprint Of(Simulator sim, int action)
    {
        var f = OfAction(sim, action);
        // Arm data model: an action that makes latent frame stores visible writes whole pages (FrameStores.cs):
        // a barrier (touching nothing else) writes the one frame; anything else is taken as dependent with everything.
        if (sim.HasStoreBuffers && sim.MakesFramesVisible(Actions.Cpu(action), Actions.Kind(action)))
            return WithLoadOrdering(sim, action, f.Kind == FootprintKind.Local && sim.OnlyLatentFrame(Actions.Cpu(action)) is (ulong frame, ulong src)
                ? new(f.Cpu, FootprintKind.Bulk, 0, 0, 0, null) { FrameLo = frame, FrameHi = frame + sim.Arch.Granule.PageSize, FrameSrc = src, BufferSensitive = true, CodeMasks = sim.Cpus[f.Cpu].Masks, HasCodeMasks = true }
                : new(f.Cpu, FootprintKind.Preempt, 0, 0, ulong.MaxValue, null));
        // Arm data model: whether the CPU's own op depends on its buffered stores (FootprintDrains.cs).
        if (!f.Drain && sim.HasStoreBuffers && sim.IsBufferSensitive(Actions.Cpu(action), Actions.Kind(action)))
            f = f with { BufferSensitive = true, OlderEpochsOnly = Actions.Kind(action) == Actions.RunOp && sim.DataBuffer.WaitsOnlyForOlderEpochs(sim.Cpus[Actions.Cpu(action)]) };
        // The masks the CPU's own code runs with (FootprintMasks.cs).
        if (!f.Drain && Actions.Kind(action) is Actions.RunOp or Actions.RunOpAlternative)
            f = f with { CodeMasks = sim.Cpus[Actions.Cpu(action)].Masks, HasCodeMasks = true };
        f = WithWordBefore(sim, action, f);   // for the race walk of waits (FootprintWaits.cs)
        return sim.HasStoreBuffers ? WithLoadOrdering(sim, action, f) : f;
    }

    private static Footprint OfAction(Simulator sim, int action)
    {
        int cpu = Actions.Cpu(action);
        switch (Actions.Kind(action))
        {
            case Actions.TakeInterrupt: return new(cpu, FootprintKind.TakeInterrupt, 0, 0, 0, null);
            case Actions.TakePreemptWork:
            {
                var q = sim.Cpus[cpu].PreemptEnablers;
                ulong enabler = q.Count > 0 && q.Peek() >= 0 ? (ulong)q.Peek() : ulong.MaxValue;
                return new(cpu, FootprintKind.TakePreempt, enabler, 0, 0, null);
            }
            case Actions.RunOpAlternative:
                switch (sim.SecondActionOf(sim.Cpus[cpu]))
                {
                    // A drain of a store by VA writes the physical word its walk gave when it was issued: a VA write whose
                    // word is known (DataStoreBuffers.ByVa.cs); its VA keeps it dependent with TLB maintenance of that VA.
                    case SecondAction.DrainByVa:
                        return new(cpu, FootprintKind.VaWrite, sim.DataBuffer.FrontVa(cpu), 0, 0, null)
                        {
                            Pa = sim.DataBuffer.FrontWord(cpu), Drain = true, IssuedAt = sim.DataBuffer.FrontStep(cpu), CurrentEpoch = sim.DataBuffer.FrontInCurrentEpoch(cpu),
                        };
                    // A drain of the CPU's oldest buffered store writes its word (kernel globals: no VA aliases them).
                    case SecondAction.DrainWord:
                        return new(cpu, FootprintKind.PhysWrite, sim.DataBuffer.FrontWord(cpu), 0, 0, null)
                        {
                            Aliased = false, Drain = true, IssuedAt = sim.DataBuffer.FrontStep(cpu), CurrentEpoch = sim.DataBuffer.FrontInCurrentEpoch(cpu),
                        };
                    // A frame store's drain writes a whole page (struct pages a VA maps, or a PTE table walkers may reach),
                    // and an access whose walks see every descriptor store changes what every CPU's walkers see: both are
                    // dependent with everything (FootprintDrains.cs keeps the frame's drain ordered with its own CPU too).
                    case SecondAction.DrainFrame:
                        var (frame, src) = sim.DataBuffer.FrontFrame(cpu);
                        return new(cpu, FootprintKind.Bulk, 0, 0, 0, null) { Drain = true, FrameLo = frame, FrameHi = frame + sim.Arch.Granule.PageSize, FrameSrc = src };
                    case SecondAction.NewestWalk: return new(cpu, FootprintKind.Preempt, 0, 0, ulong.MaxValue, null);
                }
                // Otherwise the alternative runs the pending op (a ChooseOne is Local, a store passing others its store).
                break;
        }
        if (sim.PendingOpOf(action) is not { } op) return new(cpu, FootprintKind.Preempt, 0, 0, 0, null);
        var arch = sim.Arch;
        switch (op.Kind)
        {
            case OpKind.Mem:
            {
                ulong pa = PaOf(sim, op.Mem.Va);
                // Arm data model: a store by VA to a word that is not a descriptor only translates and enters its CPU's
                // buffer (its drain writes memory): to other CPUs it is a translation of the VA, like a load's.
                if (op.Mem.Kind == AccessKind.Read || (op.Mem.Kind == AccessKind.Write && pa != ulong.MaxValue && sim.DataBuffer.BuffersByVa(pa)))
                    return new(cpu, FootprintKind.VaRead, op.Mem.Va & ~7UL, 0, 0, null) { Pa = pa };
                // A store through a VA that maps a page table (litmus tests write PTE(x) this way) is a descriptor
                // write: it changes the translation of the VA range the descriptor maps.
                if (pa != ulong.MaxValue && arch.Tables.TryLocateDescriptor(pa, out int dl, out ulong dva))
                    return new(cpu, FootprintKind.VaWrite, op.Mem.Va & ~7UL, dva, dva + arch.Granule.LevelSize(dl), null) { Pa = pa };
                return new(cpu, FootprintKind.VaWrite, op.Mem.Va & ~7UL, 0, pa == ulong.MaxValue ? ulong.MaxValue : 0, null) { Pa = pa };
            }
            case OpKind.MemPhys:
            {
                ulong pa = op.Mem.Va & ~7UL;
                // Page tables and kernel globals are never mapped by a VA the model accesses (a PTE mapping a table
                // page is itself a page_table_check violation), so VA writes cannot alias them: Aliased = false.
                bool isTable = arch.Tables.IsTable(pa);
                bool privateData = isTable || (sim.Guest?.IsPrivateKernelData(pa) ?? false);
                if (op.Mem.Kind == AccessKind.Read) return new(cpu, FootprintKind.PhysRead, pa, 0, 0, null) { Aliased = !privateData };
                // The value-based rules (blind adds, dec-and-test acks, rendezvous acks; engine.md 7-9) hold under the
                // Arm data model for words without messages (FootprintValueRules.cs, engine.md item 15).
                bool valueRules = ValueRulesHold(sim, pa);
                bool add = valueRules && op.Mem.Kind == AccessKind.Rmw && op.Mem.Rmw == RmwOp.Add && op.Mem.Size == 8;
                bool zeroTest = add && op.Result == RmwResult.IsZero;
                if (arch.Tables.TryLocateDescriptor(pa, out int level, out ulong va))
                    return new(cpu, FootprintKind.PhysWrite, pa, va, va + arch.Granule.LevelSize(level), null) { Aliased = false };
                if (op.RendezvousAck && valueRules)
                    return new(cpu, FootprintKind.PhysWrite, pa, 0UL, privateData ? 0UL : ulong.MaxValue, null)
                    {
                        Aliased = !privateData, Rendezvous = true, AlsoWrites = op.StatePa & ~7UL,
                        CurrentState = op.CurrentState, NextState = op.NextState,
                    };
                // A data write that is not kernel-private data might be what some VA maps: affect every VA.
                return new(cpu, FootprintKind.PhysWrite, pa, 0UL, privateData ? 0UL : ulong.MaxValue, null) {
                    Aliased = !privateData, Blind = add && op.Result == RmwResult.None,
                    ZeroTest = zeroTest, Delta = zeroTest ? op.Mem.Value : 0, Seen = zeroTest ? RmwReads(sim, cpu, pa) : 0,
                };
            }
            case OpKind.Tlbi:
            {
                var t = op.Tlbi;
                if (t.IsAll()) return new(cpu, FootprintKind.Tlbi, 0, 0, ulong.MaxValue, null);
                ulong lo = op.TlbiVa & ~(arch.Granule.PageSize - 1);
                ulong pages = t.IsRange() ? Math.Max(1, op.TlbiPages) : 1;
                return new(cpu, FootprintKind.Tlbi, 0, lo, lo + pages * arch.Granule.PageSize, null);
            }
            case OpKind.Barrier:
            {
                var b = op.Barrier;
                bool dsb = b is BarrierKind.DsbIsh or BarrierKind.DsbIshSt or BarrierKind.DsbSy;
                bool pending = arch.PendingTlbiCount(cpu) > 0 || arch.Stores.Pending(cpu).Count > 0;
                if (!dsb || !pending) return new(cpu, FootprintKind.Local, 0, 0, ulong.MaxValue, null);
                // Only translations of the VAs its pending maintenance covers can change (engine.md item 13).
                var (lo, hi) = arch.PendingMaintenanceRange(cpu, completesTlbis: b != BarrierKind.DsbIshSt);
                return new(cpu, FootprintKind.DsbPending, 0, lo, hi, null);
            }
            case OpKind.WaitPhys:
            {
                ulong pa = op.WaitPa & ~7UL;
                bool priv = arch.Tables.IsTable(pa) || (sim.Guest?.IsPrivateKernelData(pa) ?? false);
                return new(cpu, FootprintKind.PhysRead, pa, 0, 0, null)
                {
                    Aliased = !priv, IsWait = true, WaitValue = op.WaitValue, WaitNotEqual = op.WaitNotEqual,
                };
            }
            case OpKind.Relax:
            {
                var c = sim.Cpus[cpu];
                return new(cpu, FootprintKind.Relax, 0, 0, 0, c.ReadOverflow ? null : c.ReadSet.AsSpan(0, c.ReadCount).ToArray());
            }
            // Arm data model: a frame store only enters its CPU's buffer (a copy reads its source when it drains).
            case OpKind.Bulk when op.FrameWords > 0 && sim.HasStoreBuffers: return new(cpu, FootprintKind.Local, 0, 0, 0, null);
            case OpKind.Bulk: return new(cpu, FootprintKind.Bulk, 0, op.BulkVaLo, op.BulkVaHi, null);
            case OpKind.Wfe or OpKind.Sev: return new(cpu, FootprintKind.Event, 0, 0, 0, null);
            case OpKind.SendSgi: return new(cpu, FootprintKind.SendSgi, TargetsWithNothingPending(sim, op.SgiTargets), 0, 0, null);
            default: return new(cpu, FootprintKind.Local, 0, 0, 0, null);
        }
    }

    /// <summary>For an SGI send: the targets (CPUs 0–63) with nothing pending, for which the send enables the take
    /// (<see cref="Footprint.EnablesTake"/>).</summary>
    private static ulong TargetsWithNothingPending(Simulator sim, CpuMask targets)
    {
        ulong fresh = 0;
        for (int t = 0; t < Math.Min(64, sim.Cpus.Length); t++)
            if (targets.Has(t) && !sim.Gic.AnyPending(t)) fresh |= 1UL << t;
        return fresh;
    }

    /// <summary>For VA accesses: the physical word the VA maps now, or ulong.MaxValue when that is not certain (the
    /// walk faults, or some CPU's TLB still holds a different translation for it).</summary>
    private static ulong PaOf(Simulator sim, ulong va)
    {
        var arch = sim.Arch;
        var w = arch.Translate(va);
        if (w.Fault != FaultKind.None || sim.Guest?.TranslationMayVary(va) == true) return ulong.MaxValue;
        for (int c = 0; c < arch.Cpus; c++)
        {
            int n = arch.TlbOf(c).LookupLeaves(va, out var first, out _);
            if (n > 1 || (n == 1 && first.Descriptor != w.Leaf)) return ulong.MaxValue;
        }
        return w.Pa & ~7UL;
    }

    /// <summary>For a write to a data word (SC data model): the value before it, for the race walk of waits
    /// (FootprintWaits.cs, docs/engine.md item 14).</summary>
    private static Footprint WithWordBefore(Simulator sim, int action, Footprint f)
    {
        if (f.Kind != FootprintKind.PhysWrite || f.Drain || f.Rendezvous || sim.HasStoreBuffers || sim.Arch.Tables.IsTable(f.Addr)) return f;
        ulong added = f.Blind && sim.PendingOpOf(action) is { } op ? op.Mem.Value : 0;
        return f with { Before = sim.Arch.ReadPhys(f.Addr), HasBefore = true, Added = added };
    }

    /// <summary>Arm data model: whether the action is an ordering point of its CPU's loads or makes a store to a kernel
    /// global with messages reach memory (FootprintDrains.cs).</summary>
    private static Footprint WithLoadOrdering(Simulator sim, int action, Footprint f)
    {
        int cpu = Actions.Cpu(action), kind = Actions.Kind(action);
        bool ordering = sim.IsLoadOrderingPoint(cpu, kind), store = sim.StoresKernelGlobal(cpu, kind);
        return ordering || store ? f with { LoadOrdering = ordering, GlobalStore = store } : f;
    }
}
