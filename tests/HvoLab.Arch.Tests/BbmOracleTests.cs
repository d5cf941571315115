using HvoLab.Arch;
using Xunit;

namespace HvoLab.Arch.Tests;

public class BbmOracleTests
{
    private const ulong Va = TestMachines.Va;

    private static BbmViolation Only(ArchMachine m, string kind)
    {
        var v = Assert.Single(m.Violations, x => x.Kind == kind);
        return v;
    }

    [Fact]
    public void OaChangeOfWritablePageNeedsBbm()
    {
        var (m, b) = TestMachines.WithPages(Prot.PAGE_KERNEL);
        ulong ptePa = b.DescriptorPa(Va, 3);
        m.Now = 1234;
        m.WritePhys(0, ptePa, Prot.PAGE_KERNEL | TestMachines.PagePa(m, 3));
        var v = Only(m, BbmOracle.KindBbm);
        Assert.Equal(BbmRules.RuleOaWritable, v.Rule);
        Assert.Equal(Va, v.Va);
        Assert.Equal(ptePa, v.DescriptorPa);
        Assert.Equal(1234, v.TimeNs);
        Assert.Contains("D8.16.1", v.Rule);
    }

    [Fact]
    public void OaChangeOfReadOnlyPageWithDifferentContentsNeedsBbm()
    {
        var (m, b) = TestMachines.WithPages(Prot.PAGE_KERNEL_RO);
        m.Memory.Write(TestMachines.PagePa(m, 0), 1);
        m.Memory.Write(TestMachines.PagePa(m, 3), 2);
        m.WritePhys(0, b.DescriptorPa(Va, 3), Prot.PAGE_KERNEL_RO | TestMachines.PagePa(m, 3));
        Assert.Equal(BbmRules.RuleOaContents, Only(m, BbmOracle.KindBbm).Rule);
    }

    [Fact]
    public void OaChangeOfReadOnlyPageWithSameContentsIsAllowed()
    {
        var (m, b) = TestMachines.WithPages(Prot.PAGE_KERNEL_RO);
        m.Memory.Write(TestMachines.PagePa(m, 0) + 64, 0xfeed);
        m.Memory.Write(TestMachines.PagePa(m, 3) + 64, 0xfeed);
        Assert.True(m.Access(1, MemOp.Load(Va)).Ok);
        m.WritePhys(0, b.DescriptorPa(Va, 3), Prot.PAGE_KERNEL_RO | TestMachines.PagePa(m, 3));
        m.Barrier(0, BarrierKind.DsbIshSt);
        Assert.Empty(m.Violations);
        Assert.Equal(0xfeedUL, m.Access(1, MemOp.Load(Va + 64)).Value);
    }

    [Fact]
    public void AttrIndxChangeNeedsBbm()
    {
        var (m, b) = TestMachines.WithPages(Prot.PAGE_KERNEL);
        m.WritePhys(0, b.DescriptorPa(Va, 3), new Descriptor(Prot.PAGE_KERNEL | TestMachines.PagePa(m, 0)).WithAttrIndx(2).Value);
        Assert.Equal(BbmRules.RuleMemType, Only(m, BbmOracle.KindBbm).Rule);
    }

    [Fact]
    public void PermissionOnlyChangeNeedsNoBbmUnderEitherLens()
    {
        var (m, b) = TestMachines.WithPages(Prot.PAGE_KERNEL, lens: true);
        m.WritePhys(0, b.DescriptorPa(Va, 3), Prot.PAGE_KERNEL_RO | TestMachines.PagePa(m, 0));
        Assert.Empty(m.Violations);
    }

    [Fact]
    public void LinuxPgattrLensRejectsPfnChangeEvenWhenArchitectureAllowsIt()
    {
        var (m, b) = TestMachines.WithPages(Prot.PAGE_KERNEL_RO, lens: true);
        m.WritePhys(0, b.DescriptorPa(Va, 3), Prot.PAGE_KERNEL_RO | TestMachines.PagePa(m, 3)); // same (zero) contents
        var v = Only(m, BbmOracle.KindPgattr);
        Assert.Contains("pfn", v.Rule);
        Assert.DoesNotContain(m.Violations, x => x.Kind == BbmOracle.KindBbm);
    }

    private static (ArchMachine M, PageTableBuilder B, ulong PmdPa, ulong PteTable) BlockAndSplitTable(int bbm, TlbFillPolicy fill = TlbFillPolicy.Adversarial)
    {
        var m = TestMachines.Make(bbm: bbm, fill: fill);
        var b = new PageTableBuilder(m);
        b.Map(Va, 0x200000, 0x200000, Prot.PROT_SECT_NORMAL_WRITE, 2);
        ulong pmdPa = b.DescriptorPa(Va, 2);
        // The split table: same OA and attributes, as page entries (built off-line, not yet linked).
        ulong pte = b.AllocTable(Va, 3);
        for (ulong i = 0; i < 512; i++) m.Memory.WriteWord(pte + i * 8, Prot.PAGE_KERNEL_PreFix | (0x200000 + i * 0x1000));
        return (m, b, pmdPa, pte);
    }

