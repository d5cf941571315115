using HvoLab.Arch;
using Xunit;

namespace HvoLab.Arch.Tests;

public class WalkerTests
{
    [Theory]
    [InlineData("4k", 1)]
    [InlineData("4k", 2)]
    [InlineData("4k", 3)]
    [InlineData("16k", 2)]
    [InlineData("16k", 3)]
    [InlineData("64k", 2)]
    [InlineData("64k", 3)]
    public void WalkFindsLeafAtEachLegalLevel(string gname, int leafLevel)
    {
        var g = Granule.Parse(gname);
        var m = TestMachines.Make(g);
        var b = new PageTableBuilder(m);
        b.CreateRoot();
        ulong size = g.LevelSize(leafLevel);
        ulong va = TestMachines.Va + 3 * size;
        ulong pa = size; // aligned, inside 1 GiB for every legal block size (4K L1 = 1 GiB maps PA 1 GiB..: still an OA)
        b.Map(va, pa, size, Prot.PAGE_KERNEL, leafLevel);
        ulong probe = va + size / 2 + 8;
        var r = m.Translate(probe);
        Assert.True(r.Ok, r.Fault.ToString());
        Assert.Equal(leafLevel, r.Level);
        Assert.Equal(pa + size / 2 + 8, r.Pa);
        Assert.Equal(size, r.Size);
        Assert.Equal(g.StartLevel, r.FirstLevelRead);
        // 48-bit VA: 4 levels for 4K/16K, 3 for 64K; every level's descriptor PA is recorded.
        for (int l = g.StartLevel; l <= leafLevel; l++) Assert.NotEqual(0UL, r.DescPa[l]);
        Assert.Equal(r.LeafPa, r.DescPa[leafLevel]);
        Assert.Equal(leafLevel == 3 ? DescriptorKind.Page : DescriptorKind.Block, new Descriptor(r.Leaf).Kind(g, leafLevel));
    }

    [Fact]
    public void FaultsAreReportedWithTheirLevel()
    {
        var (m, b) = TestMachines.WithPages(Prot.PAGE_KERNEL);
        Assert.Equal(FaultKind.Translation, m.Translate(TestMachines.Va + (1UL << 30)).Fault);
        Assert.Equal(FaultKind.Translation, m.Translate(0x1000).Fault); // not a TTBR1 address
        b.SetDescriptor(TestMachines.Va, 3, Prot.PAGE_KERNEL & ~DescBits.AF | TestMachines.PagePa(m, 0));
        var r = m.Translate(TestMachines.Va);
        Assert.Equal(FaultKind.AccessFlag, r.Fault);
        Assert.Equal(3, r.Level);
        b.SetDescriptor(TestMachines.Va, 3, 0);
        Assert.Equal(3, m.Translate(TestMachines.Va).Level);
        b.SetDescriptor(TestMachines.Va + 0x1000, 3, Prot.PAGE_KERNEL | (1UL << 48));
        Assert.Equal(FaultKind.AddressSize, m.Translate(TestMachines.Va + 0x1000).Fault);
    }

    [Fact]
    public void ApTableForbidsWritesBelowIt()
    {
        var (m, b) = TestMachines.WithPages(Prot.PAGE_KERNEL);
        ulong pmdPa = b.DescriptorPa(TestMachines.Va, 2);
        m.Memory.WriteWord(pmdPa, m.Memory.ReadWord(pmdPa) | (2UL << DescBits.ApTableShift));
        Assert.True(m.Access(0, MemOp.Load(TestMachines.Va)).Ok);
        Assert.Equal(FaultKind.Permission, m.Access(0, MemOp.Store(TestMachines.Va, 1)).Fault);
    }

    [Fact]
    public void CasOnReadOnlyPageFaultsEvenWhenTheCompareFails()
    {
        var (m, _) = TestMachines.WithPages(Prot.PAGE_KERNEL_RO);
        m.Memory.Write(TestMachines.PagePa(m, 0), 7);
        var load = m.Access(1, MemOp.Load(TestMachines.Va));
        Assert.True(load.Ok);
        Assert.Equal(7UL, load.Value);
        var cas = m.Access(1, MemOp.Cas(TestMachines.Va, expected: 99, desired: 1));
        Assert.Equal(FaultKind.Permission, cas.Fault);
        Assert.Equal(7UL, m.ReadPhys(TestMachines.PagePa(m, 0)));
    }

    [Fact]
    public void AccessReadsAndWritesThroughTheTranslation()
    {
        var (m, _) = TestMachines.WithPages(Prot.PAGE_KERNEL);
        Assert.True(m.Access(0, MemOp.Store(TestMachines.Va + 0x1010, 0xAB, 1)).Ok);
        Assert.Equal(0xABUL, m.ReadPhys(TestMachines.PagePa(m, 1) + 0x10, 1));
        var add = m.Access(2, MemOp.Add(TestMachines.Va + 0x1010, 1, 1));
        Assert.Equal(0xABUL, add.Value);
        Assert.Equal(0xACUL, m.ReadPhys(TestMachines.PagePa(m, 1) + 0x10, 1));
    }
}

public class TableRegistrationTests
{
    [Fact]
    public void SettingTtbr1RegistersTablesBuiltWithPlainStores()
    {
        var m = TestMachines.Make(fill: TlbFillPolicy.OnAccess);
        var g = m.Granule;
        // Build root -> L1 -> L2 -> L3 by hand with WritePhys, before TTBR1 is set.
        ulong[] t = new ulong[4];
        for (int l = 0; l < 4; l++) { t[l] = m.Memory.Allocator.AllocFrame() << g.PageShift; m.Memory.ZeroFrame(t[l] >> g.PageShift); }
        ulong va = TestMachines.Va;
        for (int l = 0; l < 3; l++) m.WritePhys(0, t[l] + ((ulong)g.Index(va, l) << 3), Prot.TABLE | t[l + 1]);
        m.WritePhys(0, t[3] + ((ulong)g.Index(va, 3) << 3), Prot.PAGE_KERNEL | 0x200000);
        Assert.Equal(0, m.Tables.Count);
        m.Ttbr1 = t[0];
        Assert.Equal(4, m.Tables.Count);
        Assert.True(m.Tables.TryLocateDescriptor(t[3] + ((ulong)g.Index(va, 3) << 3), out int level, out ulong dva));
        Assert.Equal(3, level);
        Assert.Equal(va, dva);
        Assert.Equal(0x200000UL, m.Translate(va).Pa);
        // Later live writes are now judged by the oracle.
        m.WritePhys(0, t[3] + ((ulong)g.Index(va, 3) << 3), Prot.PAGE_KERNEL | 0x300000);
        Assert.Equal(BbmRules.RuleOaWritable, Assert.Single(m.Violations).Rule);
    }
}
