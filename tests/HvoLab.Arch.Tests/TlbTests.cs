using HvoLab.Arch;
using Xunit;

namespace HvoLab.Arch.Tests;

public class TlbTests
{
    private const ulong Va = TestMachines.Va;

    [Theory]
    [InlineData(TlbFillPolicy.OnAccess)]
    [InlineData(TlbFillPolicy.Adversarial)]
    public void StaleEntryTranslatesOnAnotherCpuUntilTlbiAndDsbComplete(TlbFillPolicy fill)
    {
        var (m, b) = TestMachines.WithPages(Prot.PAGE_KERNEL, fill: fill);
        ulong ptePa = b.DescriptorPa(Va, 3);
        Assert.True(m.Access(1, MemOp.Load(Va)).Ok);                 // CPU 1 caches the translation

        m.WritePhys(0, ptePa, 0);                                     // pte_clear on CPU 0
        Assert.True(m.Access(1, MemOp.Load(Va)).Ok);
        m.Barrier(0, BarrierKind.DsbIshSt);
        Assert.True(m.Access(1, MemOp.Load(Va)).Ok);
        m.Tlbi(0, TlbiOp.VAALE1IS, Va);
        Assert.True(m.Access(1, MemOp.Load(Va)).Ok);                 // issued, not complete
        m.Barrier(1, BarrierKind.DsbIsh);                             // another CPU's DSB does not complete it
        Assert.True(m.Access(1, MemOp.Load(Va)).Ok);
        m.Barrier(0, BarrierKind.DsbIsh);                             // issuer's DSB ISH: complete everywhere
        for (int i = 0; i < 3; i++)
            for (int cpu = 0; cpu < m.Cpus; cpu++)
                Assert.Equal(FaultKind.Translation, m.Access(cpu, MemOp.Load(Va)).Fault);
        Assert.Empty(m.Violations);
    }

    [Fact]
    public void WalkersSeeADescriptorStoreOnlyAfterTheWritersDsb()
    {
        var (m, b) = TestMachines.WithPages(Prot.PAGE_KERNEL, fill: TlbFillPolicy.OnAccess);
        ulong ptePa = b.DescriptorPa(Va + 0x1000, 3);
        m.WritePhys(0, ptePa, 0);
        Assert.True(m.Translate(Va + 0x1000).Ok);                     // old value still visible to walkers
        Assert.Equal(0UL, m.ReadPhys(ptePa));                         // software sees the new value
        m.Barrier(0, BarrierKind.DmbIsh);
        Assert.True(m.Translate(Va + 0x1000).Ok);
        m.Barrier(0, BarrierKind.DsbIshSt);
        Assert.Equal(FaultKind.Translation, m.Translate(Va + 0x1000).Fault);
    }

    [Fact]
    public void TlbiByVaLeavesOtherVasCached()
    {
        var (m, _) = TestMachines.WithPages(Prot.PAGE_KERNEL, fill: TlbFillPolicy.OnAccess);
        for (int i = 0; i < 4; i++) Assert.True(m.Access(2, MemOp.Load(Va + (ulong)i * 0x1000)).Ok);
        Assert.Equal(4, m.TlbOf(2).LeafCount);
        m.Tlbi(0, TlbiOp.VAAE1IS, Va + 0x1000 + 0x123);
        m.Barrier(0, BarrierKind.DsbIsh);
        Assert.Equal(0, m.TlbOf(2).LookupLeaves(Va + 0x1000, out _, out _));
        Assert.Equal(1, m.TlbOf(2).LookupLeaves(Va, out _, out _));
        Assert.Equal(1, m.TlbOf(2).LookupLeaves(Va + 0x2000, out _, out _));
        Assert.Equal(3, m.TlbOf(2).LeafCount);
        // The all-levels form also removed the walk-cache path, which Va + 0x2000 shares (same tables).
        Assert.False(m.TlbOf(2).DeepestWalk(Va + 0x2000, out _));
    }

    [Fact]
    public void LastLevelTlbiKeepsWalkCacheEntriesAndVmalleClearsAll()
    {
        var (m, _) = TestMachines.WithPages(Prot.PAGE_KERNEL, fill: TlbFillPolicy.OnAccess);
        Assert.True(m.Access(1, MemOp.Load(Va)).Ok);
        Assert.True(m.TlbOf(1).DeepestWalk(Va, out var we));
        Assert.Equal(2, we.Level);
        m.Tlbi(0, TlbiOp.VAALE1IS, Va);
        m.Barrier(0, BarrierKind.DsbIsh);
        Assert.Equal(0, m.TlbOf(1).LeafCount);
        Assert.True(m.TlbOf(1).DeepestWalk(Va, out _));
        m.Tlbi(0, TlbiOp.VMALLE1IS);
        m.Barrier(0, BarrierKind.DsbSy);
        Assert.Equal(0, m.TlbOf(1).WalkCount);
    }

    [Fact]
    public void LocalTlbiAffectsOnlyTheIssuer()
    {
        var (m, _) = TestMachines.WithPages(Prot.PAGE_KERNEL, fill: TlbFillPolicy.OnAccess);
        Assert.True(m.Access(0, MemOp.Load(Va)).Ok);
        Assert.True(m.Access(1, MemOp.Load(Va)).Ok);
        m.Tlbi(0, TlbiOp.VALE1, Va);
        m.Barrier(0, BarrierKind.DsbIsh);
        Assert.Equal(0, m.TlbOf(0).LeafCount);
        Assert.Equal(1, m.TlbOf(1).LeafCount);
    }

    [Fact]
    public void RangeTlbiNeedsFeatTlbiRange()
    {
        var (m, _) = TestMachines.WithPages(Prot.PAGE_KERNEL, fill: TlbFillPolicy.OnAccess);
        Assert.True(m.Access(1, MemOp.Load(Va)).Ok);
        m.Tlbi(0, TlbiOp.RVAALE1IS, Va, 4);
        m.Barrier(0, BarrierKind.DsbIsh);
        var v = Assert.Single(m.Violations);
        Assert.Equal(BbmOracle.KindTlbiRange, v.Kind);
        Assert.Equal(1, m.TlbOf(1).LeafCount);

        var m2 = TestMachines.Make(fill: TlbFillPolicy.OnAccess, tlbiRange: true);
        var b2 = new PageTableBuilder(m2);
        b2.Map(Va, 0x200000, 0x4000, Prot.PAGE_KERNEL);
        for (int i = 0; i < 4; i++) Assert.True(m2.Access(1, MemOp.Load(Va + (ulong)i * 0x1000)).Ok);
        m2.Tlbi(0, TlbiOp.RVAALE1IS, Va + 0x1000, 2);
        m2.Barrier(0, BarrierKind.DsbIsh);
        Assert.Equal(2, m2.TlbOf(1).LeafCount);
        Assert.Empty(m2.Violations);
    }

    [Fact]
    public void ReverseIndexTracksWhichCpusHoldADescriptor()
    {
        var (m, b) = TestMachines.WithPages(Prot.PAGE_KERNEL, fill: TlbFillPolicy.OnAccess);
        ulong ptePa = b.DescriptorPa(Va, 3);
        m.Access(1, MemOp.Load(Va));
        m.Access(3, MemOp.Load(Va + 8));
        var holders = m.Holders.Holders(ptePa);
        Assert.Equal(2, holders.Count);
        Assert.True(holders.Has(1) && holders.Has(3));
        m.Tlbi(0, TlbiOp.VAALE1IS, Va);
        m.Barrier(0, BarrierKind.DsbIsh);
        Assert.True(m.Holders.Holders(ptePa).IsEmpty);
    }
}
