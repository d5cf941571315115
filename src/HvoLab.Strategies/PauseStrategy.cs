using System.ComponentModel;
using HvoLab.Arch;
using HvoLab.Engine;
using HvoLab.Kernel;
using HvoLab.Kernel.Primitives;

namespace HvoLab.Strategies;

/// <summary>How often D pauses: once per PTE (RFC), once per PTE range of a folio within a PMD (v1/v2), or once per
/// batch of folios (the reviewer's "why not one pause per request" question, done naively around the remap pass).</summary>
public enum PauseGranularity { Pte, Range, Batch }

/// <summary>D's options: "nmi" pauses by pseudo-NMI SGI as posted, "irq" by a normal IPI (a what-if); granularity
/// "pte" = one pause per PTE (RFC), "range" = one per remap_pte_range call (v1/v2), "batch" = one per user request
/// (suggested, never implemented; seed-series.md §2.7).</summary>
public sealed record PauseOptions
{
    [Description("pause IPI kind; irq = what-if without pseudo-NMI")]
    public PauseIpi Ipi { get; init; } = PauseIpi.Nmi;
    [Description("one pause per pte (RFC), per range (v1/v2) or per batch")]
    public PauseGranularity Granularity { get; init; } = PauseGranularity.Range;
}

/// <summary>
/// Approach D, the seed series as posted (v2, seed-series.md §2.5, arch/arm64/include/asm/pgalloc.h in patch 5):
/// vmemmap_update_pte_range_start = local_irq_disable, pause_remote_cpus, pte_clear every PTE, one
/// flush_tlb_kernel_range; the generic code writes the new PTEs; _end = resume_remote_cpus, local_irq_enable. Same
/// shape for the PMD split. VMEMMAP_ARCH_TLB_FLUSH_FLAGS skip every generic flush, and HVO is enabled only under IRQ
/// priority masking (vmemmap_update_supported = system_uses_irq_prio_masking).
/// </summary>
public sealed class PauseStrategy : Strategy<PauseOptions>
{
    private ICpuPause _pause = null!;
    private readonly bool[] _inBatch = new bool[CpuMask.MaxCpus];   // per updater CPU

    public override string Name => "D";
    public override string Title => "pause remote CPUs with pseudo-NMI IPIs around break-before-make (the seed series)";
    public override string Needs => "GICv3 pseudo-NMI (irqchip.gicv3_pseudo_nmi=1)";
    public override string Source => "20241107202033.2721681-1-yuzhao@google.com";
    public override string Doc => "Around each break-before-make, interrupts off and every other CPU paused in a pseudo-NMI handler spinning on a flag; entries cleared, one TLB flush, new entries written, CPUs resumed.";
    public override int Order => 5;
    public override VmemmapFlags ArchTlbFlushFlags => VmemmapFlags.SplitNoTlbFlush | VmemmapFlags.RemapNoTlbFlush;

    public override string? Refusal(SystemConfig config) => config.Kernel.PseudoNmi || Options.Ipi == PauseIpi.Irq ? null
        : "the series enables HVO only when the system uses IRQ priority masking (vmemmap_update_supported())";

    public override string VariantSyntax => "pte|range|batch|irq";
    public override IReadOnlyList<string> RecommendVariants => ["pte", "range", "batch", "irq"];

    protected override PauseOptions? Variant(string suffix, PauseOptions o) => suffix switch
    {
        "pte" => o with { Granularity = PauseGranularity.Pte },
        "range" => o with { Granularity = PauseGranularity.Range },
        "batch" => o with { Granularity = PauseGranularity.Batch },
        "irq" => o with { Ipi = PauseIpi.Irq },
        _ => null,
    };

    protected override void OnAttach() => _pause = K.CpuPause(Options.Ipi);

    public override async SimTask BatchStart(Cpu cpu)
    {
        if (Options.Granularity != PauseGranularity.Batch) return;
        await K.LocalIrqDisable(cpu);
        await _pause.PauseRemoteCpus(cpu);
        _inBatch[cpu.Id] = true;
    }

    public override async SimTask BatchEnd(Cpu cpu)
    {
        if (Options.Granularity != PauseGranularity.Batch) return;
        _inBatch[cpu.Id] = false;
        await _pause.ResumeRemoteCpus(cpu);
        await K.LocalIrqEnable(cpu);
    }

    public override async SimTask UpdatePteRange(Cpu cpu, ulong start, ulong end, IReadOnlyList<PteUpdate> updates)
    {
        if (Options.Granularity == PauseGranularity.Pte)
        {
            foreach (var u in updates)   // RFC 3/4: one pause per PTE
            {
                await Enter(cpu);
                await K.PteClear(cpu, u.PtepPa);
                await K.FlushTlbKernelRange(cpu, u.Va, u.Va + K.Granule.PageSize);
                await K.SetPte(cpu, u.PtepPa, u.NewPte);
                await Leave(cpu);
            }
            return;
        }
        // vmemmap_update_pte_range_start: pause, clear, flush; the generic set_pte_at loop; _end: resume.
        await Enter(cpu);
        foreach (var u in updates) await K.PteClear(cpu, u.PtepPa);
        await K.FlushTlbKernelRange(cpu, start, end);
        foreach (var u in updates) await K.SetPte(cpu, u.PtepPa, u.NewPte);
        await Leave(cpu);
    }

    /// <summary>vmemmap_update_pmd_range_start / pmd_populate_kernel / _end.</summary>
    public override async SimTask UpdatePmd(Cpu cpu, ulong pmdpPa, ulong start, ulong ptePagePa)
    {
        await Enter(cpu);
        await K.PmdClear(cpu, pmdpPa);
        await K.FlushTlbKernelRange(cpu, start, start + K.Granule.PmdSize);
        await K.PmdPopulateKernel(cpu, pmdpPa, ptePagePa);
        await Leave(cpu);
    }

    private async SimTask Enter(Cpu cpu)
    {
        if (_inBatch[cpu.Id]) return;
        await K.LocalIrqDisable(cpu);
        await _pause.PauseRemoteCpus(cpu);
    }

    private async SimTask Leave(Cpu cpu)
    {
        if (_inBatch[cpu.Id]) return;
        await _pause.ResumeRemoteCpus(cpu);
        await K.LocalIrqEnable(cpu);
    }
}
