using HvoLab.Arch;
using Xunit;

namespace HvoLab.Arch.Tests;

public class DescriptorFormatterTests
{
    [Theory]
    [InlineData("0x00e8000040000703", 3, "PAGE_KERNEL", "page of 4 KiB at OA 0x40000000")]
    [InlineData("0x00e0_0000_4000_0783", 3, "PAGE_KERNEL_RO", "page of 4 KiB")]
    [InlineData("0x0060000040000701", 2, "PROT_SECT_NORMAL", "block of 2 MiB at OA 0x40000000")]
    [InlineData("0x0060000040000701", 1, "PROT_SECT_NORMAL", "block of 1 GiB")]
    public void DescribeNamesTheLinuxProtection(string text, int level, string name, string what)
    {
        ulong v = DescriptorFormatter.ParseValue(text);
        string s = DescriptorFormatter.Describe(v, Granule.K4, level);
        Assert.Contains("Linux protection: " + name + Environment.NewLine, s);
        Assert.Contains(what, s);
        var f = DescriptorFormatter.Fields(v, Granule.K4, level);
        Assert.Equal(name, f["linux_prot"]);
        Assert.Equal(true, f["af"]);
        Assert.Equal(3, f["sh"]);
    }

    [Fact]
    public void ParseAcceptsHexDecimalAndSeparators()
    {
        Assert.Equal(0x1234UL, DescriptorFormatter.ParseValue("0x12_34"));
        Assert.Equal(1000000UL, DescriptorFormatter.ParseValue("1_000_000"));
        var e = Assert.Throws<ArgumentException>(() => DescriptorFormatter.ParseValue("0xZZ", "pfn"));
        Assert.Contains("pfn", e.Message);
        Assert.Contains("0xZZ", e.Message);
    }

    [Fact]
    public void EncodeBuildsTheKernelValuesAndAppliesOverrides()
    {
        Assert.Equal(0x00E8_0000_4000_0703UL, DescriptorFormatter.EncodePfn("PAGE_KERNEL", 0x40000, 3, Granule.K4));
        Assert.Equal(0x0060_0000_4000_0701UL, DescriptorFormatter.Encode("PROT_SECT_NORMAL", 0x4000_0000, 2, Granule.K4));
        Assert.Equal(0x00E8_0000_4000_0701UL, DescriptorFormatter.Encode("PAGE_KERNEL", 0x4000_0000, 2, Granule.K4)); // mk_sect_prot
        ulong v = DescriptorFormatter.Encode("PAGE_KERNEL", 0x4000_0000, 3, Granule.K4, ["cont", "ng", "af=0", "attrindx=2"]);
        var d = new Descriptor(v);
        Assert.True(d.Contiguous); Assert.True(d.NG); Assert.False(d.AF); Assert.Equal(2, d.AttrIndx);
        Assert.Equal(Prot.TABLE | 0x5000, DescriptorFormatter.Encode("TABLE", 0x5000, 0, Granule.K4));
    }

    [Theory]
    [InlineData("PAGE_KERNAL", 0x1000UL, 3, "prot")]
    [InlineData("PAGE_KERNEL", 0x1000UL, 2, "oa")]
    [InlineData("PAGE_KERNEL", 0x1000UL, 4, "level")]
    [InlineData("TABLE", 0x1000UL, 3, "level")]
    [InlineData("PROT_SECT_NORMAL", 0x0UL, 0, "level")]
    public void BadEncodeInputNamesTheField(string prot, ulong oa, int level, string field)
    {
        var e = Assert.Throws<ArgumentException>(() => DescriptorFormatter.Encode(prot, oa, level, Granule.K4));
        Assert.StartsWith(field + ":", e.Message);
        Assert.Contains("allowed", e.Message);
    }

    [Theory]
    [InlineData("attrindx=9", "attrindx")]
    [InlineData("cont=maybe", "cont")]
    [InlineData("colour=red", "override")]
    [InlineData("sh", "sh")]
    public void BadOverrideNamesTheField(string spec, string field)
    {
        var e = Assert.Throws<ArgumentException>(() => DescriptorFormatter.ApplyOverride(Prot.PAGE_KERNEL, spec));
        Assert.StartsWith(field + ":", e.Message);
        Assert.Contains("allowed", e.Message);
    }

