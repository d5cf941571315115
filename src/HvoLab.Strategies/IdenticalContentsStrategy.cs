using HvoLab.Arch;
using HvoLab.Engine;
using HvoLab.Kernel;

namespace HvoLab.Strategies;

/// <summary>
/// Approach C: no break at all (the sequence sketched by Catalin Marinas and Yu Zhao, seed-series.md §5.2; Arm ARM
/// K.a D8.16.1 item 2, "D8.16.1-2"): the PMD split relies on FEAT_BBM level 2 (a size-only change); every PTE is
/// first made read-only at its old address, the old and new frames are made identical, the read-only entries are
/// re-pointed, and the head is made writable again — a TLBI after each phase. Restore runs the same phases backwards
/// (copy, re-point read-only, then reset_struct_pages and make writable). Needs FEAT_BBM level 2 on 4K.
/// </summary>
public sealed class IdenticalContentsStrategy(bool force = false) : VmemmapArch
{
    public override string Name => "C";
    public override VmemmapFlags ArchTlbFlushFlags => VmemmapFlags.SplitNoTlbFlush | VmemmapFlags.RemapNoTlbFlush;

    public override string? Refusal(Linux linux) =>
        !force && linux.Layout.Granule == Granule.K4 && linux.Arch.Config.BbmLevel < 2
            ? "C needs FEAT_BBM level 2 to split the vmemmap PMD block without a break (seed-series.md §5.1); this machine has level " + linux.Arch.Config.BbmLevel
            : null;

    public override bool UpdateSupported(Linux linux) => Refusal(linux) is null;

    /// <summary>The split with FEAT_BBM level 2: write the table over the block directly (same OA, same attributes),
    /// then invalidate the block entry.</summary>
    public override async SimTask UpdatePmd(Cpu cpu, ulong pmdpPa, ulong start, ulong ptePagePa)
    {
        await Kernel.Pt.PmdPopulateKernel(cpu, pmdpPa, ptePagePa);
        await Kernel.Pt.FlushTlbKernelRange(cpu, start, start + Kernel.Layout.Granule.PmdSize);
    }

    public override async SimTask UpdatePteRange(Cpu cpu, ulong start, ulong end, IReadOnlyList<PteUpdate> updates)
    {
        var pt = Kernel.Pt;
        var g = Kernel.Layout.Granule;
        ulong attrsMask = ~DescBits.AddressMask(g.PageShift);
        // Phase 1: read-only at the old address (a permission-only change).
        foreach (var u in updates)
            await pt.SetPteAt(cpu, u.PtepPa, (u.OldPte & DescBits.AddressMask(g.PageShift)) | Prot.PAGE_KERNEL_RO);
        await pt.FlushTlbKernelRange(cpu, start, end);
        // Phase 2: make old and new frames identical while nothing can write through the vmemmap.
        // Optimize: the old frames take the new target's bytes; restore: the new pages take the reuse page's bytes.
        bool restore = updates.Count > 0 && (updates[0].NewPte & attrsMask) == Prot.PAGE_KERNEL && !IsReuse(updates[0]);
        foreach (var u in updates)
        {
            ulong oldPfn = pt.PtePfn(u.OldPte), newPfn = pt.PtePfn(u.NewPte);
            if (oldPfn == newPfn) continue;
            await cpu.Bulk(Kernel.Cost.Hardware.CopyPage4KNs * (Kernel.Layout.PageSize / 4096.0), cpu.Sim.Label("copy_page"), start - Kernel.Layout.PageSize, end);
            if (restore || IsReuse(u)) Kernel.Hvo.CopyFrame(newPfn, oldPfn);          // new page ← current contents
            else if (Kernel.Config.Design == HvoDesign.FakeHead) Kernel.Hvo.CopyFrame(oldPfn, newPfn); // old tail ← fake-head page
            else continue;                                                            // 2026: tails identical by construction
        }
        await cpu.Barrier(BarrierKind.DsbIsh);
        // Phase 3: re-point the read-only entries (identical contents, both read-only: no break needed).
        foreach (var u in updates)
            await pt.SetPteAt(cpu, u.PtepPa, (u.NewPte & DescBits.AddressMask(g.PageShift)) | Prot.PAGE_KERNEL_RO);
        await pt.FlushTlbKernelRange(cpu, start, end);
        // Phase 4: restore's reset_struct_pages on the now-private contents, then writable entries where wanted.
        if (restore && Kernel.Config.Design == HvoDesign.FakeHead)
        {
            await cpu.Bulk(updates.Count * Kernel.Cost.Hardware.MemAccessNs * 32, cpu.Sim.Label("reset_struct_pages"), start, end);
            foreach (var u in updates) Kernel.Hvo.ResetStructPagesPublic(pt.PtePfn(u.NewPte));
        }
        bool anyRw = false;
        foreach (var u in updates)
            if ((u.NewPte & attrsMask) == Prot.PAGE_KERNEL) { await pt.SetPteAt(cpu, u.PtepPa, u.NewPte); anyRw = true; }
        if (anyRw) await pt.FlushTlbKernelRange(cpu, start, end);
    }

    private static bool IsReuse(in PteUpdate u) => (u.NewPte & DescBits.RdOnly) == 0 && (u.OldPte & DescBits.RdOnly) == 0;
}
