using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using HvoLab.Arch;
using HvoLab.Engine;
using HvoLab.Kernel;
using HvoLab.Kernel.Primitives;

namespace HvoLab.Strategies;

/// <summary>Ours' options.</summary>
public sealed record BatchedPauseOptions
{
    [Description("most PTEs rewritten in one pause window")]
    [Range(1, 1_000_000)]
    public int MaxPtesPerPause { get; init; } = 512;
}

/// <summary>
/// Ours: D's pause, but once per batch of folios and with nothing inside the window except page-table writes.
/// The generic code walks the batch as usual (splits, allocations, copies, synchronize_rcu all happen outside any
/// window); the PTE updates it asks for are deferred, and at the end of the batch they are applied in windows of at
/// most <see cref="BatchedPauseOptions.MaxPtesPerPause"/> entries: interrupts off, pause every other CPU, then
/// PSTATE.I set as well (so no pseudo-NMI can run on the updater while entries are invalid — D leaves that open,
/// seed-series.md D-13), clear the entries, one TLB flush, re-copy each new head page from the old one (no update
/// can be lost between the copy and the switch), write the new entries, unmask, resume. PMD splits keep D's
/// per-split pause. docs/strategies.md argues its safety; the exhaustive search checks it.
/// </summary>
public sealed class BatchedPauseStrategy : Strategy<BatchedPauseOptions>
{
    private ICpuPause _pause = null!;
    private readonly List<PteUpdate>?[] _deferred = new List<PteUpdate>?[CpuMask.MaxCpus];

    public override string Name => "ours";
    public override string Title => "one pause per batch, only PTE writes inside, updater NMI-masked";
    public override string Needs => "GICv3 pseudo-NMI";
    public override string Source => "docs/strategies.md";
    public override string Doc => "D's pause once per batch of folios, windows of at most max_ptes_per_pause entries holding only page-table writes, with the updater's PSTATE.I set so no pseudo-NMI runs on it while entries are invalid.";
    public override int Order => 6;
    public override VmemmapFlags ArchTlbFlushFlags => VmemmapFlags.SplitNoTlbFlush | VmemmapFlags.RemapNoTlbFlush;

    public override string? Refusal(SystemConfig config) => config.Kernel.PseudoNmi ? null
        : "pausing needs pseudo-NMI (irqchip.gicv3_pseudo_nmi=1), as for D: vmemmap_update_supported() = system_uses_irq_prio_masking()";

    public override string VariantSyntax => "N";
    public override IReadOnlyList<string> RecommendVariants => ["8", "64"];
    protected override BatchedPauseOptions? Variant(string suffix, BatchedPauseOptions o) =>
        int.TryParse(suffix, out var n) && n >= 1 ? o with { MaxPtesPerPause = n } : null;

    protected override void OnAttach() => _pause = K.CpuPause(PauseIpi.Nmi);

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
        int max = Options.MaxPtesPerPause;
        for (int i = 0; i < list.Count; i += max)
            await ApplyInWindow(cpu, list.GetRange(i, Math.Min(max, list.Count - i)));
    }

    public override async SimTask UpdatePteRange(Cpu cpu, ulong start, ulong end, IReadOnlyList<PteUpdate> updates)
    {
        if (_deferred[cpu.Id] is { } list) { list.AddRange(updates); return; }
        await ApplyInWindow(cpu, updates);     // a single-folio operation: one window for its range
    }

    private async SimTask ApplyInWindow(Cpu cpu, IReadOnlyList<PteUpdate> updates)
    {
        if (updates.Count == 0) return;
        ulong pageSize = K.Granule.PageSize;
        await K.LocalIrqDisable(cpu);
        await _pause.PauseRemoteCpus(cpu);
        await K.LocalDaifMask(cpu);
        foreach (var u in updates) await K.PteClear(cpu, u.PtepPa);
        await FlushFor(cpu, updates);
        ulong lo = updates.Min(u => u.Va), hi = updates.Max(u => u.Va) + pageSize;
        await K.CopyPageTime(cpu, 4096, lo, hi);   // re-copy the new head pages (charged as one 4 KiB copy_page)
        foreach (var u in updates)
        {
            bool headCopy = K.PteWrite(u.OldPte) && K.PteWrite(u.NewPte) && K.PtePfn(u.OldPte) != K.PtePfn(u.NewPte);
            if (headCopy) K.CopyPage(K.PtePfn(u.NewPte), K.PtePfn(u.OldPte));
        }
        foreach (var u in updates) await K.SetPte(cpu, u.PtepPa, u.NewPte);
        await K.LocalDaifRestore(cpu);
        await _pause.ResumeRemoteCpus(cpu);
        await K.LocalIrqEnable(cpu);
    }

    /// <summary>One flush for the window: a range flush when the entries are contiguous, else flush_tlb_all.</summary>
    private async SimTask FlushFor(Cpu cpu, IReadOnlyList<PteUpdate> updates)
    {
        ulong pageSize = K.Granule.PageSize;
        ulong lo = ulong.MaxValue, hi = 0;
        foreach (var u in updates) { lo = Math.Min(lo, u.Va); hi = Math.Max(hi, u.Va); }
        ulong span = hi - lo + pageSize;
        if (span == (ulong)updates.Count * pageSize) await K.FlushTlbKernelRange(cpu, lo, hi + pageSize);
        else await K.FlushTlbAll(cpu);
    }

    // PMD splits: D's per-split pause (splits are permanent and rare: one per 128 MiB of memory on 4K).
    public override async SimTask UpdatePmd(Cpu cpu, ulong pmdpPa, ulong start, ulong ptePagePa)
    {
        await K.LocalIrqDisable(cpu);
        await _pause.PauseRemoteCpus(cpu);
        await K.LocalDaifMask(cpu);
        await K.PmdClear(cpu, pmdpPa);
        await K.FlushTlbKernelRange(cpu, start, start + K.Granule.PmdSize);
        await K.PmdPopulateKernel(cpu, pmdpPa, ptePagePa);
        await K.LocalDaifRestore(cpu);
        await _pause.ResumeRemoteCpus(cpu);
        await K.LocalIrqEnable(cpu);
    }
}
