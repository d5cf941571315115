using HvoLab.Engine;
using Xunit;

namespace HvoLab.Kernel.Tests;

/// <summary>The violation kinds are an enum whose printed words are the ones outputs and pins always used.</summary>
public class ViolationKindTests
{
    [Theory]
    [InlineData(ViolationKind.Bbm, "bbm:bbm")]
    [InlineData(ViolationKind.BbmTlbConflict, "bbm:tlb-conflict")]
    [InlineData(ViolationKind.LockInNmi, "lock-in-nmi")]
    [InlineData(ViolationKind.WriteToRoVmemmap, "write-to-ro-vmemmap")]
    [InlineData(ViolationKind.FreedPageInTlb, "freed-page-in-tlb")]
    [InlineData(ViolationKind.KernelFault, "kernel-fault")]
    [InlineData(ViolationKind.Deadlock, "deadlock")]
    [InlineData(ViolationKind.ModelError, "model-error")]
    public void WordsStayTheSame(ViolationKind kind, string word)
    {
        Assert.Equal(word, kind.Word());
        Assert.Equal(kind, ViolationKinds.Parse(word));
    }

    [Fact]
    public void EveryKindHasADistinctWordAndUnknownWordsAreOther()
    {
        var kinds = Enum.GetValues<ViolationKind>().Where(k => k != ViolationKind.Other).ToArray();
        Assert.All(kinds, k => Assert.Equal(k, ViolationKinds.Parse(k.Word())));
        Assert.Equal(ViolationKind.Other, ViolationKinds.Parse("lost-update"));
    }
}
