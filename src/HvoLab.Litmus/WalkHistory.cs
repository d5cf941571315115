using HvoLab.Arch;
using HvoLab.Engine;

namespace HvoLab.Litmus;

/// <summary>
/// For one execution of a litmus test: every value each location's last-level descriptor has had for the table
/// walkers, numbered by an epoch that grows with each change, and per CPU the epoch before which its walks cannot
/// have been made (its translation horizon).
///
/// Why: a translation table walk for an instruction is not ordered with the accesses of earlier instructions, or
/// with an earlier DSB, unless FEAT_ETS2 applies (herd's aarch64 VMSA model orders an implicit TTD read only after
/// a context synchronisation event — "[CSE]; po" —, its address dependencies, and TLBI completion; DSB-ob excludes
/// implicit reads without ETS2). So a walk may have been made at any point since this CPU's last context synchronisation
/// event (ISB, exception entry or return; for an ISB, since the latest effect ordered before it, <see cref="IsbOrdering"/>)
/// or since its address was known, and read the descriptor as it was then (arm-arch.md §4: "a translation for a later
/// instruction may already have been done speculatively ... and recorded as faulting; an ISB discards it"; Linux
/// commit 42f91093b043 on spurious kernel translation faults). A broadcast TLBI from another CPU that has completed
/// also bounds it: the access of a translation made before that TLBI must complete before the issuer's DSB does
/// (herd TLBI-ob, "tr-ib^-1; TTD-read-ordered-before &amp; ext"; ESOP22 obtlbi), so once the DSB has run, older
/// translations are out. A CPU's own TLBI does not bound its own later walks without an ISB (herd's coRR-pte6 is
/// Allowed).
///
/// It observes the machine after every engine operation (<see cref="IMonitor"/>) and when a litmus thread asks.
/// </summary>
internal sealed class WalkHistory : IMonitor
{
    private readonly ArchMachine _arch;
    private readonly ulong[] _descPa;
    private readonly ulong[] _va;
    private readonly List<(long Epoch, ulong Value)>[] _log;
    private readonly long[] _cse;
    private readonly List<(long Epoch, ulong Lo, ulong Hi)>[] _remoteTlbi;
    private readonly List<(ulong Lo, ulong Hi)>[] _issued;

    public WalkHistory(ArchMachine arch, LitmusMachine binding)
    {
        _arch = arch;
        var symbols = binding.Symbols;
        _descPa = symbols.Select(binding.PtePhysicalAddress).ToArray();
        _va = symbols.Select(binding.VirtualAddress).ToArray();
        _log = new List<(long, ulong)>[symbols.Count];
        for (var k = 0; k < _log.Length; k++) _log[k] = [(0, arch.Walker.ReadDescriptor(_descPa[k]))];
        _cse = new long[arch.Cpus];
        _remoteTlbi = new List<(long, ulong, ulong)>[arch.Cpus];
        _issued = new List<(ulong, ulong)>[arch.Cpus];
        for (var c = 0; c < arch.Cpus; c++) { _remoteTlbi[c] = []; _issued[c] = []; }
    }

    /// <summary>Number of descriptor changes walkers have seen so far.</summary>
    public long Epoch { get; private set; }

    /// <summary>Records any descriptor value the walkers see now that differs from the last one recorded.</summary>
    public void Sync()
    {
        for (var k = 0; k < _descPa.Length; k++)
        {
            var v = _arch.Walker.ReadDescriptor(_descPa[k]);
            if (v != _log[k][^1].Value) _log[k].Add((++Epoch, v));
        }
    }

    public void AfterOp(Simulator sim, Cpu cpu, in PendingOp op)
    {
        Sync();
        if (op.Kind == OpKind.Tlbi) Issued(cpu.Id, op.Tlbi, op.TlbiVa, op.TlbiPages);
        else if (op.Kind == OpKind.Barrier && op.Barrier is BarrierKind.DsbIsh or BarrierKind.DsbSy) Completed(cpu.Id);
    }

