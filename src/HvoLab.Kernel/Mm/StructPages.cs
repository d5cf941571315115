using HvoLab.Engine;

namespace HvoLab.Kernel.Mm;

/// <summary>
/// Initialising and tearing down the struct pages of a hugetlb folio (prep_compound_page / __prep_compound_gigantic_folio,
/// destroy_compound_hugetlb_folio in mm/hugetlb.c). The stores go to the frames currently backing the vmemmap and are
/// modelled as one step per folio, charged at one store per word written (simplification: readers racing with prep see
/// all or nothing; docs/kernel.md).
/// </summary>
public sealed class StructPages(Linux linux)
{
    private Layout L => linux.Layout;

    private ulong TailInfo(Folio f) => linux.Config.Design == HvoDesign.FakeHead
        ? f.HeadPage | 1
        : ~(f.Pages * (ulong)Layout.StructPageSize - 1) | 1;   // 2026: compound_info mask, head = page & mask

    public async SimTask PrepCompound(Cpu cpu, Folio f)
    {
        // One step: the stores happen right after the Bulk op, before any other CPU runs (3 words per struct page).
        await cpu.Bulk(f.Pages * 3 * linux.Cost.Hardware.MemAccessNs, cpu.Sim.Label("prep_compound_page"), f.HeadPage, f.HeadPage + f.Pages * (ulong)Layout.StructPageSize);
        PrepCompoundNow(f);
    }

    /// <summary>The stores of prep_compound_page without simulated time (boot-time setup of a scenario): every page a
    /// tail (flags 0, compound_head = the tail encoding, _mapcount -1 / _refcount 0 frozen), then the head's own fields
    /// and page 1's flags (folio->_flags_1 holds the order).</summary>
    public void PrepCompoundNow(Folio f)
    {
        ReadOnlySpan<FieldStore> every = [new(StructPage.Flags, 0), new(StructPage.CompoundHead, TailInfo(f)), new(StructPage.MapCount, FrozenCounts)];
        ReadOnlySpan<FieldStore> head = [new(StructPage.Flags, StructPage.PG_head | StructPage.PG_hugetlb), new(StructPage.CompoundHead, 0), new(StructPage.Private, 0)];
        ReadOnlySpan<FieldStore> first = [new(StructPage.Flags, (ulong)f.Order)];
        WriteFolio(f, every, head, first);
    }

    public async SimTask DestroyCompound(Cpu cpu, Folio f)
    {
        await cpu.Bulk(f.Pages * 3 * linux.Cost.Hardware.MemAccessNs, cpu.Sim.Label("destroy_compound_hugetlb_folio"), f.HeadPage, f.HeadPage + f.Pages * (ulong)Layout.StructPageSize);
        ReadOnlySpan<FieldStore> every = [new(StructPage.Flags, 0), new(StructPage.CompoundHead, 0), new(StructPage.MapCount, FrozenCounts)];
        ReadOnlySpan<FieldStore> head = [new(StructPage.Private, 0)];
        WriteFolio(f, every, head, []);
    }

    /// <summary>_mapcount = -1 (low half) and _refcount = 0 (high half) in one word.</summary>
    private const ulong FrozenCounts = 0x0000_0000_ffff_ffffUL;

    /// <summary>Fills the 2026 design's shared tail page: every struct page an identical tail of this order.</summary>
    public void FillSharedTailPage(ulong pfn, int order)
    {
        var probe = new Folio(0, order, L);
        var mem = linux.Arch.Memory;
        mem.FillRecords(pfn, StructPage.Flags / 8, 0);
        mem.FillRecords(pfn, StructPage.CompoundHead / 8, TailInfo(probe));
        mem.FillRecords(pfn, StructPage.MapCount / 8, FrozenCounts);
    }

    private readonly record struct FieldStore(int Offset, ulong Value);

    /// <summary>Stores <paramref name="every"/> into each struct page of the folio, then <paramref name="head"/> into
    /// page 0 and <paramref name="first"/> into page 1, into the frames that back the vmemmap now (unmapped vmemmap
    /// pages are skipped). A vmemmap page whose struct pages all belong to the folio is written field by field for
    /// all its struct pages at once, and shares storage with its predecessor when the two end up identical.</summary>
    private void WriteFolio(Folio f, ReadOnlySpan<FieldStore> every, ReadOnlySpan<FieldStore> head, ReadOnlySpan<FieldStore> first)
    {
        var mem = linux.Arch.Memory;
        ulong size = (ulong)Layout.StructPageSize;
        ulong lo = f.HeadPage, hi = f.HeadPage + f.Pages * size;
        for (ulong vpage = lo & ~(L.PageSize - 1); vpage < hi; vpage += L.PageSize)
        {
            if (linux.TranslateNow(vpage) is not ulong framePa) continue;
            ulong pfn = framePa >> L.PageShift;
            ulong from = Math.Max(lo, vpage), to = Math.Min(hi, vpage + L.PageSize);
            if (from == vpage && to == vpage + L.PageSize)
                foreach (var s in every) mem.FillRecords(pfn, s.Offset / 8, s.Value);
            else
                for (ulong sp = from; sp < to; sp += size)
                    foreach (var s in every) mem.Write(framePa + (sp - vpage) + (ulong)s.Offset, s.Value);
            StoreInto(framePa, vpage, lo, head);
            if (f.Pages > 1) StoreInto(framePa, vpage, lo + size, first);
            mem.ShareIfSameAsPrevious(pfn);
        }
    }

    /// <summary>The stores of one struct page at <paramref name="sp"/>, if it lies in the vmemmap page at <paramref name="vpage"/>.</summary>
    private void StoreInto(ulong framePa, ulong vpage, ulong sp, ReadOnlySpan<FieldStore> stores)
    {
        if (sp < vpage || sp >= vpage + L.PageSize) return;
        foreach (var s in stores) linux.Arch.Memory.Write(framePa + (sp - vpage) + (ulong)s.Offset, s.Value);
    }
}
