using CsCheck;
using HvoLab.Arch;
using Xunit;

namespace HvoLab.Arch.Tests;

public class DescriptorTests
{
    private static readonly Granule[] Granules = [Granule.K4, Granule.K16, Granule.K64];

    /// <summary>Reading every field of a random value and rebuilding it with the With... methods from 0 gives the
    /// same value, at every level of every granule.</summary>
    [Fact]
    public void EveryFieldRoundTripsAtEveryLevelAndGranule()
    {
        Gen.Select(Gen.ULong, Gen.Int[0, 2], Gen.Int[0, 3]).Sample(t =>
        {
            var (raw, gi, levelPick) = t;
            var g = Granules[gi];
            int level = Math.Max(g.StartLevel, levelPick);
            var d = new Descriptor(raw);
            var kind = d.Kind(g, level);
            var rebuilt = new Descriptor(0)
                .WithValid(d.Valid).WithTableOrPageBit((raw & 2) != 0).WithAttrIndx(d.AttrIndx).WithNS(d.NS).WithAP(d.AP)
                .WithSH(d.SH).WithAF(d.AF).WithNG(d.NG).WithNT(d.NT).WithGP(d.GP).WithDBM(d.DBM).WithContiguous(d.Contiguous)
                .WithPXN(d.PXN).WithUXN(d.UXN).WithPteDirty(d.PteDirty).WithPteSpecial(d.PteSpecial).WithPteDevmap(d.PteDevmap)
                .WithPteProtNone(d.PteProtNoneOrUffdWp).WithPXNTable(d.PXNTable).WithUXNTable(d.UXNTable).WithAPTable(d.APTable)
                .WithNSTable(d.NSTable);
            // Bits no named flag covers are the address bits [49:12] except nT (bit 16).
            ulong addressBits = (((1UL << 50) - 1) & ~((1UL << 12) - 1)) & ~DescBits.NT;
            Assert.Equal(0UL, rebuilt.Value & addressBits);
            Assert.Equal(raw, rebuilt.Value | (raw & addressBits));
            Assert.Equal(raw & DescBits.AddressMask(g.PageShift), d.PageAddress(g));
            if (kind is DescriptorKind.Block or DescriptorKind.Page)
            {
                ulong oa = d.OutputAddress(g, level);
                Assert.Equal(0UL, oa & (g.LevelSize(level) - 1));
                Assert.Equal(oa, new Descriptor(raw & ~DescBits.AddressMask(g.PageShift)).WithOutputAddress(oa, g, level).OutputAddress(g, level));
            }
            Assert.Equal(d.PteWrite, d.DBM);
            Assert.Equal(!d.Valid && d.NG, d.PtePresentInvalid);
        });
    }

    /// <summary>Setting each field through With... then reading it back gives the value set.</summary>
    [Fact]
    public void WithThenReadGivesTheFieldBack()
    {
        Gen.Select(Gen.ULong, Gen.Int[0, 7], Gen.Int[0, 3], Gen.Int[0, 3], Gen.Bool).Sample(t =>
        {
            var (raw, attr, sh, ap, flag) = t;
            var d = new Descriptor(raw).WithAttrIndx(attr).WithSH(sh).WithAP(ap).WithAPTable(sh).WithAF(flag).WithNG(!flag)
                .WithContiguous(flag).WithPXN(!flag).WithUXN(flag).WithDBM(!flag).WithNT(flag).WithGP(!flag).WithNSTable(flag);
            Assert.Equal(attr, d.AttrIndx); Assert.Equal(sh, d.SH); Assert.Equal(ap, d.AP); Assert.Equal(sh, d.APTable);
            Assert.Equal((ap & 2) != 0, d.ReadOnly); Assert.Equal((ap & 1) != 0, d.User);
            Assert.Equal(flag, d.AF); Assert.Equal(!flag, d.NG); Assert.Equal(flag, d.Contiguous); Assert.Equal(!flag, d.PXN);
            Assert.Equal(flag, d.UXN); Assert.Equal(!flag, d.DBM); Assert.Equal(flag, d.NT); Assert.Equal(!flag, d.GP); Assert.Equal(flag, d.NSTable);
        });
    }

    [Theory]
    [InlineData("4k", 1, 30)]
    [InlineData("4k", 2, 21)]
    [InlineData("16k", 2, 25)]
    [InlineData("64k", 2, 29)]
    public void BlockOutputAddressUsesTheLevelShift(string gname, int level, int shift)
    {
        var g = Granule.Parse(gname);
        ulong v = Prot.PROT_SECT_NORMAL | (1UL << shift) | (1UL << (shift - 1)); // a bit below the block OA is ignored
        var d = new Descriptor(v);
        Assert.True(d.IsBlock(g, level));
        Assert.Equal(1UL << shift, d.OutputAddress(g, level));
    }

    [Fact]
    public void KindDependsOnLevelAndGranule()
    {
        Assert.Equal(DescriptorKind.Invalid, new Descriptor(Prot.PROT_SECT_NORMAL).Kind(Granule.K4, 0));
        Assert.Equal(DescriptorKind.Block, new Descriptor(Prot.PROT_SECT_NORMAL).Kind(Granule.K4, 1));
        Assert.Equal(DescriptorKind.Invalid, new Descriptor(Prot.PROT_SECT_NORMAL).Kind(Granule.K16, 1));
        Assert.Equal(DescriptorKind.Invalid, new Descriptor(Prot.PROT_SECT_NORMAL).Kind(Granule.K4, 3));
        Assert.Equal(DescriptorKind.Page, new Descriptor(Prot.PAGE_KERNEL).Kind(Granule.K4, 3));
        Assert.Equal(DescriptorKind.Table, new Descriptor(Prot.PAGE_KERNEL).Kind(Granule.K4, 2));
    }

    [Fact]
    public void ProtValuesMatchTheKernelHeaders()
    {
        Assert.Equal(0x0068_0000_0000_0703UL, Prot.PROT_NORMAL);
        Assert.Equal(0x00E8_0000_0000_0703UL, Prot.PAGE_KERNEL);
        Assert.Equal(0x0068_0000_0000_0703UL, Prot.PAGE_KERNEL_PreFix);
        Assert.Equal(0x00E0_0000_0000_0783UL, Prot.PAGE_KERNEL_RO);
        Assert.Equal(0x0060_0000_0000_0783UL, Prot.PAGE_KERNEL_RO_PreFix);
        Assert.Equal(0x0060_0000_0000_0701UL, Prot.PROT_SECT_NORMAL);
        Assert.Equal(0x0068_0000_0000_0701UL, Prot.PROT_SECT_NORMAL_WRITE);
        Assert.Equal(0x00C0_0000_0000_0783UL, Prot.PAGE_KERNEL_ROX);
        Assert.False(new Descriptor(Prot.PAGE_NONE).Valid);
        Assert.True(new Descriptor(Prot.PAGE_NONE).PtePresentInvalid);
    }

    [Theory]
    [InlineData(0x00E8_0000_4000_0703UL, 3, "PAGE_KERNEL")]
    [InlineData(0x00E0_0000_4000_0783UL, 3, "PAGE_KERNEL_RO")]
    [InlineData(0x0060_0000_4000_0701UL, 2, "PROT_SECT_NORMAL")]
    [InlineData(0x0000_0000_4000_0003UL, 2, "TABLE")]
    public void NameOfFindsTheLinuxProtection(ulong value, int level, string name) =>
        Assert.Equal(name, Prot.NameOf(value, Granule.K4, level));
}
