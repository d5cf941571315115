using HvoLab.Arch;
using HvoLab.Engine;

namespace HvoLab.Kernel;

/// <summary>
/// The kernel's own safety checks, beside the Arch BBM oracle: page_table_check on PTE writes, freed vmemmap pages
/// still cached in a TLB, struct page reads that resolve to the wrong folio, spinlocks taken in NMI context.
/// Each reports through Simulator.ReportViolation with an explanation a reviewer can follow.
/// </summary>
public sealed class KernelMonitors(Linux linux)
{

    /// <summary>page_table_check_pte_set(): a PTE must never map a page-table page as data.</summary>
    public void OnPteWritten(Cpu cpu, ulong ptepPa, ulong pte)
    {
        if ((pte & DescBits.Valid) == 0) return;
        ulong oa = pte & DescBits.AddressMask(linux.Layout.PageShift);
        if (linux.Arch.Tables.IsTable(oa))
            cpu.Sim.ReportViolation(ViolationKind.PageTableCheck, [cpu.Id], 0,
                $"CPU{cpu.Id} wrote PTE 0x{pte:x16} at PA 0x{ptepPa:x} mapping PA 0x{oa:x}, which is a page-table page (PAGE_TABLE_CHECK would BUG)");
    }

    /// <summary>An old vmemmap page goes back to the allocator: no CPU may still hold a translation to it. The linear
    /// map, which maps every page whether free or not, does not count.</summary>
    public void OnVmemmapPageFreed(ulong pfn)
    {
        ulong pa = pfn << linux.Layout.PageShift;
        foreach (var late in linux.Arch.LateAccesses)
        {
            if (late.Pa >> linux.Layout.PageShift != pfn) continue;
            linux.Sim.ReportViolation("late-access-after-free", [late.Cpu, late.Issuer], late.Va,
                $"vmemmap page PFN 0x{pfn:x} was freed while a {(late.Store ? "store" : "load")} CPU{late.Cpu} made through VA 0x{late.Va:x} " +
                $"may still be in flight: CPU{late.Issuer}'s TLBI;DSB completed without waiting for it (TLBI-completion erratum) and no second TLBI;DSB followed");
            return;
        }
        ulong linearLo = Layout.PageOffset, linearHi = linearLo + linux.Arch.Memory.SizeBytes;
        var candidates = linux.Arch.SharedFills.CpusWithEntries;
        for (int c = candidates.Next(0); c >= 0 && c < linux.Sim.Cpus.Length; c = c + 1 < CpuMask.MaxCpus ? candidates.Next(c + 1) : -1)
        {
            if (!linux.Arch.TlbOf(c).FindLeafMapping(pa, linearLo, linearHi, out var leaf)) continue;
            linux.Sim.ReportViolation(ViolationKind.FreedPageInTlb, [c], leaf.VaBase,
                $"vmemmap page PFN 0x{pfn:x} was freed while CPU{c}'s TLB still translates VA 0x{leaf.VaBase:x} to it (old pages must be freed only after the TLB flush)");
            return;
        }
    }

    /// <summary>A reader resolved a struct page to a head: compare with the truth. <paramref name="truthBefore"/> is
    /// the head the page belonged to when the read began (<see cref="FolioRegistry.HeadPageOf"/>): a speculative
    /// reader racing with folio creation or destruction may legitimately return either the old or the new answer
    /// (the kernel re-checks after taking a reference), so only an answer that was never true is flagged.</summary>
    public void CheckCompoundHead(Cpu cpu, ulong page, ulong resolvedHead, string reader, ulong truthBefore)
    {
        ulong pfn = linux.Layout.PageToPfn(page);
        ulong truth = linux.Folios.HeadPageOf(pfn);
        if (resolvedHead == truth || resolvedHead == truthBefore) return;
        bool fakeHeadCandidate = resolvedHead == page && (page & (linux.Layout.PageSize - 1)) == 0;
        cpu.Sim.ReportViolation(ViolationKind.WrongStructPage, [cpu.Id], page,
            $"{reader} on CPU{cpu.Id}: compound_head(struct page of PFN 0x{pfn:x}) gave 0x{resolvedHead:x}, but the page belongs to head 0x{truth:x}" +
            (fakeHeadCandidate ? " (a fake head was not fixed up)" : ""));
    }

    /// <summary>The head page <paramref name="page"/> belongs to now; readers take it before reading.</summary>
    public ulong TruthOf(ulong page) => linux.Folios.HeadPageOf(linux.Layout.PageToPfn(page));
}
