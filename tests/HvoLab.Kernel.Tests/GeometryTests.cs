using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using HvoLab.Kernel.Mm;
using HvoLab.Kernel.Primitives;
using HvoLab.Kernel.Workloads;
using Xunit;

namespace HvoLab.Kernel.Tests;

/// <summary>
/// Issue acceptance for the remap geometry (kernel-hvo.md §1–§3): after optimizing one folio, the live tables map
/// vmemmap page 0 RW onto a fresh copy of the head page and pages 1…N−1 RO onto one frame; N−1 frames go back to the
/// allocator; compound_head() of every struct page still names the head (fake heads fixed up); after restore each
/// vmemmap page has its own writable frame again with correct tail struct pages.
/// </summary>
public class GeometryTests
{
    public static TheoryData<string, ulong, HvoDesign, ulong> Cases => new()
    {
        { "4k", 2UL << 20, HvoDesign.FakeHead, 256UL << 20 },
        { "4k", 2UL << 20, HvoDesign.SharedTail2026, 256UL << 20 },
        { "4k", 32UL << 20, HvoDesign.FakeHead, 256UL << 20 },
        { "16k", 32UL << 20, HvoDesign.FakeHead, 256UL << 20 },
        { "16k", 32UL << 20, HvoDesign.SharedTail2026, 256UL << 20 },
        { "64k", 512UL << 20, HvoDesign.FakeHead, 2UL << 30 },
        { "64k", 512UL << 20, HvoDesign.SharedTail2026, 2UL << 30 },
    };

    /// <summary>What one execution observed, captured inside the simulated body (a Simulator runs once).</summary>
    private sealed class Observed
    {
        public Folio Folio = null!;
        public VmemmapMapping[] Before = [], Optimized = [], Restored = [];
        public ulong[] HeadsOptimized = [], HeadsRestored = [];
        public ulong[] FlagsOptimized = [], FlagsRestored = [], Word1Restored = [];
        public long FreedNet, BuddyDeltaOptimize;
        public ulong OldHeadFrameCopyEqual;   // 1 when the new head frame holds the old head page's bytes
        public int RestoreRet = -1;
    }

    private static Observed Run(Granule g, ulong hugepage, HvoDesign design, ulong memory, int structPageStride = 1)
    {
        var sys = KernelSystems.Generic(g, memory, new KernelConfig { Design = design });
        var linux = sys.Linux;
        var flags = new PageFlags(linux);
        var o = new Observed();
        int order = linux.Hugetlb.OrderOf(hugepage);
        var r = KernelSystems.RunOnCpu0(sys, async cpu =>
        {
            // Allocate without optimizing first, to record the boot mapping and the old head page's bytes.
            var f = (await linux.Hugetlb.AllocFreshFolio(cpu, order, optimize: false))!;
            o.Folio = f;
            o.Before = VmemmapView.Of(linux, f);
            ulong oldHead = o.Before[0].Pfn;
            var oldBytes = FrameWords(linux, oldHead);
            ulong buddy0 = linux.Buddy.FreePages;
            await linux.Hvo.HugetlbVmemmapOptimizeFolio(cpu, f);
            o.BuddyDeltaOptimize = (long)linux.Buddy.FreePages - (long)buddy0;
            o.FreedNet = linux.VmemmapPagesFreed - linux.VmemmapPagesAllocated;
            o.Optimized = VmemmapView.Of(linux, f);
            // The new head frame was filled by copy_page before the old one went back to the allocator.
            var newBytes = FrameWords(linux, o.Optimized[0].Pfn);
            o.OldHeadFrameCopyEqual = Enumerable.Range(0, oldBytes.Length).All(i => i == 5 || oldBytes[i] == newBytes[i]) ? 1UL : 0;
            (o.HeadsOptimized, o.FlagsOptimized, _) = await ReadAll(cpu, flags, f, structPageStride);
            o.RestoreRet = await linux.Hvo.HugetlbVmemmapRestoreFolio(cpu, f);
            o.Restored = VmemmapView.Of(linux, f);
            (o.HeadsRestored, o.FlagsRestored, o.Word1Restored) = await ReadAll(cpu, flags, f, structPageStride);
        });
        Assert.True(r.Error is null, r.Error);
        // The generic hooks rewrite live entries (no BBM): the Arch oracle reports exactly that and nothing else.
        Assert.All(KernelSystems.Kinds(r), k => Assert.Equal("bbm:bbm", k));
        return o;
    }

    private static ulong[] FrameWords(Linux linux, ulong pfn)
    {
        // Word 5 of struct page 0 is folio->private, where the optimized flag is set before the copy ("Very Subtle").
        var words = new ulong[linux.Layout.PageSize / 8];
        for (int i = 0; i < words.Length; i++) words[i] = linux.Arch.Memory.Read((pfn << linux.Layout.PageShift) + (ulong)(8 * i));
        return words;
    }