    [Fact]
    public void BlockToTableSplitNeedsBbmWithoutBbml2()
    {
        var (m, _, pmdPa, pte) = BlockAndSplitTable(bbm: 0);
        m.WritePhys(0, pmdPa, Prot.TABLE | pte);
        Assert.Equal(BbmRules.RuleSize, Only(m, BbmOracle.KindBbm).Rule);
    }

    [Fact]
    public void BlockToTableSplitIsAllowedWithBbmLevel2()
    {
        var (m, _, pmdPa, pte) = BlockAndSplitTable(bbm: 2);
        Assert.True(m.Access(1, MemOp.Load(Va + 0x5000)).Ok);
        m.WritePhys(0, pmdPa, Prot.TABLE | pte);
        m.Barrier(0, BarrierKind.DsbIshSt);
        var r = m.Access(1, MemOp.Load(Va + 0x5000));
        Assert.True(r.Ok);
        Assert.Equal(0x205000UL, r.Pa);
        Assert.Empty(m.Violations);
    }

    [Fact]
    public void BlockToTableSplitWithBbmLevel1NeedsNtOrBbm()
    {
        var (m, _, pmdPa, pte) = BlockAndSplitTable(bbm: 1);
        m.WritePhys(0, pmdPa, Prot.TABLE | pte);
        Assert.Equal(BbmRules.RuleSize, Only(m, BbmOracle.KindBbm).Rule);
    }

    [Fact]
    public void UnsafeSplitGivesATlbConflictOnAccess()
    {
        var (m, _, pmdPa, pte) = BlockAndSplitTable(bbm: 0);
        Assert.True(m.Access(1, MemOp.Load(Va + 0x5000)).Ok);    // CPU 1 holds the 2 MiB block
        m.WritePhys(0, pmdPa, Prot.TABLE | pte);                  // split without BBM
        m.Barrier(0, BarrierKind.DsbIshSt);
        var r = m.Access(1, MemOp.Load(Va + 0x5000));
        Assert.Equal(FaultKind.TlbConflict, r.Fault);
        Assert.Equal(BbmOracle.KindConflict, m.Violations[^1].Kind);
    }

    [Fact]
    public void MakeWhileStaleIsReported()
    {
        var (m, b) = TestMachines.WithPages(Prot.PAGE_KERNEL, fill: TlbFillPolicy.OnAccess);
        ulong ptePa = b.DescriptorPa(Va, 3);
        Assert.True(m.Access(1, MemOp.Load(Va)).Ok);
        m.WritePhys(0, ptePa, 0);
        m.Barrier(0, BarrierKind.DsbIshSt);
        m.WritePhys(0, ptePa, Prot.PAGE_KERNEL | TestMachines.PagePa(m, 3)); // no TLBI between break and make
        var v = Only(m, BbmOracle.KindStale);
        Assert.Contains("CPU 1", v.Rule);
        Assert.Equal(Prot.PAGE_KERNEL | TestMachines.PagePa(m, 0), v.OldDescriptor);
    }

    [Fact]
    public void TlbiBeforeTheBreakIsVisibleDoesNotProtectUnderAdversarialFill()
    {
        var (m, b) = TestMachines.WithPages(Prot.PAGE_KERNEL);
        ulong ptePa = b.DescriptorPa(Va, 3);
        m.WritePhys(0, ptePa, 0);
        m.Tlbi(0, TlbiOp.VAALE1IS, Va);                          // missing DSB ISHST before the TLBI
        m.Barrier(0, BarrierKind.DsbIsh);
        m.WritePhys(0, ptePa, Prot.PAGE_KERNEL | TestMachines.PagePa(m, 3));
        Assert.Equal(BbmOracle.KindStale, Assert.Single(m.Violations).Kind);
    }

    [Fact]
    public void LastLevelTlbiDoesNotCoverRemovedTable()
    {
        var (m, b) = TestMachines.WithPages(Prot.PAGE_KERNEL);
        ulong pmdPa = b.DescriptorPa(Va, 2);
        m.WritePhys(0, pmdPa, 0);
        m.Barrier(0, BarrierKind.DsbIshSt);
        m.Tlbi(0, TlbiOp.VAALE1IS, Va);                          // leaf-only: walk caches keep the old table
        m.Barrier(0, BarrierKind.DsbIsh);
        m.WritePhys(0, pmdPa, Prot.PROT_SECT_NORMAL_WRITE | 0x400000);
        Assert.Equal(BbmOracle.KindStale, Assert.Single(m.Violations).Kind);
    }

