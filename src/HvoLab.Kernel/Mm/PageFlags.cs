using HvoLab.Arch;
using HvoLab.Engine;

namespace HvoLab.Kernel.Mm;

/// <summary>
/// The struct page accessors HVO's readers go through, as loads through the vmemmap (include/linux/page-flags.h,
/// include/linux/page_ref.h). Every field read is a separate load, unordered with the others (the model is
/// sequentially consistent, so "unordered" means "separate scheduling points": a writer may act between them).
/// </summary>
public sealed class PageFlags(Linux linux)
{
    private Layout L => linux.Layout;
    private bool FakeHeadDesign => linux.Config.Design == HvoDesign.FakeHead;

    /// <summary>page_fixed_fake_head(): only a PAGE_SIZE-aligned struct page with PG_head set can be a fake head;
    /// then page[1].compound_head (bit 0 set) names the real head.</summary>
    public async SimTask<ulong> PageFixedFakeHead(Cpu cpu, ulong page)
    {
        if (!FakeHeadDesign) return page;
        if (await cpu.LoadPhys(linux.Data.HugetlbOptimizeVmemmapKey) == 0) return page;   // static_branch_unlikely
        if ((page & (L.PageSize - 1)) != 0) return page;
        ulong flags = await cpu.Load(page + StructPage.Flags);
        if ((flags & StructPage.PG_head) == 0) return page;
        ulong head = await cpu.Load(page + (ulong)Layout.StructPageSize + StructPage.CompoundHead);
        return (head & 1) != 0 ? head - 1 : page;
    }

    /// <summary>_compound_head(): a tail's word 1 has bit 0 set and points at the head (fake-head design), or holds
    /// a mask (2026 design: compound_info; head = page &amp; mask).</summary>
    public async SimTask<ulong> CompoundHead(Cpu cpu, ulong page)
    {
        ulong info = await cpu.Load(page + StructPage.CompoundHead);
        if ((info & 1) != 0) return FakeHeadDesign ? info - 1 : page & (info & ~1UL);
        return await PageFixedFakeHead(cpu, page);
    }

    public async SimTask<bool> PageTail(Cpu cpu, ulong page)
    {
        ulong info = await cpu.Load(page + StructPage.CompoundHead);
        if ((info & 1) != 0) return true;
        return await PageFixedFakeHead(cpu, page) != page;
    }

    public async SimTask<bool> PageHead(Cpu cpu, ulong page)
    {
        ulong flags = await cpu.Load(page + StructPage.Flags);
        if ((flags & StructPage.PG_head) == 0) return false;
        return await PageFixedFakeHead(cpu, page) == page;
    }

    /// <summary>page_count_writable(): acquire-read of _refcount; no write if it equals u, or if the page is a fake
    /// head (its refcount may be the real head's, seen through a read-only alias).</summary>
    public async SimTask<bool> PageCountWritable(Cpu cpu, ulong page, uint u)
    {
        // atomic_read_acquire(&page->_refcount) (mm/hugetlb_vmemmap.c page_ref_add_unless() fix, bd225530a4c7).
        if ((uint)await cpu.Access(MemOp.Load(page + StructPage.RefCount, 4), returnFaults: false, MemOrder.Acquire) == u) return false;
        return await PageFixedFakeHead(cpu, page) == page;
    }

    /// <summary>page_ref_add_unless(page, nr, u): with the fix of bd225530a4c7 the check and the RMW run under
    /// rcu_read_lock() and only when page_count_writable(); reverting it leaves the bare atomic_add_unless, an LSE
    /// CAS loop that needs write permission even when its compare fails.</summary>
    public async SimTask<bool> PageRefAddUnless(Cpu cpu, ulong page, uint nr, uint u)
    {
        bool rcuFix = (linux.Config.Reverted & RevertedFix.RcuSync) == 0 && FakeHeadDesign;
        bool ret = false;
        if (rcuFix) await linux.Rcu.ReadLock(cpu);
        if (!rcuFix || await PageCountWritable(cpu, page, u)) ret = await AtomicAddUnless(cpu, page + StructPage.RefCount, nr, u);
        if (rcuFix) await linux.Rcu.ReadUnlock(cpu);
        return ret;
    }

    /// <summary>atomic_add_unless (include/linux/atomic/atomic-instrumented.h → try_cmpxchg loop).</summary>
    public static async SimTask<bool> AtomicAddUnless(Cpu cpu, ulong va, uint add, uint unless)
    {
        uint c = (uint)await cpu.Load(va, 4);
        while (true)
        {
            if (c == unless) return false;
            // atomic_try_cmpxchg(): fully ordered when it succeeds (Documentation/atomic_t.txt); a failed CAS writes nothing.
            uint old = (uint)await cpu.Cas(va, c, c + add, MemOrder.Full, 4);
            if (old == c) return true;
            c = old;
        }
    }

    /// <summary>folio_try_get / get_page_unless_zero: page_ref_add_unless(page, 1, 0).</summary>
    public SimTask<bool> GetPageUnlessZero(Cpu cpu, ulong page) => PageRefAddUnless(cpu, page, 1, 0);

    /// <summary>put_page / folio_put on a page we hold a reference to (the last put frees; not modelled here):
    /// folio_put_testzero's atomic_dec_and_test, fully ordered (Documentation/atomic_t.txt).</summary>
    public async SimTask PutPage(Cpu cpu, ulong page) => await cpu.FetchAdd(page + StructPage.RefCount, unchecked((ulong)(uint)-1) & 0xffff_ffffUL, MemOrder.Full, 4);
}
