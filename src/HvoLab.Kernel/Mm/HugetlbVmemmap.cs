using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using HvoLab.Kernel.Primitives;
using HvoLab.Kernel.Workloads;

namespace HvoLab.Kernel.Mm;

/// <summary>
/// mm/hugetlb_vmemmap.c with the seed series' hooks (seed-series.md §2.1–2.2), folio level: optimize and restore of
/// one folio or a batch (HugetlbVmemmap.Folio.cs), the sizes, and the page helpers the walk uses. The walk itself
/// (vmemmap_remap_range, the PMD split, the PTE remap and restore) is <see cref="VmemmapRemapWalk"/>. Names follow the C.
/// </summary>
public sealed partial class HugetlbVmemmap
{
    public const int ENOMEM = -12;
    public const int ENOTSUPP = -524;
    /// <summary>VMEMMAP_REMAP_INCOMPLETE: the optimize walk failed and so did its rollback.</summary>
    public const int VmemmapRemapIncomplete = 1;

    private readonly Linux linux;

    public HugetlbVmemmap(Linux linux)
    {
        this.linux = linux;
        Walk = new VmemmapRemapWalk(linux, this);
    }

    /// <summary>The page-table walk of mm/hugetlb_vmemmap.c (vmemmap_remap_range and what it calls).</summary>
    public VmemmapRemapWalk Walk { get; }

    /// <summary>The 2026 in-place primitive, when the arch hooks implement it (null: the seed series' hooks).</summary>
    internal IVmemmapInPlaceUpdate? InPlace => Hooks as IVmemmapInPlaceUpdate;

    private Layout L => linux.Layout;
    private Granule G => L.Granule;
    private PageTableOps Pt => linux.Pt;
    private VmemmapArch Hooks => linux.Hooks;

    /// <summary>hugetlb_vmemmap_size(h): bytes of struct pages behind one hugepage.</summary>
    public ulong VmemmapSize(ulong hugepageBytes) => L.PagesPerHugepage(hugepageBytes) * (ulong)Layout.StructPageSize;

    /// <summary>hugetlb_vmemmap_optimizable_size(h) (mm/hugetlb_vmemmap.h): vmemmap − HUGETLB_VMEMMAP_RESERVE_SIZE,
    /// or 0 (not optimisable; contiguous-PTE sizes give 0 because their vmemmap is under one page).</summary>
    public ulong OptimizableSize(ulong hugepageBytes)
    {
        ulong size = VmemmapSize(hugepageBytes);
        return size > L.PageSize ? size - L.PageSize : 0;
    }

    internal async SimTask<ulong?> AllocPage(Cpu cpu)
    {
        await cpu.Work(linux.Cost.Kernel.PageAllocNs, cpu.Sim.Label("alloc_pages"));
        ulong? pfn = linux.Buddy.Alloc(0);
        if (pfn is ulong p) linux.Arch.Memory.ZeroFrame(p);
        return pfn;
    }

    internal void FreePage(ulong pfn) => linux.Buddy.Free(pfn, 0);

    /// <summary>copy_page(to, from): reads the source through its current mapping (one access that may fault or
    /// use a stale TLB entry, then the frame it resolved to is copied in one private step).</summary>
    internal async SimTask CopyPageFromVa(Cpu cpu, ulong dstPfn, ulong srcVa)
    {
        await cpu.Load(srcVa);
        double ns = linux.Cost.Hardware.CopyPage4KNs * (L.PageSize / 4096.0);
        if (cpu.Sim.HasStoreBuffers)
        {
            // Arm data model: the copy's stores stay in this CPU's store buffer until they drain, so the smp_wmb() that
            // follows (vmemmap_remap_pte) is what orders them before the PTE store that maps the copy.
            await cpu.StoreFrame(ns, cpu.Sim.Label("copy_page"), srcVa, srcVa + L.PageSize, dstPfn << G.PageShift, srcVa, 0, 0, (int)(L.PageSize / 8));
            return;
        }
        await cpu.Bulk(ns, cpu.Sim.Label("copy_page"), srcVa, srcVa + L.PageSize);
        ulong? srcPa = TranslateFor(cpu, srcVa);
        if (srcPa is ulong pa) CopyFrame(dstPfn, pa >> G.PageShift);
    }

    private ulong? TranslateFor(Cpu cpu, ulong va) => linux.TranslateNow(va);

    /// <summary>reset_struct_pages(): copy struct pages [4..8) over [0..4) of the new page, so the head's folio
    /// metadata (pages 0–3) is not duplicated into tails (NR_RESET_STRUCT_PAGE = 4).</summary>
    internal void ResetStructPages(ulong pfn)
    {
        ulong pa = pfn << G.PageShift;
        int n = StructPage.NrResetStructPage * Layout.StructPageSize;
        for (int off = 0; off < n; off += 8)
            linux.Arch.Memory.Write(pa + (ulong)off, linux.Arch.Memory.Read(pa + (ulong)(n + off)));
    }

    /// <summary>free_vmemmap_page_list(): old vmemmap pages go back to the allocator (after the flush, normally).</summary>
    internal void FreeVmemmapPageList(List<ulong> pages)
    {
        foreach (ulong pfn in pages)
        {
            linux.Monitors.OnVmemmapPageFreed(pfn);
            FreePage(pfn);
            linux.VmemmapPagesFreed++;
        }
        pages.Clear();
    }

    public void CopyFrame(ulong dstPfn, ulong srcPfn)
    {
        linux.Arch.Memory.CopyFrame(dstPfn, srcPfn);
    }
}
