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
