namespace HvoLab.Arch;

/// <summary>A data access that may still be in flight after the translation it used was invalidated.</summary>
public readonly record struct LateAccess(int Cpu, ulong Va, ulong Pa, bool Store, int Issuer);

/// <summary>
/// The TLBI-completion errata as machine behaviour (hvo-2026-arm64.md §5.2–5.3, §8 item 5). Architecturally a
/// completed broadcast TLBI;DSB also waits for the accesses translated by the removed entries (arm-arch.md §3.2,
/// "obtlbi"). With ARM64_ERRATUM_4118414 it may not wait for stores, with Cortex-A76 1286807 not for loads: those
/// accesses become <see cref="LateAccess"/>es that may still land, until the issuer completes one more broadcast
/// TLBI;DSB (the workaround drains them). Each CPU keeps its last few accesses made through a translation since its
/// own last DSB (a bounded queue: older ones are taken as complete); a CPU's DSB completes its own.
/// </summary>
internal sealed class InFlightAccesses
{
    private const int Depth = 4;
    private readonly record struct Recent(ulong Va, ulong Pa, bool Store);

    private readonly List<Recent>[] _recent;
    private readonly List<LateAccess> _late = new();

    public InFlightAccesses(int cpus)
    {
        _recent = new List<Recent>[cpus];
        for (int i = 0; i < cpus; i++) _recent[i] = new List<Recent>(Depth);
    }

    public IReadOnlyList<LateAccess> Late => _late;

    public bool Enabled(ArchErrata errata, AccessKind kind) =>
        kind == AccessKind.Read ? (errata & ArchErrata.TlbiLoadCompletion1286807) != 0 : (errata & ArchErrata.TlbiStoreCompletion4118414) != 0;

    public void Record(int cpu, ulong va, ulong pa, bool store)
    {
        var list = _recent[cpu];
        if (list.Count == Depth) list.RemoveAt(0);
        list.Add(new Recent(va, pa, store));
    }

    /// <summary>The CPU's DSB: its own accesses have completed.</summary>
    public void CompleteOwn(int cpu) => _recent[cpu].Clear();

    /// <summary><paramref name="issuer"/> completed broadcast TLBIs: first the late accesses it left behind before
    /// land (the repeated TLBI;DSB drains them), then accesses of other CPUs through VAs in <paramref name="covered"/>
    /// become late.</summary>
    public void OnBroadcastCompleted(int issuer, Func<ulong, bool> covered)
    {
        _late.RemoveAll(l => l.Issuer == issuer);
        for (int c = 0; c < _recent.Length; c++)
        {
            if (c == issuer) continue;
            var list = _recent[c];
            for (int i = list.Count - 1; i >= 0; i--)
            {
                if (!covered(list[i].Va)) continue;
                _late.Add(new LateAccess(c, list[i].Va, list[i].Pa, list[i].Store, issuer));
                list.RemoveAt(i);
            }
        }
    }
}