    [Fact]
    public void DescribeShowsTableAndInvalidDescriptors()
    {
        Assert.Contains("table, next-level table at PA 0x8000", DescriptorFormatter.Describe(Prot.TABLE | 0x8000, Granule.K16, 1));
        Assert.Contains("PAGE_NONE", DescriptorFormatter.Describe(Prot.PAGE_NONE | 0x1000, Granule.K4, 3));
        Assert.Contains("invalid", DescriptorFormatter.Describe(Prot.PROT_SECT_NORMAL, Granule.K64, 3));
    }
}

/// <summary>Fields per descriptor kind, level and granule (Arm ARM K.a D8.3 "Translation table descriptor formats";
/// nT is I_PJZBK, a block-descriptor field). Bit 16 of a page descriptor is an output-address bit for every granule
/// (4K pages: OA[47:12]; 16K: OA[47:14]; 64K: OA[47:16]).</summary>
public class DescriptorFieldsPerLevelTests
{
    [Theory]
    [InlineData(12)] [InlineData(14)] [InlineData(16)]
    public void Bit16OfAPageDescriptorIsAddressNotNt(int pageShift)
    {
        var g = pageShift == 12 ? Granule.K4 : pageShift == 14 ? Granule.K16 : Granule.K64;
        ulong v = DescriptorFormatter.EncodePfn("PAGE_KERNEL_RO", 0x1234_0000UL >> pageShift | 1UL << (16 - pageShift), 3, g);
        Assert.NotEqual(0UL, v & (1UL << 16));
        var f = DescriptorFormatter.Fields(v, g, 3);
        Assert.False(f.ContainsKey("nt"));
        Assert.DoesNotContain("nT=", DescriptorFormatter.Describe(v, g, 3));
        Assert.Equal($"0x{v & 0x0000_ffff_ffff_f000UL & ~((1UL << pageShift) - 1):x}", f["oa"]);
    }

    [Fact]
    public void ThePteEncodeOfTheIssuePrintsNoNt()
    {
        ulong v = DescriptorFormatter.EncodePfn("PAGE_KERNEL_RO", 0x1234, 3, Granule.K4);
        Assert.Equal(0x1234000UL, new Descriptor(v).OutputAddress(Granule.K4, 3));
        Assert.DoesNotContain("nT", DescriptorFormatter.Describe(v, Granule.K4, 3));
    }

    [Theory]
    [InlineData(1, 12)] [InlineData(2, 12)] [InlineData(2, 14)] [InlineData(2, 16)]
    public void BlockDescriptorsHaveNt(int level, int pageShift)
    {
        var g = pageShift == 12 ? Granule.K4 : pageShift == 14 ? Granule.K16 : Granule.K64;
        ulong v = DescriptorFormatter.Encode("PROT_SECT_NORMAL", 0, level, g, ["nt"]);
        var f = DescriptorFormatter.Fields(v, g, level);
        Assert.Equal("block", f["kind"]);
        Assert.Equal(true, f["nt"]);
        Assert.Contains("nT=1", DescriptorFormatter.Describe(v, g, level));
    }

    [Fact]
    public void NtCannotBeSetOnAPage()
    {
        var e = Assert.Throws<ArgumentException>(() => DescriptorFormatter.Encode("PAGE_KERNEL", 0x1000, 3, Granule.K4, ["nt"]));
        Assert.StartsWith("nt:", e.Message);
    }

    [Fact]
    public void TableDescriptorsReportOnlyHierarchicalAttributes()
    {
        var f = DescriptorFormatter.Fields(Prot.TABLE | 0x8000, Granule.K4, 2);
        Assert.Contains("pxntable", f.Keys);
        foreach (var leaf in new[] { "af", "nt", "attrindx", "sh", "cont" }) Assert.DoesNotContain(leaf, f.Keys);
        var page = DescriptorFormatter.Fields(DescriptorFormatter.Encode("PAGE_KERNEL", 0x1000, 3, Granule.K4), Granule.K4, 3);
        foreach (var table in new[] { "pxntable", "uxntable", "aptable", "nstable" }) Assert.DoesNotContain(table, page.Keys);
    }
}
