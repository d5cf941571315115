namespace HvoLab.Arch;

/// <summary>TLB maintenance and barriers (arm-arch.md §3.1–3.2).</summary>
public sealed partial class ArchMachine
{
    /// <summary>An old translation a TLBI cannot keep out: its descriptor store was still pending (not made
    /// visible by the writer's DSB) when the TLBI was issued, so a walker may refill from the old value.</summary>
    private readonly record struct Refill(ulong Descriptor, int Level, ulong Va, ulong DescPa, bool NoWrite, bool Pxn);

    private readonly record struct PendingTlbi(TlbiOp Op, ulong Va, ulong Pages, List<Refill>? Refills);

    private readonly List<PendingTlbi>[] _pendingTlbi;

    /// <summary>TLBIs issued by <paramref name="cpu"/> that its next DSB ISH/SY will complete.</summary>
    public int PendingTlbiCount(int cpu) => _pendingTlbi[cpu].Count;

    /// <summary>Issue a TLB maintenance operation. Broadcast forms complete on other CPUs only at the issuer's next
    /// DSB ISH/SY. For range forms <paramref name="pages"/> gives the page count from <paramref name="va"/>.
    /// Local forms also complete at the issuer's DSB (ARM ARM: TLBI completion is only guaranteed by a DSB).
    /// ASIDE1IS removes non-global (nG) entries only: the model has no ASIDs, and kernel mappings are global, so it
    /// removes nothing the kernel tables produce.</summary>
    public void Tlbi(int cpu, TlbiOp op, ulong va = 0, ulong pages = 1)
    {
        if (op.IsRange() && !Config.TlbiRange)
        {
            Oracle.Report(BbmOracle.KindTlbiRange, cpu, va, 0, 0, 0,
                "TLBI range without FEAT_TLBIRANGE: RVA* TLBI needs FEAT_TLBIRANGE (ARMv8.4, ID_AA64ISAR0_EL1.TLB); the operation had no effect");
            return;
        }
        ulong start = va & ~(Granule.PageSize - 1);
        ulong count = op.IsRange() ? Math.Max(1, pages) : 1;
        List<Refill>? refills = null;
        if (Config.FillPolicy == TlbFillPolicy.Adversarial && Stores.PendingCount > 0)
            refills = CollectRefills(op, start, start + count * Granule.PageSize);
        _pendingTlbi[cpu].Add(new PendingTlbi(op, start, count, refills));
    }

    /// <summary>The VA range [Lo, Hi) in which a DSB of <paramref name="cpu"/> may change a translation now: the ranges
    /// of the descriptors whose stores it publishes and, when it completes TLB maintenance
    /// (<paramref name="completesTlbis"/>: DSB ISH/SY), the ranges of its pending TLBIs and of the old translations they
    /// refill. (0, ulong.MaxValue) when that is not known (a TLBI of everything, errata that let accesses land late).</summary>
    public (ulong Lo, ulong Hi) PendingMaintenanceRange(int cpu, bool completesTlbis)
    {
        const ulong all = ulong.MaxValue;
        ulong lo = all, hi = 0;
        void Cover(ulong a, ulong b) { lo = Math.Min(lo, a); hi = Math.Max(hi, b); }
        foreach (var s in Stores.Pending(cpu))
        {
            if (!Tables.TryLocateDescriptor(s.Pa, out int level, out ulong dva)) return (0, all);
            Cover(dva, dva + Granule.LevelSize(level));
        }
        if (!completesTlbis) return hi > lo ? (lo, hi) : (0, 0);
        if (Config.Errata != ArchErrata.None && _pendingTlbi[cpu].Count > 0) return (0, all);
        foreach (var t in _pendingTlbi[cpu])
        {
            if (t.Op.IsAll() || t.Op == TlbiOp.ASIDE1IS) return (0, all);
            Cover(t.Va, t.Va + t.Pages * Granule.PageSize);
            if (t.Refills is null) continue;
            foreach (var r in t.Refills) Cover(r.Va, r.Va + Granule.LevelSize(r.Level));
        }
        return hi > lo ? (lo, hi) : (0, 0);
    }

