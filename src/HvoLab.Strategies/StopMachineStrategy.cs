using HvoLab.Engine;
using HvoLab.Kernel;

namespace HvoLab.Strategies;

/// <summary>
/// Approach B (suggested by Catalin Marinas, ZbKjHHeEdFYY1xR5@arm.com; seed-series.md §4): every break-before-make runs
/// inside stop_machine(), one per PTE range of a folio and one per PMD split. Never posted as code; this is the
/// straightforward version: the callback clears, flushes and rewrites while every other CPU spins with interrupts
/// off in multi_cpu_stop(). stop_machine() may sleep, so the PMD split does not hold init_mm.page_table_lock around it
/// (stop_machine excludes every other CPU anyway; the leaf is re-checked inside the callback).
/// </summary>
public sealed class StopMachineStrategy : Strategy
{
    public override string Name => "B";
    public override string Title => "break-before-make inside stop_machine()";
    public override string Needs => "nothing";
    public override string Source => "ZbKjHHeEdFYY1xR5@arm.com (suggestion)";
    public override string Doc => "Every break-before-make runs as a stop_machine() callback, one per PTE range of a folio and one per PMD split, while every other CPU spins with interrupts off.";
    public override int Order => 3;
    public override VmemmapFlags ArchTlbFlushFlags => VmemmapFlags.SplitNoTlbFlush | VmemmapFlags.RemapNoTlbFlush;
    public override bool SplitUnderPageTableLock => false;

    public override async SimTask UpdatePteRange(Cpu cpu, ulong start, ulong end, IReadOnlyList<PteUpdate> updates)
    {
        await K.StopMachine(cpu, async c =>
        {
            foreach (var u in updates) await K.PteClear(c, u.PtepPa);
            await K.FlushTlbKernelRange(c, start, end);
            foreach (var u in updates) await K.SetPte(c, u.PtepPa, u.NewPte);
        });
    }

    public override async SimTask UpdatePmd(Cpu cpu, ulong pmdpPa, ulong start, ulong ptePagePa)
    {
        await K.StopMachine(cpu, async c =>
        {
            if (!K.PmdLeaf(await K.PmdpGet(c, pmdpPa))) return;   // split meanwhile
            await K.PmdClear(c, pmdpPa);
            await K.FlushTlbKernelRange(c, start, start + K.Granule.PmdSize);
            await K.PmdPopulateKernel(c, pmdpPa, ptePagePa);
        });
    }
}
