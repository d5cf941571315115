using HvoLab.Engine;

namespace HvoLab.Kernel;

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
        await cpu.Bulk(f.Pages * 3 * linux.Cost.MemAccessNs, cpu.Sim.Label("prep_compound_page"), f.HeadPage, f.HeadPage + f.Pages * (ulong)Layout.StructPageSize);
        PrepCompoundNow(f);
    }

    /// <summary>The stores of prep_compound_page without simulated time (boot-time setup of a scenario).</summary>
    public ulong PrepCompoundNow(Folio f)
    {
        return WriteFolio(f, (i, write) =>
        {
            if (i == 0)
            {
                write(StructPage.Flags, StructPage.PG_head | StructPage.PG_hugetlb);
                write(StructPage.CompoundHead, 0);
                write(StructPage.Private, 0);
            }
            else
            {
                write(StructPage.Flags, i == 1 ? (ulong)f.Order : 0);   // page 1: folio->_flags_1 holds the order
                write(StructPage.CompoundHead, TailInfo(f));
            }
            write(StructPage.MapCount, 0x0000_0000_ffff_ffffUL);        // _mapcount = -1, _refcount = 0 (frozen)
        });
    }

    public async SimTask DestroyCompound(Cpu cpu, Folio f)
    {
        await cpu.Bulk(f.Pages * 3 * linux.Cost.MemAccessNs, cpu.Sim.Label("destroy_compound_hugetlb_folio"), f.HeadPage, f.HeadPage + f.Pages * (ulong)Layout.StructPageSize);
        WriteFolio(f, (i, write) =>
        {
            write(StructPage.Flags, 0);
            write(StructPage.CompoundHead, 0);
            if (i == 0) write(StructPage.Private, 0);
            write(StructPage.MapCount, 0x0000_0000_ffff_ffffUL);
        });
    }

    /// <summary>Fills the 2026 design's shared tail page: every struct page an identical tail of this order.</summary>
    public void FillSharedTailPage(ulong pfn, int order)
    {
        var probe = new Folio(0, order, L);
        ulong pa = pfn << L.PageShift;
        for (int i = 0; i < L.StructPagesPerVmemmapPage; i++)
        {
            ulong sp = pa + (ulong)(i * Layout.StructPageSize);
            linux.Arch.Memory.Write(sp + StructPage.Flags, 0);
            linux.Arch.Memory.Write(sp + StructPage.CompoundHead, TailInfo(probe));
            linux.Arch.Memory.Write(sp + StructPage.MapCount, 0x0000_0000_ffff_ffffUL);
        }
    }

    /// <summary>Runs <paramref name="body"/> for every struct page of the folio, writing into the frame that backs
    /// its vmemmap page now. Returns the number of words written.</summary>
    private ulong WriteFolio(Folio f, Action<ulong, Action<int, ulong>> body)
    {
        ulong words = 0;
        ulong curVmemmapPage = ulong.MaxValue, framePa = 0;
        bool mapped = false;
        ulong spVa = 0;
        void Write(int off, ulong v)
        {
            if (!mapped) return;
            linux.Arch.Memory.Write(framePa + (spVa & (L.PageSize - 1)) + (ulong)off, v);
            words++;
        }
        for (ulong i = 0; i < f.Pages; i++)
        {
            spVa = f.HeadPage + i * (ulong)Layout.StructPageSize;
            ulong vpage = spVa & ~(L.PageSize - 1);
            if (vpage != curVmemmapPage)
            {
                curVmemmapPage = vpage;
                ulong? pa = linux.TranslateNow(vpage);
                mapped = pa is not null;
                framePa = pa ?? 0;
            }
            body(i, Write);
        }
        return words;
    }
}
