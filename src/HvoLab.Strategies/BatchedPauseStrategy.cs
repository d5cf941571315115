using HvoLab.Arch;
using HvoLab.Engine;
using HvoLab.Kernel;

namespace HvoLab.Strategies;

/// <summary>
/// Ours: D's pause, but once per batch of folios and with nothing inside the window except page-table writes.
/// The generic code walks the batch as usual (splits, allocations, copies, synchronize_rcu all happen outside any
/// window); the PTE updates it asks for are deferred, and at the end of the batch they are applied in windows of at
/// most <see cref="MaxPtesPerPause"/> entries: interrupts off, pause every other CPU, then PSTATE.I set as well (so no
/// pseudo-NMI can run on the updater while entries are invalid — D leaves that open, seed-series.md D-13), clear the
/// entries, one TLB flush, re-copy each new head page from the old one (no update can be lost between the copy and
/// the switch), write the new entries, unmask, resume. PMD splits keep D's per-split pause. docs/strategies.md argues
/// its safety; the exhaustive search checks it.
/// </summary>
public sealed class BatchedPauseStrategy(int maxPtesPerPause = 512) : VmemmapArch
{
    private PauseRemoteCpus _pause = null!;
    private readonly List<PteUpdate>?[] _deferred = new List<PteUpdate>?[256];
    public override string Name => "ours";
    public int MaxPtesPerPause => maxPtesPerPause;
    public long Pauses => _pause.Pauses;
    public override VmemmapFlags ArchTlbFlushFlags => VmemmapFlags.SplitNoTlbFlush | VmemmapFlags.RemapNoTlbFlush;

    protected override void OnAttach()
    {
        _pause = new PauseRemoteCpus(Kernel, PauseIpi.PseudoNmi);
        Kernel.ConfigureIpiPriorities(Linux.IPI_CPU_STOP_NMI);
    }

    public override bool UpdateSupported(Linux linux) => linux.Config.PseudoNmi;
    public override string? Refusal(Linux linux) => linux.Config.PseudoNmi ? null
        : "pausing needs pseudo-NMI (irqchip.gicv3_pseudo_nmi=1), as for D";

    public override async SimTask<bool> HandleIpi(Cpu cpu, int ipi)
    {
        if (ipi != _pause.Ipi) return false;
        await _pause.PauseLocal(cpu);
        return true;
    }

    public override SimTask BatchStart(Cpu cpu)
    {
        _deferred[cpu.Id] = new List<PteUpdate>();
        return SimTask.CompletedTask;
    }

    public override async SimTask BatchEnd(Cpu cpu)
    {
        var list = _deferred[cpu.Id];
        _deferred[cpu.Id] = null;
        if (list is null) return;
        for (int i = 0; i < list.Count; i += maxPtesPerPause)
            await ApplyInWindow(cpu, list.GetRange(i, Math.Min(maxPtesPerPause, list.Count - i)));
    }

    public override async SimTask UpdatePteRange(Cpu cpu, ulong start, ulong end, IReadOnlyList<PteUpdate> updates)
    {
        if (_deferred[cpu.Id] is { } list) { list.AddRange(updates); return; }
        await ApplyInWindow(cpu, updates);     // a single-folio operation: one window for its range
    }

    private async SimTask ApplyInWindow(Cpu cpu, IReadOnlyList<PteUpdate> updates)
    {
        if (updates.Count == 0) return;
        var pt = Kernel.Pt;
        await cpu.LocalIrqDisable();
        await _pause.Pause(cpu);
        await cpu.DaifMask();
        foreach (var u in updates) await pt.PteClear(cpu, u.PtepPa);
        await FlushFor(cpu, updates);
        ulong lo = updates.Min(u => u.Va), hi = updates.Max(u => u.Va) + Kernel.Layout.PageSize;
        await cpu.Bulk(Kernel.Cost.Hardware.CopyPage4KNs, cpu.Sim.Label("copy_page"), lo, hi);   // re-copy the new head pages
        foreach (var u in updates)
        {
            bool headCopy = (u.OldPte & DescBits.RdOnly) == 0 && (u.NewPte & DescBits.RdOnly) == 0 && pt.PtePfn(u.OldPte) != pt.PtePfn(u.NewPte);
            if (headCopy) Kernel.Hvo.CopyFrame(pt.PtePfn(u.NewPte), pt.PtePfn(u.OldPte));
        }
        foreach (var u in updates) await pt.SetPteAt(cpu, u.PtepPa, u.NewPte);
        await cpu.DaifRestore();
        await _pause.Resume(cpu);
        await cpu.LocalIrqEnable();
    }

    /// <summary>One flush for the window: a range flush when the entries are contiguous, else flush_tlb_all.</summary>
    private async SimTask FlushFor(Cpu cpu, IReadOnlyList<PteUpdate> updates)
    {
        ulong lo = ulong.MaxValue, hi = 0;
        foreach (var u in updates) { lo = Math.Min(lo, u.Va); hi = Math.Max(hi, u.Va); }
        ulong span = hi - lo + Kernel.Layout.PageSize;
        if (span == (ulong)updates.Count * Kernel.Layout.PageSize) await Kernel.Pt.FlushTlbKernelRange(cpu, lo, hi + Kernel.Layout.PageSize);
        else await Kernel.Pt.FlushTlbAll(cpu);
    }

    // PMD splits: D's per-split pause (splits are permanent and rare: one per 128 MiB of memory on 4K).
    public override async SimTask PmdRangeStart(Cpu cpu, ulong pmdpPa, ulong start, ulong end)
    {
        await cpu.LocalIrqDisable();
        await _pause.Pause(cpu);
        await cpu.DaifMask();
        await Kernel.Pt.PmdClear(cpu, pmdpPa);
        await Kernel.Pt.FlushTlbKernelRange(cpu, start, end);
    }

    public override async SimTask PmdRangeEnd(Cpu cpu, ulong start, ulong end)
    {
        await cpu.DaifRestore();
        await _pause.Resume(cpu);
        await cpu.LocalIrqEnable();
    }
}