    [Theory]
    [InlineData(TlbFillPolicy.Adversarial)]
    [InlineData(TlbFillPolicy.OnAccess)]
    public void CorrectBreakBeforeMakeSequenceIsAccepted(TlbFillPolicy fill)
    {
        var (m, b) = TestMachines.WithPages(Prot.PAGE_KERNEL, fill: fill);
        ulong ptePa = b.DescriptorPa(Va, 3);
        for (int cpu = 0; cpu < m.Cpus; cpu++) Assert.True(m.Access(cpu, MemOp.Load(Va)).Ok);
        m.Memory.Write(TestMachines.PagePa(m, 3), 77);
        m.WritePhys(0, ptePa, 0);
        m.Barrier(0, BarrierKind.DsbIshSt);
        m.Tlbi(0, TlbiOp.VAALE1IS, Va);
        m.Barrier(0, BarrierKind.DsbIsh);
        m.WritePhys(0, ptePa, Prot.PAGE_KERNEL | TestMachines.PagePa(m, 3));
        m.Barrier(0, BarrierKind.DsbIshSt);
        Assert.Empty(m.Violations);
        for (int cpu = 0; cpu < m.Cpus; cpu++) Assert.Equal(77UL, m.Access(cpu, MemOp.Load(Va)).Value);
    }

    [Fact]
    public void CorrectSplitWithBreakBeforeMakeIsAccepted()
    {
        var (m, _, pmdPa, pte) = BlockAndSplitTable(bbm: 0);
        for (int cpu = 0; cpu < m.Cpus; cpu++) Assert.True(m.Access(cpu, MemOp.Load(Va + 0x5000)).Ok);
        m.WritePhys(0, pmdPa, 0);
        m.Barrier(0, BarrierKind.DsbIshSt);
        m.Tlbi(0, TlbiOp.VAALE1IS, Va);
        m.Barrier(0, BarrierKind.DsbIsh);
        m.WritePhys(0, pmdPa, Prot.TABLE | pte);
        m.Barrier(0, BarrierKind.DsbIshSt);
        Assert.Empty(m.Violations);
        for (int cpu = 0; cpu < m.Cpus; cpu++) Assert.Equal(0x205008UL, m.Access(cpu, MemOp.Load(Va + 0x5008)).Pa);
    }

    [Fact]
    public void MissingDsbAfterTlbiIsMakeWhileStale()
    {
        var (m, b) = TestMachines.WithPages(Prot.PAGE_KERNEL);
        ulong ptePa = b.DescriptorPa(Va, 3);
        m.WritePhys(0, ptePa, 0);
        m.Barrier(0, BarrierKind.DsbIshSt);
        m.Tlbi(0, TlbiOp.VAALE1IS, Va);                          // never completed: no DSB ISH
        m.WritePhys(0, ptePa, Prot.PAGE_KERNEL | TestMachines.PagePa(m, 3));
        Assert.Equal(BbmOracle.KindStale, Assert.Single(m.Violations).Kind);
        Assert.Equal(1, m.PendingTlbiCount(0));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    public void ContiguousBitChangeNeedsBbmOnlyWithoutBbml1(int bbm, bool reported)
    {
        var (m, b) = TestMachines.WithPages(Prot.PAGE_KERNEL, bbm: bbm);
        m.WritePhys(0, b.DescriptorPa(Va, 3), Prot.PAGE_KERNEL | DescBits.Cont | TestMachines.PagePa(m, 0));
        Assert.Equal(reported, m.Violations.Any(v => v.Rule == BbmRules.RuleCont));
    }

    [Fact]
    public void NonGlobalToGlobalNeedsBbm()
    {
        var (m, b) = TestMachines.WithPages(Prot.PAGE_KERNEL | DescBits.NG);
        m.WritePhys(0, b.DescriptorPa(Va, 3), Prot.PAGE_KERNEL | TestMachines.PagePa(m, 0));
        Assert.Equal(BbmRules.RuleGlobal, Only(m, BbmOracle.KindBbm).Rule);
    }

    [Fact]
    public void InvalidAndAccessFlagClearEntriesNeverNeedBbm()
    {
        var (m, b) = TestMachines.WithPages(Prot.PAGE_KERNEL & ~DescBits.AF);
        ulong ptePa = b.DescriptorPa(Va, 3);
        Assert.Equal(FaultKind.AccessFlag, m.Access(1, MemOp.Load(Va)).Fault);
        m.WritePhys(0, ptePa, Prot.PAGE_KERNEL | TestMachines.PagePa(m, 3)); // AF=0 was never cacheable
        Assert.Empty(m.Violations);
    }
}