    private List<Refill>? CollectRefills(TlbiOp op, ulong start, ulong end)
    {
        List<Refill>? list = null;
        for (int c = 0; c < Cpus; c++)
        {
            foreach (var s in Stores.Pending(c))
            {
                if (!Tables.TryLocateDescriptor(s.Pa, out int level, out ulong dva)) continue;
                if (!BbmRules.Cacheable(s.OldValue, Granule, level)) continue;
                bool isTable = new Descriptor(s.OldValue).Kind(Granule, level) == DescriptorKind.Table;
                if (isTable && op.LastLevelOnly()) continue; // it was never removed in the first place
                ulong size = Granule.LevelSize(level);
                if (!op.IsAll() && op != TlbiOp.ASIDE1IS && !(dva < end && start < dva + size)) continue;
                if (!Mmu.TryLocateLive(s.Pa, level, dva, out bool noWrite, out bool pxn)) continue;
                (list ??= new()).Add(new Refill(s.OldValue, level, dva, s.Pa, noWrite, pxn));
            }
        }
        return list;
    }

    /// <summary>Execute a barrier on <paramref name="cpu"/>. Any DSB publishes this CPU's descriptor stores to
    /// walkers; DSB ISH/SY then completes this CPU's earlier TLBIs on every target CPU. DMBs order memory but have
    /// no effect on walker visibility or TLBI completion here. ISB has no TLB effect in this model: it matters for
    /// instruction fetch and for this PE's context synchronisation, which the model does not simulate
    /// (see docs/arch.md).</summary>
    public void Barrier(int cpu, BarrierKind kind)
    {
        switch (kind)
        {
            case BarrierKind.DsbIshSt:
                Stores.Publish(cpu, includeHardware: false);
                break;
            case BarrierKind.DsbIsh:
            case BarrierKind.DsbSy:
                Stores.Publish(cpu);
                _inFlight.CompleteOwn(cpu);
                CompleteTlbis(cpu);
                break;
        }
    }

    private void CompleteTlbis(int cpu)
    {
        var list = _pendingTlbi[cpu];
        if (Config.Errata != ArchErrata.None && list.Exists(t => t.Op.IsBroadcast()))
            _inFlight.OnBroadcastCompleted(cpu, va => list.Exists(t => t.Op.IsBroadcast() && Covers(t, va)));
        foreach (var t in list)
        {
            if (t.Op.IsBroadcast())
            {
                // The shared fills go for every CPU at once; then each CPU's own entries.
                SharedFills.InvalidateForAll(t.Op, t.Va, t.Pages);
                if (t.Refills != null) { for (int c = 0; c < Cpus; c++) Apply(c, t, privateOnly: true); continue; }
                // Without refills only CPUs holding entries of their own have anything to do (Apply skips the
                // others): visit those, in the same ascending order, instead of all 256 TLBs per broadcast.
                var holders = SharedFills.CpusWithPrivate;
                for (int c = holders.Next(0); c >= 0 && c < Cpus; c = c + 1 < CpuMask.MaxCpus ? holders.Next(c + 1) : -1)
                    Apply(c, t, privateOnly: true);
            }
            else Apply(cpu, t, privateOnly: false);
        }
        list.Clear();
    }

    private bool Covers(in PendingTlbi t, ulong va)
    {
        if (t.Op.IsAll() || t.Op == TlbiOp.ASIDE1IS) return true;
        ulong page = va & ~(Granule.PageSize - 1);
        return page >= t.Va && page < t.Va + t.Pages * Granule.PageSize;
    }

    /// <summary>Accesses that may still land although a completed broadcast TLBI;DSB removed their translation
    /// (TLBI-completion errata, <see cref="ArchErrata"/>); empty on a machine without them.</summary>
    public IReadOnlyList<LateAccess> LateAccesses => _inFlight.Late;

    private readonly InFlightAccesses _inFlight;

    private void Apply(int target, in PendingTlbi t, bool privateOnly)
    {
        var tlb = _tlbs[target];
        // A broadcast reaches every CPU; one with nothing of its own cached and nothing to refill has nothing to do.
        if (t.Refills == null && privateOnly && tlb.HasNoPrivateEntries) return;
        bool leafOnly = t.Op.LastLevelOnly();
        if (t.Op.IsAll()) tlb.InvalidateAll(privateOnly);
        else if (t.Op == TlbiOp.ASIDE1IS) tlb.InvalidateNonGlobal(privateOnly);
        else if (t.Op.IsRange()) tlb.InvalidateRange(t.Va, t.Va + t.Pages * Granule.PageSize, leafOnly, privateOnly);
        else tlb.InvalidateVa(t.Va, leafOnly, privateOnly);
        if (t.Refills == null) return;
        foreach (var r in t.Refills) Mmu.AddTranslation(target, r.Descriptor, r.Level, r.Va, r.DescPa, r.NoWrite, r.Pxn);
    }
}
