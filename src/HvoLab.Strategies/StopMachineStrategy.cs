using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using HvoLab.Kernel.Mm;
using HvoLab.Kernel.Primitives;
using HvoLab.Kernel.Workloads;
using HvoLab.Kernel;

namespace HvoLab.Strategies;

/// <summary>
/// Approach B (suggested by Catalin Marinas, ZbKjHHeEdFYY1xR5@arm.com; seed-series.md §4): every break-before-make runs
/// inside stop_machine(), one per PTE range of a folio and one per PMD split. Never posted as code; this is the
/// straightforward version: the callback clears, flushes and rewrites while every other CPU spins with interrupts
/// off in multi_cpu_stop(). stop_machine() may sleep, so the PMD split does not hold init_mm.page_table_lock around it
/// (stop_machine excludes every other CPU anyway; the leaf is re-checked inside the callback).
/// </summary>
public sealed class StopMachineStrategy : VmemmapArch
{
    private StopMachine _stop = null!;
    public override string Name => "B";
    public override VmemmapFlags ArchTlbFlushFlags => VmemmapFlags.SplitNoTlbFlush | VmemmapFlags.RemapNoTlbFlush;
    public override bool SplitUnderPageTableLock => false;
    protected override void OnAttach() => _stop = new StopMachine(Kernel);

    public override async SimTask UpdatePteRange(Cpu cpu, ulong start, ulong end, IReadOnlyList<PteUpdate> updates)
    {
        await _stop.Execute(cpu, async c =>
        {
            foreach (var u in updates) await Kernel.Pt.PteClear(c, u.PtepPa);
            await Kernel.Pt.FlushTlbKernelRange(c, start, end);
            foreach (var u in updates) await Kernel.Pt.SetPteAt(c, u.PtepPa, u.NewPte);
        });
    }

    public override async SimTask UpdatePmd(Cpu cpu, ulong pmdpPa, ulong start, ulong ptePagePa)
    {
        await _stop.Execute(cpu, async c =>
        {
            if (!new HvoLab.Arch.Descriptor(await c.LoadPhys(pmdpPa)).IsBlock(Kernel.Layout.Granule, 2)) return;   // split meanwhile
            await Kernel.Pt.PmdClear(c, pmdpPa);
            await Kernel.Pt.FlushTlbKernelRange(c, start, start + Kernel.Layout.Granule.PmdSize);
            await Kernel.Pt.PmdPopulateKernel(c, pmdpPa, ptePagePa);
        });
    }
}
