using HvoLab.Arch;
using Xunit;

namespace HvoLab.Arch.Tests;

/// <summary>Visibility of pending descriptor stores: to walkers, to the writer's and other CPUs' explicit reads, and
/// publication of one location (the litmus binding's other-multi-copy-atomic view).</summary>
public sealed class DescriptorStoreBufferTests
{
    private const ulong Pa = 0x1000, Other = 0x2008;

    [Fact]
    public void WalkersSeeTheOldValueUntilTheWritersDsb()
    {
        var b = new DescriptorStoreBuffer(2);
        b.Record(0, Pa, 1, 2);
        Assert.True(b.TryGetWalkerValue(Pa, out var v));
        Assert.Equal(1UL, v);
        b.Publish(0);
        Assert.False(b.TryGetWalkerValue(Pa, out _));
    }

    [Fact]
    public void TheWriterReadsItsOwnPendingStoreOtherCpusTheVisibleValue()
    {
        var b = new DescriptorStoreBuffer(2);
        b.Record(0, Pa, 1, 2);
        Assert.Equal(2UL, b.ObservedBy(0, Pa, newest: 2));
        Assert.Equal(1UL, b.ObservedBy(1, Pa, newest: 2));
        Assert.Equal(7UL, b.ObservedBy(1, Other, newest: 7)); // nothing pending there: the newest value
    }

    [Fact]
    public void AReaderSeesTheLaterOfItsOwnStoreAndThePublishedOne()
    {
        var b = new DescriptorStoreBuffer(2);
        b.Record(1, Pa, 1, 5);   // older, CPU 1
        b.Record(0, Pa, 5, 6);   // newer, CPU 0
        Assert.Equal(5UL, b.ObservedBy(1, Pa, newest: 6));
        b.Publish(0);            // the newer store is visible: CPU 1 must not read its older one any more
        Assert.Equal(6UL, b.ObservedBy(1, Pa, newest: 6));
    }

    [Fact]
    public void PublishingALocationLeavesOtherLocationsAndTheExceptedCpuPending()
    {
        var b = new DescriptorStoreBuffer(3);
        b.Record(0, Pa, 1, 2);
        b.Record(0, Other, 3, 4);
        b.Record(1, Pa, 2, 9);
        b.PublishLocation(Pa, exceptCpu: 1);
        Assert.Equal(2UL, b.ObservedBy(2, Pa, newest: 9));      // CPU 0's store is visible, CPU 1's is not
        Assert.True(b.TryGetWalkerValue(Other, out var o));
        Assert.Equal(3UL, o);                                    // the other location is still pending
        Assert.Single(b.Pending(0));
        Assert.Single(b.Pending(1));
        b.PublishLocation(Pa);
        Assert.False(b.TryGetWalkerValue(Pa, out _));
    }
}
