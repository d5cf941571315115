using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using HvoLab.Kernel.Mm;
using HvoLab.Kernel.Primitives;
using HvoLab.Kernel.Workloads;
using Xunit;

namespace HvoLab.Kernel.Tests;

/// <summary>page_ref_add_unless / page_count_writable and the fake-head fixup (include/linux/page_ref.h,
/// page-flags.h), on one optimized 2 MiB folio (4K, fake-head design).</summary>
public class PageRefTests
{
    private sealed record Outcome(RunResult Run, List<object> Seen, Folio Folio);

    /// <summary>Optimizes one folio on CPU0 with the generic hooks (violations of the live rewrite do not stop the
    /// run), then runs <paramref name="after"/> on the same CPU.</summary>
    private static Outcome Optimized(KernelConfig config, Func<Linux, PageFlags, Folio, Cpu, List<object>, SimTask> after)
    {
        var sys = KernelSystems.Generic(Granule.K4, 256UL << 20, config);
        var linux = sys.Linux;
        var seen = new List<object>();
        Folio? folio = null;
        var r = KernelSystems.RunOnCpu0(sys, async cpu =>
        {
            folio = (await linux.Hugetlb.AllocFreshFolio(cpu, 9))!;
            await after(linux, new PageFlags(linux), folio, cpu, seen);
        });
        return new Outcome(r, seen, folio!);
    }

    private static string[] KernelKinds(RunResult r) => KernelSystems.Kinds(r).Where(k => !k.StartsWith("bbm:", StringComparison.Ordinal)).ToArray();

    [Fact]
    public void AddUnlessAddsOnlyWhenTheCountDiffersFromU()
    {
        var o = Optimized(new KernelConfig(), async (linux, pf, f, cpu, seen) =>
        {
            // An ordinary page outside the folio, in use with _refcount 1 (untouched struct pages read as free).
            ulong page = linux.Layout.PfnToPage(f.HeadPfn + f.Pages);
            ulong rc = page + StructPage.RefCount;
            await cpu.Store(rc, 1, 4);
            seen.Add(await pf.PageRefAddUnless(cpu, page, 2, 0));      // 1 → 3
            seen.Add((uint)await cpu.Load(rc, 4));
            seen.Add(await pf.PageRefAddUnless(cpu, page, 1, 3));      // equals u: no change
            seen.Add((uint)await cpu.Load(rc, 4));
            await cpu.Store(rc, 0, 4);
            seen.Add(await pf.GetPageUnlessZero(cpu, page));           // zero: no change
            seen.Add((uint)await cpu.Load(rc, 4));
        });
        Assert.Equal([true, 3u, false, 3u, false, 0u], o.Seen);
        Assert.Empty(KernelKinds(o.Run));
    }

    /// <summary>A fake head (struct page 64, read through the RO alias of the head's page) with the real head in
    /// use (refcount 1): page_count_writable sees a non-zero count, then page_fixed_fake_head says "fake", so no
    /// atomic is issued on the read-only page. compound_head and PageHead/PageTail are fixed up the same way.</summary>
    [Fact]
    public void FakeHeadIsNeverWrittenAndResolvesToTheRealHead()
    {
        var o = Optimized(new KernelConfig(), async (linux, pf, f, cpu, seen) =>
        {
            await cpu.Store(f.HeadPage + StructPage.RefCount, 1, 4);   // the folio is in use
            ulong fake = f.HeadPage + 64 * 64;
            seen.Add((await cpu.Load(fake + StructPage.Flags) & StructPage.PG_head) != 0);
            seen.Add(await pf.CompoundHead(cpu, fake) == f.HeadPage);
            seen.Add(await pf.PageHead(cpu, fake));
            seen.Add(await pf.PageTail(cpu, fake));
            seen.Add(await pf.GetPageUnlessZero(cpu, fake));
        });
        Assert.Equal([true, true, false, true, false], o.Seen);
        Assert.Empty(KernelKinds(o.Run));
    }

    [Fact]
    public void WithTheRcuFixRevertedTheBareCasWritesTheReadOnlyAlias()
    {
        var o = Optimized(new KernelConfig { Reverted = RevertedFix.RcuSync }, async (linux, pf, f, cpu, seen) =>
        {
            await cpu.Store(f.HeadPage + StructPage.RefCount, 1, 4);
            seen.Add(await pf.GetPageUnlessZero(cpu, f.HeadPage + 64 * 64));
        });
        Assert.Contains("write-to-ro-vmemmap", KernelKinds(o.Run));
    }

    /// <summary>The PFN walker on the fake head passes the wrong-struct-page monitor because page_fixed_fake_head
    /// fixes it up; with the static key forced off (as if HVO had not enabled it) the same read resolves to the
    /// fake head itself and the monitor fires: proof that the monitor can fail.</summary>
    [Theory]
    [InlineData(false, new string[0])]
    [InlineData(true, new[] { "wrong-struct-page" })]
    public void WalkerOnAFakeHeadIsFixedUpUnlessTheStaticKeyIsOff(bool forceKeyOff, string[] expected)
    {
        var o = Optimized(new KernelConfig(), async (linux, pf, f, cpu, seen) =>
        {
            if (forceKeyOff) await cpu.StorePhys(linux.Data.HugetlbOptimizeVmemmapKey, 0);
            var walker = Workload.Create(linux, new WorkloadSpec { Kind = "pfn-walker", TargetPfns = [f.HeadPfn + 64], Iterations = 1, PeriodNs = 0 });
            await walker.Run(cpu);
        });
        Assert.Equal(expected, KernelKinds(o.Run));
        if (forceKeyOff) Assert.Contains("a fake head was not fixed up", o.Run.Violations.First(v => v.Kind == "wrong-struct-page").Explanation);
    }
}
