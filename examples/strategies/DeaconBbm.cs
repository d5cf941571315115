// DeaconBbm: Will Deacon's suggestion on the seed series (20241128142028.GA3506@willie-the-truck, seed-series.md
// §6 D-1): "if page_is_fake_head() were reliable, it could steer walkers away from tail pages during the remap,
// and then plain break-before-make would be fine". Not built in; a worked example for docs/writing-a-strategy.md.
//
//   hvolab check   --strategy-file examples/strategies/DeaconBbm.cs --scenario scenarios/check-default.json
//   hvolab compare --strategy-file examples/strategies/DeaconBbm.cs
//
// The steering is the kernel's own since bd225530a4c7: page_ref_add_unless() increments a refcount only when
// page_count_writable() says the page is not a fake head (HvoLab.Kernel.Mm.PageFlags models it). This strategy adds
// only the "plain break-before-make": no pause of other CPUs, no fault fixup.
using HvoLab.Engine;
using HvoLab.Kernel;
using HvoLab.Strategies;

namespace Examples;

public sealed class DeaconBbm : Strategy
{
    public override string Name => "deacon-bbm";
    public override string Title => "plain break-before-make, speculative walkers steered away by page_count_writable()";
    public override string Needs => "the fake-head design with bd225530a4c7 (page_count_writable)";
    public override string Source => "20241128142028.GA3506@willie-the-truck (suggestion)";
    public override string Doc => "Each PTE range: take init_mm.page_table_lock with IRQs off, clear every entry, one TLB flush, " +
        "write the new entries. Walkers are expected to stay off the tail pages because they see a fake head first.";

    // Every generic flush is done here, right after the break.
    public override VmemmapFlags ArchTlbFlushFlags => VmemmapFlags.SplitNoTlbFlush | VmemmapFlags.RemapNoTlbFlush;

    // The steering exists only in the fake-head design and only with the page_count_writable() fix.
    public override string? Refusal(SystemConfig config) =>
        config.Kernel.Design != HvoDesign.FakeHead ? "deacon-bbm steers walkers by fake heads; the 2026 design has none"
        : (config.Kernel.Reverted & RevertedFix.RcuSync) != 0 ? "deacon-bbm needs page_count_writable() in page_ref_add_unless() (bd225530a4c7), which this kernel reverts"
        : null;

    // Break (clear), flush, make: the Arm ARM's sequence for changing a live translation (D8.16.1).
    public override async SimTask UpdatePteRange(Cpu cpu, ulong start, ulong end, IReadOnlyList<PteUpdate> updates)
    {
        bool flags = await K.SpinLockIrqSave(cpu, K.InitMmPageTableLock);
        foreach (var u in updates) await K.PteClear(cpu, u.PtepPa);
        await K.FlushTlbKernelRange(cpu, start, end);
        foreach (var u in updates) await K.SetPte(cpu, u.PtepPa, u.NewPte);
        await K.SpinUnlockIrqRestore(cpu, K.InitMmPageTableLock, flags);
    }

    // The PMD split, under init_mm.page_table_lock held by the caller: the same three steps for the block entry.
    public override async SimTask UpdatePmd(Cpu cpu, ulong pmdpPa, ulong start, ulong ptePagePa)
    {
        await K.PmdClear(cpu, pmdpPa);
        await K.FlushTlbKernelRange(cpu, start, start + K.Granule.PmdSize);
        await K.PmdPopulateKernel(cpu, pmdpPa, ptePagePa);
    }
}
