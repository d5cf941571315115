namespace HvoLab.Arch;

/// <summary>
/// Break-before-make oracle. It sees every store to a known translation-table frame (before memory changes) and
/// reports, as <see cref="BbmViolation"/>s:
/// <list type="bullet">
/// <item>"bbm": a live valid→valid change that needs BBM (<see cref="BbmRules.NeedsBbm"/>);</item>
/// <item>"make-while-stale": a new entry whose difference from a translation some CPU's TLB still holds from this
/// location needs BBM, i.e. the break was not followed by a completed TLBI (R_DDMVT sequence, arm-arch.md §2.2);
/// found from the reverse index, not by scanning TLBs;</item>
/// <item>"pgattr": Linux's pgattr_change_is_safe() lens, if <see cref="MachineConfig.LinuxPgattrLens"/>.</item>
/// </list>
/// It also maintains the table registry and realises the adversarial fill on overwrite (old translation joins
/// every CPU's TLB). TLB conflicts and FEAT_TLBIRANGE misuse are reported by <see cref="ArchMachine"/>.
/// </summary>
public sealed class BbmOracle
{
    public const string KindBbm = "bbm";
    public const string KindStale = "make-while-stale";
    public const string KindConflict = "tlb-conflict";
    public const string KindPgattr = "pgattr";
    public const string KindTlbiRange = "tlbi-range";

    private readonly ArchMachine _m;
    private readonly List<BbmViolation> _violations = new();

    internal BbmOracle(ArchMachine machine) { _m = machine; }

    public IReadOnlyList<BbmViolation> Violations => _violations;

    public void Report(string kind, int cpu, ulong va, ulong descPa, ulong oldDesc, ulong newDesc, string rule)
    {
        Total++;
        if (_violations.Count < MaxKept) _violations.Add(new BbmViolation(kind, cpu, va, descPa, oldDesc, newDesc, rule, _m.Now));
    }

    /// <summary>Reports kept with their details; later ones are only counted in <see cref="Total"/> (a run timed past
    /// its violations makes millions).</summary>
    public const int MaxKept = 1000;
    /// <summary>Every report so far, kept or not.</summary>
    public long Total { get; private set; }

    /// <summary>Called for a store that changes the descriptor at <paramref name="descPa"/> (level, VA from the
    /// registry) from <paramref name="oldValue"/> (latest in coherence order) to <paramref name="newValue"/>.</summary>
    internal void OnDescriptorWrite(int cpu, ulong descPa, int level, ulong va, ulong oldValue, ulong newValue)
    {
        var g = _m.Granule;
        var cfg = _m.Config;
        string? direct = BbmRules.NeedsBbm(oldValue, newValue, g, level, cfg.BbmLevel, _m.Memory);
        if (direct != null) Report(KindBbm, cpu, va, descPa, oldValue, newValue, direct);
        if (cfg.LinuxPgattrLens && BbmRules.PgattrUnsafeReason(oldValue, newValue, g) is { } why)
            Report(KindPgattr, cpu, va, descPa, oldValue, newValue, why);

        if (BbmRules.Cacheable(newValue, g, level)) CheckStale(cpu, descPa, level, va, oldValue, newValue, direct != null);

        var nd = new Descriptor(newValue);
        if (level < 3 && nd.Kind(g, level) == DescriptorKind.Table)
            _m.Tables.Register(nd.OutputAddress(g, level), va, level + 1);

        // Adversarial fill (arm-arch.md §3.3: speculative fills from any reachable, non-faulting entry at any time):
        // every CPU may hold the translation that the overwritten entry gave, until it completes a TLBI for it.
        if (cfg.FillPolicy == TlbFillPolicy.Adversarial && BbmRules.Cacheable(oldValue, g, level)
            && _m.Mmu.TryLocateLive(descPa, level, va, out bool noWrite, out bool pxn))
            _m.Mmu.AddTranslationEverywhere(oldValue, level, va, descPa, noWrite, pxn);
    }

    private void CheckStale(int cpu, ulong descPa, int level, ulong va, ulong oldValue, ulong newValue, bool directReported)
    {
        var holders = _m.HoldersOf(descPa, level, va);
        for (int c = holders.Next(0); c >= 0; c = holders.Next(c + 1))
        {
            int n = _m.TlbOf(c).FindByDescriptor(descPa, level, va, out ulong v1, out ulong v2);
            for (int i = 0; i < n; i++)
            {
                ulong cached = i == 0 ? v1 : v2;
                if (directReported && cached == oldValue) continue;
                string? rule = BbmRules.NeedsBbm(cached, newValue, _m.Granule, level, _m.Config.BbmLevel, _m.Memory);
                if (rule == null) continue;
                Report(KindStale, cpu, va, descPa, cached, newValue,
                    $"R_DDMVT (ARM ARM K.a D8.16.1): new entry written while CPU {c} may still hold a translation from the previous valid entry " +
                    $"(break not followed by a completed TLBI + DSB); {rule}");
                return;
            }
        }
    }
}
