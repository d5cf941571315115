using HvoLab.Arch;
using HvoLab.Engine;

namespace HvoLab.Kernel.Mm;

/// <summary>
/// The 2026 generic path (linux-mm/linux-mm mm/hugetlb_vmemmap.c @5aaa2bca / @0454b15e; hvo-2026-arm64.md §2): each
/// PTE is updated in place by the arch primitive behind the fault-injection wrappers hvo_update_vmemmap_pte() /
/// hvo_populate_vmemmap_pmd(), the walk stops at the first error with nr_walked counting the successes, and the
/// callers roll back (optimize) or leave a partly restored folio (restore). Used when the hooks implement
/// <see cref="IVmemmapInPlaceUpdate"/>.
/// </summary>
public sealed partial class VmemmapRemapWalk
{
    private IVmemmapInPlaceUpdate? InPlace => hvo.InPlace;

    /// <summary>hvo_update_vmemmap_pte(): should_fail(&amp;fail_hugetlb_vmemmap_pte, PAGE_SIZE) returns -EAGAIN without
    /// touching the tables ("as if the in-place update lost a race too many times"), else the arch primitive.</summary>
    private async SimTask<int> HvoUpdateVmemmapPte(Cpu cpu, ulong addr, ulong ptep, ulong newPte)
    {
        var c = linux.HvoCounters;
        if (linux.FailPte?.ShouldFail() == true) { c.InjectedPte++; c.PteUpdateErrors++; return Primitives.Arm64VmemmapUpdate.EAGAIN; }
        int r = await InPlace!.TryUpdateVmemmapPte(cpu, addr, ptep, newPte);
        if (r == 0) c.PteUpdates++; else c.PteUpdateErrors++;
        return r;
    }

    /// <summary>hvo_populate_vmemmap_pmd(): should_fail(&amp;fail_hugetlb_vmemmap_pmd, PMD_SIZE), else the primitive.</summary>
    private async SimTask<int> HvoPopulateVmemmapPmd(Cpu cpu, ulong addr, ulong pmdp, ulong pgtablePa)
    {
        var c = linux.HvoCounters;
        if (linux.FailPmd?.ShouldFail() == true) { c.InjectedPmd++; c.PmdSplitErrors++; return Primitives.Arm64VmemmapUpdate.EAGAIN; }
        int r = await InPlace!.TryPopulateVmemmapPmd(cpu, addr, pmdp, pgtablePa);
        if (r != 0) c.PmdSplitErrors++;
        return r;
    }

    /// <summary>vmemmap_remap_pte() over the range: smp_wmb() before the first (head) PTE, then one in-place update
    /// per PTE; after each success the old page joins the free list (the new head left it when the head PTE
    /// switched). On error the walk stops there and nr_walked loses the PTEs not done.</summary>
    private async SimTask<int> RemapPtesInPlace(Cpu cpu, ulong end, IReadOnlyList<PteUpdate> updates, VmemmapWalk walk)
    {
        for (int i = 0; i < updates.Count; i++)
        {
            var u = updates[i];
            int r = await HvoUpdateVmemmapPte(cpu, u.Va, u.PtepPa, u.NewPte);
            if (r != 0)
            {
                walk.NrWalked -= (long)((end - u.Va) >> G.PageShift);
                return r;
            }
            if (u.Va == walk.ReuseAddr) walk.NewHeadMapped = true;
            walk.VmemmapPages.Add(Pt.PtePfn(u.OldPte));
        }
        return 0;
    }

    /// <summary>vmemmap_restore_pte() over the range: PTEs that no longer map <paramref name="expectedPfn"/> were
    /// restored before (partial HVO) and are skipped; each other takes the next page from the list, gets the page's
    /// contents, smp_wmb(), and is updated in place. On error the page goes back to the list.</summary>
    private async SimTask<int> RestorePtesInPlace(Cpu cpu, ulong start, ulong end, Func<ulong, ulong> ptepOf, VmemmapWalk walk, ulong expectedPfn)
    {
        for (ulong addr = start; addr < end; addr += G.PageSize)
        {
            ulong ptep = ptepOf(addr);
            ulong old = await cpu.LoadPhys(ptep);
            if (Pt.PtePfn(old) != expectedPfn) continue;
            if (await TakeRestoreCopy(cpu, walk, expectedPfn, end) is not ulong page) return HugetlbVmemmap.ENOMEM;
            await cpu.Barrier(BarrierKind.DmbIshSt);                        // smp_wmb()
            int r = await HvoUpdateVmemmapPte(cpu, addr, ptep, Pt.MkPte(page, Prot.PAGE_KERNEL));
            if (r != 0)
            {
                walk.VmemmapPages.Add(page);
                return r;
            }
        }
        return 0;
    }
}
