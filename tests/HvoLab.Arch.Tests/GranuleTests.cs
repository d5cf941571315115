using HvoLab.Arch;
using Xunit;

namespace HvoLab.Arch.Tests;

public class GranuleTests
{
    [Theory]
    [InlineData("4k", 0, 39, 30, 21, 12)]
    [InlineData("16k", 0, 47, 36, 25, 14)]
    [InlineData("64k", 1, 0, 42, 29, 16)]
    public void LevelShiftsMatchPgtableHwdef(string name, int start, int l0, int l1, int l2, int l3)
    {
        var g = Granule.Parse(name);
        Assert.Equal(start, g.StartLevel);
        if (start == 0) Assert.Equal(l0, g.LevelShift(0));
        Assert.Equal(l1, g.LevelShift(1));
        Assert.Equal(l2, g.LevelShift(2));
        Assert.Equal(l3, g.LevelShift(3));
    }

    [Theory]
    [InlineData("4k", 16, 16)]
    [InlineData("16k", 128, 32)]
    [InlineData("64k", 32, 32)]
    public void ContiguousCountsMatchKconfig(string name, int ptes, int pmds)
    {
        var g = Granule.Parse(name);
        Assert.Equal(ptes, g.ContPtes);
        Assert.Equal(pmds, g.ContPmds);
    }
}
