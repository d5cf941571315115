using HvoLab.Arch;
using HvoLab.Engine;

namespace HvoLab.Kernel.Primitives;

/// <summary>
/// arm64 page-table helpers as the kernel uses them on init_mm (arch/arm64/include/asm/pgtable.h, tlbflush.h).
/// Entries are written by PA through the linear map (never remapped, so its translation is not under test).
/// </summary>
public sealed class PageTableOps(Linux linux)
{
    private Granule G => linux.Layout.Granule;

    /// <summary>__set_pte: WRITE_ONCE, then for a valid kernel PTE dsb(ishst); isb() so the walker sees it and no
    /// stale "invalid" translation lingers in this CPU's pipeline (pgtable.h, emit_pte_barriers).</summary>
    public async SimTask SetPteAt(Cpu cpu, ulong ptepPa, ulong pte)
    {
        await cpu.StorePhys(ptepPa, pte);
        linux.Monitors.OnPteWritten(cpu, ptepPa, pte);
        if ((pte & DescBits.Valid) != 0)
        {
            await cpu.Barrier(BarrierKind.DsbIshSt, "__set_pte: dsb(ishst)");
            await cpu.Isb("__set_pte: isb()");
        }
    }

    /// <summary>pte_clear: write 0; no barrier (invalid entries need none; the following flush starts with dsb(ishst)).</summary>
    public async SimTask PteClear(Cpu cpu, ulong ptepPa) => await cpu.StorePhys(ptepPa, 0);

    public async SimTask PmdClear(Cpu cpu, ulong pmdpPa) => await cpu.StorePhys(pmdpPa, 0);

    /// <summary>pmd_populate_kernel → __pmd_populate → set_pmd: table descriptor with PMD_TABLE_PXN; dsb(ishst); isb().</summary>
    public async SimTask PmdPopulateKernel(Cpu cpu, ulong pmdpPa, ulong ptePagePa)
    {
        linux.Arch.Tables.Register(ptePagePa, PmdVaOf(pmdpPa), 3);
        await cpu.StorePhys(pmdpPa, ptePagePa | Prot.TABLE | DescBits.PXNTable);
        await cpu.Barrier(BarrierKind.DsbIshSt, "__pmd_populate: dsb(ishst)");
        await cpu.Isb("__pmd_populate: isb()");
    }

    private ulong PmdVaOf(ulong pmdpPa) =>
        linux.Arch.Tables.TryLocateDescriptor(pmdpPa, out _, out ulong va) ? va : 0;

    /// <summary>flush_tlb_kernel_range (tlbflush.h): whole-TLB flush when the range reaches MAX_DVM_OPS pages
    /// (PTRS_PER_PTE) without FEAT_TLBIRANGE (or exceeds MAX_TLBI_RANGE_PAGES with it); else dsb(ishst), one
    /// TLBI VAALE1IS per page (or RVAALE1IS range ops), __tlbi_sync_s1ish_kernel(), isb().</summary>
    public async SimTask FlushTlbKernelRange(Cpu cpu, ulong start, ulong end)
    {
        ulong pages = (end - start) >> G.PageShift;
        bool range = linux.Arch.Config.TlbiRange;
        if ((!range && pages >= (ulong)G.EntriesPerTable) || pages > 2_097_152)
        {
            await FlushTlbAll(cpu);
            return;
        }
        await cpu.Barrier(BarrierKind.DsbIshSt, "flush_tlb_kernel_range: dsb(ishst)");
        if (range) await cpu.Tlbi(TlbiOp.RVAALE1IS, start, pages);
        else
            for (ulong va = start; va < end; va += G.PageSize) await cpu.Tlbi(TlbiOp.VAALE1IS, va);
        await TlbiSyncS1IshKernel(cpu, "flush_tlb_kernel_range: dsb(ish)");
        await cpu.Isb("flush_tlb_kernel_range: isb()");
    }

    /// <summary>flush_tlb_all: dsb(ishst); TLBI VMALLE1IS; dsb(ish); isb().</summary>
    public async SimTask FlushTlbAll(Cpu cpu)
    {
        await cpu.Barrier(BarrierKind.DsbIshSt, "flush_tlb_all: dsb(ishst)");
        await cpu.Tlbi(TlbiOp.VMALLE1IS);
        await TlbiSyncS1IshKernel(cpu, "flush_tlb_all: dsb(ish)");
        await cpu.Isb("flush_tlb_all: isb()");
    }

    /// <summary>__tlbi_sync_s1ish_kernel() (tlbflush.h @3c9e86d8): DSB ISH, and with ARM64_WORKAROUND_REPEAT_TLBI one
    /// more TLBI VALE1IS, XZR; DSB ISH (erratum 4118414 and relatives; a8f78680ee6b).</summary>
    /// <param name="site">The caller's name for its DSB ISH (`hvolab barriers` leaves it out by this name).</param>
    public async SimTask TlbiSyncS1IshKernel(Cpu cpu, string? site = null)
    {
        await cpu.Barrier(BarrierKind.DsbIsh, site);
        if ((linux.Config.Workarounds & KernelWorkarounds.RepeatTlbi) == 0) return;
        await cpu.Tlbi(TlbiOp.VALE1IS, 0);
        await cpu.Barrier(BarrierKind.DsbIsh);
    }

    /// <summary>mk_pte(page, prot) for a PFN.</summary>
    public ulong MkPte(ulong pfn, ulong prot) => (pfn << G.PageShift) | prot;

    public ulong PteOa(ulong pte) => pte & DescBits.AddressMask(G.PageShift);
    public ulong PtePfn(ulong pte) => PteOa(pte) >> G.PageShift;
}
