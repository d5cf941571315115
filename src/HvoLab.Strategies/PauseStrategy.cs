using HvoLab.Engine;
using HvoLab.Kernel;

namespace HvoLab.Strategies;

/// <summary>How often D pauses: once per PTE (RFC), once per PTE range of a folio within a PMD (v1/v2), or once per
/// batch of folios (the reviewer's "why not one pause per request" question, done naively around the remap pass).</summary>
public enum PauseGranularity { Pte, Range, Batch }

/// <summary>
/// Approach D, the seed series as posted (v2, seed-series.md §2.5, arch/arm64/include/asm/pgalloc.h in patch 5):
/// vmemmap_update_lock = cpus_read_lock; vmemmap_update_pte_range_start = local_irq_disable, pause_remote_cpus,
/// pte_clear every PTE, one flush_tlb_kernel_range; the generic code writes the new PTEs; _end = resume_remote_cpus,
/// local_irq_enable. Same shape for the PMD split. VMEMMAP_ARCH_TLB_FLUSH_FLAGS skip every generic flush, and HVO is
/// enabled only under IRQ priority masking (vmemmap_update_supported = system_uses_irq_prio_masking).
/// </summary>
public sealed class PauseStrategy(PauseIpi ipi = PauseIpi.PseudoNmi, PauseGranularity granularity = PauseGranularity.Range) : VmemmapArch
{
    private PauseRemoteCpus _pause = null!;
    public override string Name => "D";
    public PauseIpi IpiKind => ipi;
    public PauseGranularity Granularity => granularity;
    public long Pauses => _pause.Pauses;
    public override VmemmapFlags ArchTlbFlushFlags => VmemmapFlags.SplitNoTlbFlush | VmemmapFlags.RemapNoTlbFlush;

    protected override void OnAttach()
    {
        _pause = new PauseRemoteCpus(Kernel, ipi);
        if (ipi == PauseIpi.PseudoNmi) Kernel.ConfigureIpiPriorities(Linux.IPI_CPU_STOP_NMI);
    }

    public override bool UpdateSupported(Linux linux) => linux.Config.PseudoNmi || ipi == PauseIpi.NormalIrq;

    public override string? Refusal(Linux linux) => UpdateSupported(linux) ? null
        : "the series enables HVO only when the system uses IRQ priority masking (vmemmap_update_supported() = system_uses_irq_prio_masking()); boot with irqchip.gicv3_pseudo_nmi=1";

    public override async SimTask<bool> HandleIpi(Cpu cpu, int ipiNr)
    {
        if (ipiNr != _pause.Ipi) return false;
        await _pause.PauseLocal(cpu);
        return true;
    }

    private readonly bool[] _inBatch = new bool[256];   // per updater CPU

    public override async SimTask BatchStart(Cpu cpu)
    {
        if (granularity != PauseGranularity.Batch) return;
        await cpu.LocalIrqDisable();
        await _pause.Pause(cpu);
        _inBatch[cpu.Id] = true;
    }

    public override async SimTask BatchEnd(Cpu cpu)
    {
        if (granularity != PauseGranularity.Batch) return;
        _inBatch[cpu.Id] = false;
        await _pause.Resume(cpu);
        await cpu.LocalIrqEnable();
    }

    public override async SimTask UpdatePteRange(Cpu cpu, ulong start, ulong end, IReadOnlyList<PteUpdate> updates)
    {
        if (granularity == PauseGranularity.Pte)
        {
            foreach (var u in updates)   // RFC 3/4: one pause per PTE
            {
                await Enter(cpu);
                await Kernel.Pt.PteClear(cpu, u.PtepPa);
                await Kernel.Pt.FlushTlbKernelRange(cpu, u.Va, u.Va + Kernel.Layout.PageSize);
                await Kernel.Pt.SetPteAt(cpu, u.PtepPa, u.NewPte);
                await Leave(cpu);
            }
            return;
        }
        await base.UpdatePteRange(cpu, start, end, updates);
    }

    public override async SimTask PteRangeStart(Cpu cpu, ulong start, ulong end, IReadOnlyList<PteUpdate> updates)
    {
        await Enter(cpu);
        foreach (var u in updates) await Kernel.Pt.PteClear(cpu, u.PtepPa);
        await Kernel.Pt.FlushTlbKernelRange(cpu, start, end);
    }

    public override SimTask PteRangeEnd(Cpu cpu, ulong start, ulong end) => Leave(cpu);

    public override async SimTask PmdRangeStart(Cpu cpu, ulong pmdpPa, ulong start, ulong end)
    {
        await Enter(cpu);
        await Kernel.Pt.PmdClear(cpu, pmdpPa);
        await Kernel.Pt.FlushTlbKernelRange(cpu, start, end);
    }

    public override SimTask PmdRangeEnd(Cpu cpu, ulong start, ulong end) => Leave(cpu);

    private async SimTask Enter(Cpu cpu)
    {
        if (_inBatch[cpu.Id]) return;
        await cpu.LocalIrqDisable();
        await _pause.Pause(cpu);
    }

    private async SimTask Leave(Cpu cpu)
    {
        if (_inBatch[cpu.Id]) return;
        await _pause.Resume(cpu);
        await cpu.LocalIrqEnable();
    }
}