    /// <summary>compound_head(), flags and word 1 of struct pages 0, stride, 2·stride … and of every page-aligned
    /// struct page (the candidates for fake heads), each read on the CPU through the live vmemmap.</summary>
    private static async SimTask<(ulong[] Heads, ulong[] Flags, ulong[] Word1)> ReadAll(Cpu cpu, PageFlags pf, Folio f, int stride)
    {
        var heads = new ulong[f.Pages];
        var fl = new ulong[f.Pages];
        var w1 = new ulong[f.Pages];
        int perPage = (int)(cpu.Sim.Arch.Granule.PageSize / Layout.StructPageSize);
        for (ulong i = 0; i < f.Pages; i++)
        {
            if (stride > 1 && i % (ulong)stride != 0 && i % (ulong)perPage != 0) continue;
            ulong page = f.HeadPage + i * (ulong)Layout.StructPageSize;
            heads[i] = await pf.CompoundHead(cpu, page);
            fl[i] = await cpu.Load(page + StructPage.Flags);
            w1[i] = await cpu.Load(page + StructPage.CompoundHead);
        }
        return (heads, fl, w1);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OptimizeThenRestore(string granule, ulong hugepage, HvoDesign design, ulong memory)
    {
        var g = Granule.Parse(granule);
        var o = Run(g, hugepage, design, memory);
        Check(g, hugepage, design, o, stride: 1);
    }

    /// <summary>1 GiB on 4K: 4096 vmemmap pages over 8 PMD blocks, 8 splits, 4095 pages freed. compound_head is
    /// read for every 61st struct page and every page-aligned one (all 4095 fake-head candidates).</summary>
    [Fact]
    public void Gigantic1GOn4K()
    {
        var o = Run(Granule.K4, 1UL << 30, HvoDesign.FakeHead, 2UL << 30, structPageStride: 61);
        Check(Granule.K4, 1UL << 30, HvoDesign.FakeHead, o, stride: 61);
    }

    private static void Check(Granule g, ulong hugepage, HvoDesign design, Observed o, int stride)
    {
        var f = o.Folio;
        int n = (int)(hugepage / g.PageSize * 64 / g.PageSize);
        int perPage = (int)(g.PageSize / 64);
        Assert.Equal(n, o.Before.Length);
        // Boot mapping: 4K maps the vmemmap with PMD blocks, 16K/64K with base pages (arm64 vmemmap_populate).
        Assert.All(o.Before, m => Assert.Equal(g.PageShift == 12 ? 2 : 3, m.Level));
        Assert.Equal(n, o.Before.Select(m => m.Pfn).Distinct().Count());

        // After optimize: page 0 RW on a new frame holding the old head page's bytes; pages 1…N−1 RO on one frame.
        Assert.All(o.Optimized, m => Assert.Equal(3, m.Level));
        Assert.True(o.Optimized[0].Writable);
        Assert.DoesNotContain(o.Optimized[0].Pfn, o.Before.Select(m => m.Pfn));
        Assert.Equal(1UL, o.OldHeadFrameCopyEqual);
        var tails = o.Optimized.Skip(1).ToArray();
        Assert.All(tails, m => Assert.False(m.Writable));
        Assert.Single(tails.Select(m => m.Pfn).Distinct());
        if (design == HvoDesign.FakeHead) Assert.Equal(o.Optimized[0].Pfn, tails[0].Pfn);      // tails alias the head copy
        else Assert.NotEqual(o.Optimized[0].Pfn, tails[0].Pfn);                                // the shared tail page

        // N−1 frames net back to the allocator; the buddy also paid one PTE table per PMD split (4K only).
        Assert.Equal(n - 1, o.FreedNet);
        long splits = g.PageShift == 12 ? Math.Max(1, (long)(n * (long)g.PageSize / (long)g.PmdSize)) : 0;
        Assert.Equal(n - 1 - splits, o.BuddyDeltaOptimize);

        for (ulong i = 0; i < f.Pages; i++)
        {
            if (stride > 1 && i % (ulong)stride != 0 && i % (ulong)perPage != 0) continue;
            ulong page = f.HeadPage + i * 64;
            Assert.True(o.HeadsOptimized[i] == f.HeadPage, $"optimized: compound_head(struct page {i}) = 0x{o.HeadsOptimized[i]:x}, head 0x{f.HeadPage:x}");
            Assert.True(o.HeadsRestored[i] == f.HeadPage, $"restored: compound_head(struct page {i}) = 0x{o.HeadsRestored[i]:x}, head 0x{f.HeadPage:x}");
            bool pageAligned = i % (ulong)perPage == 0;
            // Fake heads: page-aligned tails read the head's PG_head through the shared frame (fake-head design).
            if (design == HvoDesign.FakeHead && i > 0 && pageAligned)
                Assert.True((o.FlagsOptimized[i] & StructPage.PG_head) != 0, $"struct page {i} should read the head's flags through the alias");
            if (i > 0)
            {
                Assert.True((o.FlagsRestored[i] & StructPage.PG_head) == 0, $"restored struct page {i} still looks like a head");
                ulong expect = design == HvoDesign.FakeHead ? f.HeadPage | 1 : ~(f.Pages * 64 - 1) | 1;
                Assert.True(o.Word1Restored[i] == expect, $"restored struct page {i}: word 1 = 0x{o.Word1Restored[i]:x}, expected 0x{expect:x}");
            }
            _ = page;
        }
        Assert.True((o.FlagsRestored[0] & StructPage.PG_head) != 0);

        // After restore: N distinct writable frames; the head page keeps its frame; the tails got fresh ones.
        Assert.Equal(0, o.RestoreRet);
        Assert.All(o.Restored, m => Assert.True(m.Writable));
        Assert.Equal(n, o.Restored.Select(m => m.Pfn).Distinct().Count());
        Assert.Equal(o.Optimized[0].Pfn, o.Restored[0].Pfn);
        Assert.DoesNotContain(tails[0].Pfn, o.Restored.Skip(1).Select(m => m.Pfn));
        Assert.False(f.Optimized);
    }
}
