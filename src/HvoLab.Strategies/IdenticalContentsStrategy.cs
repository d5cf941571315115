using System.ComponentModel;
using HvoLab.Arch;
using HvoLab.Engine;
using HvoLab.Kernel;

namespace HvoLab.Strategies;

/// <summary>C's options.</summary>
public sealed record IdenticalContentsOptions
{
    /// <summary>Run even where FEAT_BBM level 2 is missing, to show what breaks.</summary>
    [Description("run even without FEAT_BBM level 2 on 4k")]
    public bool Force { get; init; }
}

/// <summary>
/// Approach C: no break at all (the sequence sketched by Catalin Marinas and Yu Zhao, seed-series.md §5.2; Arm ARM
/// K.a D8.16.1 item 2, "D8.16.1-2"): the PMD split relies on FEAT_BBM level 2 (a size-only change); every PTE is
/// first made read-only at its old address, the old and new frames are made identical, the read-only entries are
/// re-pointed, and the head is made writable again — a TLBI after each phase. Restore runs the same phases backwards
/// (copy, re-point read-only, then reset_struct_pages and make writable). Needs FEAT_BBM level 2 on 4K.
/// </summary>
public sealed class IdenticalContentsStrategy : Strategy<IdenticalContentsOptions>
{
    public override string Name => "C";
    public override string Title => "no break: FEAT_BBM level 2 split, identical contents at old and new OA";
    public override string Needs => "FEAT_BBM level 2 (4K granule)";
    public override string Source => "Zo68DP6siXfb6ZBR@arm.com, seed-series.md §5.2";
    public override string Doc => "The PMD split is a size-only change under FEAT_BBM level 2; each PTE is made read-only, old and new frames are made identical, the read-only entries are re-pointed, then made writable: no entry is ever invalid.";
    public override int Order => 4;
    public override VmemmapFlags ArchTlbFlushFlags => VmemmapFlags.SplitNoTlbFlush | VmemmapFlags.RemapNoTlbFlush;

    // With 16K/64K pages the vmemmap is mapped by base pages, so C has no PMD to split (kernel-hvo.md §1).
    public override string? Refusal(SystemConfig config) =>
        !Options.Force && config.Machine.Granule == Granule.K4 && config.Machine.BbmLevel < 2
            ? "C needs FEAT_BBM level 2 to split the vmemmap PMD without a break (seed-series.md §5.1)"
            : null;

    /// <summary>The split with FEAT_BBM level 2: write the table over the block directly (same OA, same attributes),
    /// then invalidate the block entry.</summary>
    public override async SimTask UpdatePmd(Cpu cpu, ulong pmdpPa, ulong start, ulong ptePagePa)
    {
        await K.PmdPopulateKernel(cpu, pmdpPa, ptePagePa);
        await K.FlushTlbKernelRange(cpu, start, start + K.Granule.PmdSize);
    }

    public override async SimTask UpdatePteRange(Cpu cpu, ulong start, ulong end, IReadOnlyList<PteUpdate> updates)
    {
        ulong pageSize = K.Granule.PageSize;
        // Phase 1: read-only at the old address (a permission-only change).
        foreach (var u in updates) await K.SetPte(cpu, u.PtepPa, K.PfnPte(K.PtePfn(u.OldPte), readOnly: true));
        await K.FlushTlbKernelRange(cpu, start, end);
        // Phase 2: make old and new frames identical while nothing can write through the vmemmap.
        // Optimize: the old frames take the new target's bytes; restore: the new pages take the reuse page's bytes.
        bool restore = updates.Count > 0 && IsPageKernel(updates[0].NewPte) && !IsReuse(updates[0]);
        foreach (var u in updates)
        {
            ulong oldPfn = K.PtePfn(u.OldPte), newPfn = K.PtePfn(u.NewPte);
            if (oldPfn == newPfn) continue;
            await K.CopyPageTime(cpu, pageSize, start - pageSize, end);
            if (restore || IsReuse(u)) K.CopyPage(newPfn, oldPfn);                // new page ← current contents
            else if (K.Design == HvoDesign.FakeHead) K.CopyPage(oldPfn, newPfn);   // old tail ← fake-head page
            else continue;                                                       // 2026: tails identical by construction
        }
        await K.Dsb(cpu, site: "C update_pte_range: dsb(ish)");
        // Phase 3: re-point the read-only entries (identical contents, both read-only: no break needed).
        foreach (var u in updates) await K.SetPte(cpu, u.PtepPa, K.PfnPte(K.PtePfn(u.NewPte), readOnly: true));
        await K.FlushTlbKernelRange(cpu, start, end);
        // Phase 4: restore's reset_struct_pages on the now-private contents, then writable entries where wanted.
        if (restore && K.Design == HvoDesign.FakeHead)
            await K.ResetStructPages(cpu, updates.Select(u => K.PtePfn(u.NewPte)).ToArray(), start, end);
        bool anyRw = false;
        foreach (var u in updates)
            if (IsPageKernel(u.NewPte)) { await K.SetPte(cpu, u.PtepPa, u.NewPte); anyRw = true; }
        if (anyRw) await K.FlushTlbKernelRange(cpu, start, end);
    }

    /// <summary>The entry is exactly pfn_pte(pfn, PAGE_KERNEL) (writable, the kernel's usual attributes).</summary>
    private bool IsPageKernel(ulong pte) => pte == K.PfnPte(K.PtePfn(pte));

    private bool IsReuse(in PteUpdate u) => K.PteWrite(u.NewPte) && K.PteWrite(u.OldPte);
}
