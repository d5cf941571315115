using HvoLab.Arch;

namespace HvoLab.Litmus;

/// <summary>What one translation gives an access: a fault, or the physical address to use.</summary>
internal readonly record struct TranslationOutcome(LitmusFaultKind? Fault, ulong Pa)
{
    public static TranslationOutcome Faulted(LitmusFaultKind kind) => new(kind, 0);
    public static TranslationOutcome To(ulong pa) => new(null, pa);
}

/// <summary>
/// The translations an access of a litmus thread may use, beyond the one <see cref="ArchMachine.Access"/> picks:
/// <list type="bullet">
/// <item>every leaf this CPU's TLB holds for the VA, and a walk of the tables now (a TLB may hold several entries
/// after a change without break-before-make; the access may use any of them, R_FVQCK, or a fresh walk, since TLB
/// entries may be evicted at any time);</item>
/// <item>a walk made earlier, at any epoch from the CPU's horizon on (<see cref="WalkHistory"/>), reading the
/// descriptor as it was then. If that value is invalid or has AF = 0 the walk faulted; such faulting walks are not
/// cached (herd's TLBUncacheable), but a walk made early for a later instruction may be used by it (without
/// FEAT_ETS2 a DSB does not order later walks; only a context synchronisation event does).</item>
/// </list>
/// With hardware flag updates (TCR.HA / TCR.HD) a walk that meets AF = 0 (or, for a write, DBM = 1 with AP[2] = 1)
/// updates the descriptor atomically instead of faulting; the update must work on the coherence-newest value
/// (herd: "[R &amp; PTE &amp; Imp]; rmw; [HU]" and the atomicity axiom), so an earlier walk cannot have made one over a
/// value that has since been overwritten: those values are not offered, and the current value's update is left to
/// the access itself.
/// </summary>
internal static class TranslationCandidates
{
    /// <summary>Outcomes of the TLB entries, a walk now and the descriptor values since <paramref name="horizon"/>, in
    /// that order, without duplicates.</summary>
    public static List<TranslationOutcome> For(ArchMachine arch, WalkHistory history, int cpu, ulong va, bool write,
        bool hardwareAf, bool hardwareDirty, long horizon)
    {
        history.Sync();
        var list = new List<TranslationOutcome>();
        var g = arch.Granule;
        int n = arch.TlbOf(cpu).LookupLeaves(va, out var first, out var second);
        for (var i = 0; i < n; i++)
        {
            var leaf = i == 0 ? first : second;
            var readOnly = leaf.TableNoWrite || (leaf.Descriptor & DescBits.RdOnly) != 0;
            if (write && readOnly && hardwareDirty && (leaf.Descriptor & DescBits.DBM) != 0) continue;
            Add(list, write && readOnly ? TranslationOutcome.Faulted(LitmusFaultKind.Permission) : TranslationOutcome.To(BbmRules.PaFor(leaf, va, g)));
        }
        var now = arch.Translate(va);
        var k = history.LocationOf(va);
        if (k < 0)
        {
            if (now.Ok && !(write && !now.Writable)) Add(list, TranslationOutcome.To(now.Pa));
            return list;
        }
        // Litmus locations are level-3 pages under fixed upper tables: only the last-level descriptor changes.
        foreach (var value in history.ValuesSince(k, horizon))
            if (OutcomeOf(value, va, write, now.TableNoWrite, hardwareAf, hardwareDirty, g) is { } o) Add(list, o);
        return list;
    }

    /// <summary>The distinct faults a write to <paramref name="va"/> would take from a descriptor value that walkers saw
    /// since <paramref name="horizon"/> but no longer see (the current value is the access's own business).</summary>
    public static List<LitmusFaultKind> EarlierFaults(ArchMachine arch, WalkHistory history, ulong va, bool hardwareAf,
        bool hardwareDirty, long horizon)
    {
        var faults = new List<LitmusFaultKind>();
        var k = history.LocationOf(va);
        if (k < 0) return faults;
        history.Sync();
        var values = history.ValuesSince(k, horizon).ToList();
        var tableNoWrite = arch.Translate(va).TableNoWrite;
        for (var i = 0; i < values.Count - 1; i++)
            if (OutcomeOf(values[i], va, true, tableNoWrite, hardwareAf, hardwareDirty, arch.Granule) is { Fault: { } f } && !faults.Contains(f))
                faults.Add(f);
        return faults;
    }

    private static TranslationOutcome? OutcomeOf(ulong value, ulong va, bool write, bool tableNoWrite, bool hardwareAf,
        bool hardwareDirty, Granule g)
    {
        var d = new Descriptor(value);
        if (d.Kind(g, 3) != DescriptorKind.Page) return TranslationOutcome.Faulted(LitmusFaultKind.Translation);
        if (!d.AF) return hardwareAf ? null : TranslationOutcome.Faulted(LitmusFaultKind.AccessFlag);
        var readOnly = tableNoWrite || (value & DescBits.RdOnly) != 0;
        if (write && readOnly)
            return hardwareDirty && (value & DescBits.DBM) != 0 ? null : TranslationOutcome.Faulted(LitmusFaultKind.Permission);
        return TranslationOutcome.To(d.OutputAddress(g, 3) | (va & (g.PageSize - 1)));
    }

    private static void Add(List<TranslationOutcome> list, TranslationOutcome o)
    {
        if (!list.Contains(o)) list.Add(o);
    }
}
