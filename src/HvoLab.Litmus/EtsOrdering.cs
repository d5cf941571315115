using HvoLab.Arch;
using HvoLab.Engine;

namespace HvoLab.Litmus;

/// <summary>
/// FEAT_ETS2 and FEAT_ETS3 (<c>Variant=ets2</c> / <c>ets3</c>): the orderings of translation table walks that the
/// features add, for one litmus thread. Without them a walk is ordered only after context synchronisation, its address
/// dependencies and TLBI completion (<see cref="WalkHistory"/>), so a walk made early, before the accesses and the DSB
/// that precede its instruction, may give a "spurious" fault (arm-arch.md §4 "FEAT_ETS"). herdtools7's
/// <c>herd/libdir/aarch64hwreqs.cat</c> defines the features (the Arm ARM states them in its FEAT_ETS2/FEAT_ETS3
/// descriptions of ordering of translation table walks, D8.2):
/// <list type="bullet">
/// <item><b>DSB orders later walks</b> (ETS2 and ETS3; DSB-ob: "[M | DC.CVAU | IC | TLBI]; po; [dsb.full]; po;
/// [Imp &amp; TTD &amp; M]", "[(Exp &amp; R) \ NoRet]; po; [dsb.ld]; po; [Imp &amp; TTD &amp; M]", "[Exp &amp; W]; po;
/// [dsb.st]; po; [Imp &amp; TTD &amp; M]"): every walk after a DSB is made after the effects the DSB orders, as after an
/// ISB (<see cref="IsbOrdering"/>), a full DSB also after this CPU's earlier TLBIs (their invalidation is then complete
/// for its own walks too, without an ISB).</item>
/// <item><b>Earlier accesses order a faulting walk</b> (ets-ob): with ETS2 the walk that gives a Translation or Access
/// flag fault (herd's TLBUncacheable) is ordered after every explicit access earlier in program order ("[Exp &amp; M];
/// po; [TLBUncacheable &amp; FAULT]; tr-ib^-1; [Imp &amp; TTD &amp; R]"); with ETS3 that holds for every MMU fault,
/// Permission faults included ("[Exp &amp; M]; po; [MMU &amp; FAULT]; tr-ib^-1; [Imp &amp; TTD &amp; R]").</item>
/// </list>
/// In the binding's epochs: a Translation or Access flag fault may come only from a descriptor value walkers saw at or
/// after the step of the thread's latest explicit access (a TLBUncacheable walk is coherence-before every write it does
/// not see, herd TLBuncacheable-ca, so it cannot read a value overwritten before that access); every ordered fault
/// counts the remote TLBIs that completed by then (herd TLBI-ob through ets-ob). A Permission fault (ETS3) keeps
/// reading older values otherwise, as herd has no coherence edge from a permission-faulting walk. Taking the step of
/// the access as the walk's earliest point is stricter than herd where the overwriting write is not ordered before
/// the access (docs/litmus.md, "FEAT_ETS2 and FEAT_ETS3").
/// </summary>
internal sealed class EtsOrdering
{
    private readonly int _level;
    private long _lastTlbi;

    private EtsOrdering(int level) => _level = level;

    public static EtsOrdering Of(LitmusTest test) =>
        new(test.Variants.Contains("ets3") ? 3 : test.Variants.Contains("ets2") ? 2 : 0);

    public bool Enabled => _level != 0;

    /// <summary>This CPU executed a TLBI at <paramref name="epoch"/>.</summary>
    public void AfterTlbi(long epoch) => _lastTlbi = Math.Max(_lastTlbi, epoch);

    /// <summary>After a DSB of <paramref name="types"/> ("" for all, "LD", "ST"): the epoch this CPU's later walks are
    /// made after, given <paramref name="orderedByDsbs"/>, the epoch of the latest effect the DSBs so far order
    /// (<see cref="IsbOrdering.FromBarriers"/>); null without the features.</summary>
    public long? WalkBoundAfterDsb(string types, long orderedByDsbs) =>
        !Enabled ? null : types == "" ? Math.Max(orderedByDsbs, _lastTlbi) : orderedByDsbs;

    /// <summary>Whether earlier explicit accesses order the walk that gives <paramref name="fault"/>.</summary>
    public bool Orders(LitmusFaultKind fault) => fault switch
    {
        LitmusFaultKind.Translation or LitmusFaultKind.AccessFlag => _level >= 2,
        LitmusFaultKind.Permission => _level >= 3,
        _ => false,
    };

    /// <summary>
    /// Whether the access may take <paramref name="fault"/> given the orderings above: some
    /// translation made no earlier than they allow gives it. <paramref name="lastAccess"/> is the epoch of the
    /// thread's latest explicit access (for a descriptor store: when walkers saw it); <paramref name="horizonWithTlbisUpTo"/>
    /// the thread's walk horizon counting the remote TLBIs completed by the given epoch.
    /// </summary>
    public bool Allows(LitmusFaultKind fault, long lastAccess, Func<long, long> horizonWithTlbisUpTo,
        Func<long, List<TranslationOutcome>> candidatesSince)
    {
        if (!Orders(fault)) return true;
        var horizon = horizonWithTlbisUpTo(lastAccess);
        if (fault != LitmusFaultKind.Permission) horizon = Math.Max(horizon, lastAccess);
        return candidatesSince(horizon).Contains(TranslationOutcome.Faulted(fault));
    }

    /// <summary>Before an access to <paramref name="va"/>: with the features, the walk of a fault is ordered after this
    /// CPU's earlier stores to the descriptor that maps it, so they must be visible to it; the binding's walkers see no
    /// store before it is visible to all (no forwarding to the writer's own walks), so the pending ones are made visible
    /// now, in a step ordered against every access (always allowed: a store may become visible at any time). Returns the
    /// epoch from which walkers see them (the thread's latest write for the orderings above), or null if none was
    /// pending.</summary>
    public async SimTask<long?> PublishOwnStores(Cpu cpu, LitmusMachine binding, WalkHistory history, ulong va)
    {
        if (!Enabled || binding.Describe(va) is not MemoryLocation m) return null;
        var pa = binding.PtePhysicalAddress(m.Symbol);
        var arch = cpu.Sim.Arch;
        if (!arch.Stores.Pending(cpu.Id).Any(s => !s.Hardware && s.Pa == pa)) return null;
        await cpu.Bulk(0);
        arch.Stores.PublishOwn(cpu.Id, pa);
        history.Sync();
        return history.Epoch;
    }
}