    /// <summary>A context synchronisation event on <paramref name="cpu"/> (ISB, exception entry or return): its later
    /// walks are made after it, so after <paramref name="orderedFrom"/>, the epoch of the latest effect ordered before
    /// it (<see cref="IsbOrdering"/>); null for "everything so far".</summary>
    public void SynchronizeContext(int cpu, long? orderedFrom = null)
    {
        Sync();
        _cse[cpu] = Math.Max(_cse[cpu], orderedFrom ?? Epoch);
    }

    // The machine's TLBI semantics (ArchMachine.Tlbi): broadcast forms complete on every CPU at the issuer's DSB ISH/SY;
    // a range form without FEAT_TLBIRANGE does nothing; ASIDE1IS removes only non-global entries, which litmus
    // descriptors are not.
    private void Issued(int cpu, TlbiOp op, ulong va, ulong pages)
    {
        if (!op.IsBroadcast() || op == TlbiOp.ASIDE1IS || (op.IsRange() && !_arch.Config.TlbiRange)) return;
        if (op.IsAll()) { _issued[cpu].Add((0, ulong.MaxValue)); return; }
        var lo = va & ~(LitmusMachine.PageSize - 1);
        _issued[cpu].Add((lo, lo + (op.IsRange() ? Math.Max(1, pages) : 1) * LitmusMachine.PageSize));
    }

    private void Completed(int issuer)
    {
        foreach (var (lo, hi) in _issued[issuer])
            for (var c = 0; c < _remoteTlbi.Length; c++)
                if (c != issuer) _remoteTlbi[c].Add((Epoch, lo, hi));
        _issued[issuer].Clear();
    }

    /// <summary>The earliest epoch at which <paramref name="cpu"/> may have walked for <paramref name="va"/>, given
    /// that its address was known from <paramref name="addressReady"/> on.</summary>
    public long Horizon(int cpu, ulong va, long addressReady)
    {
        var h = Math.Max(_cse[cpu], addressReady);
        foreach (var (epoch, lo, hi) in _remoteTlbi[cpu])
            if (va >= lo && va < hi && epoch > h) h = epoch;
        return h;
    }

    /// <summary>Index of the location whose data page <paramref name="va"/> is in, or -1.</summary>
    public int LocationOf(ulong va)
    {
        for (var k = 0; k < _va.Length; k++)
            if (va >= _va[k] && va < _va[k] + LitmusMachine.PageSize) return k;
        return -1;
    }

    /// <summary>The descriptor values of location <paramref name="k"/> that a walk made at or after epoch
    /// <paramref name="horizon"/> could have read, oldest first (the last one is what walkers see now).</summary>
    public IEnumerable<ulong> ValuesSince(int k, long horizon)
    {
        var log = _log[k];
        var first = 0;
        for (var i = 1; i < log.Count && log[i].Epoch <= horizon; i++) first = i;
        for (var i = first; i < log.Count; i++) yield return log[i].Value;
    }

    /// <summary>Whether the descriptor mapping <paramref name="va"/> has had more than one value for the walkers.</summary>
    public bool HasChanged(ulong va)
    {
        var k = LocationOf(va);
        return k >= 0 && _log[k].Count > 1;
    }

    /// <summary>Whether the walkers have seen valid descriptors with more than one output address for
    /// <paramref name="va"/>: then an access to it may reach more than one physical page (a walk that faults reaches
    /// none), and the search must not assume its physical address.</summary>
    public bool MayReachSeveralPages(ulong va)
    {
        var k = LocationOf(va);
        if (k < 0 || _log[k].Count < 2) return false;
        ulong? oa = null;
        foreach (var (_, value) in _log[k])
        {
            if ((value & DescBits.Valid) == 0) continue;
            var o = value & DescBits.AddressMask(12);
            if (oa is null) oa = o;
            else if (oa != o) return true;
        }
        return false;
    }
}
