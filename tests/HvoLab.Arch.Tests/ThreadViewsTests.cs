using HvoLab.Arch.MemoryModel;
using Xunit;

namespace HvoLab.Arch.Tests;

/// <summary>The rules of the view-based data-memory model on single steps (the litmus tests in
/// tests/HvoLab.Litmus.Tests/DataModel check them on whole programs), and that they do not allocate.</summary>
public class ThreadViewsTests
{
    private const int X = 0, Y = 1;
    private static readonly DepView None = DepView.None;

    private static MessageMemory Memory() => new(_ => 0);

    [Fact]
    public void AReadMayTakeAnOldMessageUntilABarrierOrdersItAfterANewerRead()
    {
        var mem = Memory();
        var wx = mem.Append(X, 1, tid: 0); // ts 1: x = 1
        var wy = mem.Append(Y, 1, tid: 0); // ts 2: y = 1
        var t = new ThreadViews(1);
        Assert.True(t.CanRead(mem, Y, wy, None, ReadStrength.Plain));
        t.Read(Y, wy, None, ReadStrength.Plain, exclusive: false);
        Assert.True(t.CanRead(mem, X, 0, None, ReadStrength.Plain));      // MP: x may still read 0
        t.Dmb(BarrierOrders.Load);
        Assert.False(t.CanRead(mem, X, 0, None, ReadStrength.Plain));     // after DMB LD it may not
        Assert.True(t.CanRead(mem, X, wx, None, ReadStrength.Plain));
    }

    [Fact]
    public void AnAddressDependencyOrdersTheReadButAPickDependencyDoesOnlyForWrites()
    {
        var mem = Memory();
        mem.Append(X, 1, 0);
        var wy = mem.Append(Y, 1, 0);
        var t = new ThreadViews(1);
        var v = t.Read(Y, wy, None, ReadStrength.Plain, exclusive: false);
        Assert.False(t.CanRead(mem, X, 0, v, ReadStrength.Plain));        // address depends on the read
        var pickOnly = new DepView(0, v.Pick);
        Assert.False(t.CanWrite(mem, X, 1, None, pickOnly, release: false, exclusive: false)); // must be after ts 2
        Assert.True(t.CanWrite(mem, X, 3, None, pickOnly, release: false, exclusive: false));
    }

    [Fact]
    public void CoherenceForbidsReadingOlderThanWhatWasSeenAndWritingBeforeIt()
    {
        var mem = Memory();
        var w1 = mem.Append(X, 1, 0);
        mem.Append(X, 2, 0);
        var t = new ThreadViews(1);
        t.Read(X, w1 + 1, None, ReadStrength.Plain, exclusive: false);
        Assert.False(t.CanRead(mem, X, w1, None, ReadStrength.Plain));
        Assert.False(t.CanWrite(mem, X, w1 + 1, None, None, release: false, exclusive: false));
        Assert.True(t.CanWrite(mem, X, w1 + 2, None, None, release: false, exclusive: false));
    }

    [Fact]
    public void AStoreExclusiveFailsAtomicityWhenAnotherThreadWroteInBetween()
    {
        var mem = Memory();
        var t = new ThreadViews(1);
        t.Read(X, 0, None, ReadStrength.Plain, exclusive: true);
        Assert.True(t.CanWrite(mem, X, 1, None, None, release: false, exclusive: true));
        mem.Append(X, 5, tid: 0);
        Assert.False(t.CanWrite(mem, X, 2, None, None, release: false, exclusive: true));
    }

    [Fact]
    public void ReleaseThenAcquireIsOrderedButReleaseThenAcquirePcIsNot()
    {
        var mem = Memory();
        var t = new ThreadViews(1);
        var ts = mem.Append(X, 1, 1);
        t.Fulfill(X, ts, None, None, release: true, exclusive: false);
        Assert.True(t.CanRead(mem, Y, 0, None, ReadStrength.AcquirePc));
        mem.Append(Y, 1, 0);
        Assert.True(t.CanRead(mem, Y, 0, None, ReadStrength.AcquirePc));
        Assert.True(t.CanRead(mem, Y, 0, None, ReadStrength.Acquire));   // y's write (ts 2) is after the release (ts 1)
        var t2 = new ThreadViews(2);
        var mem2 = Memory();
        mem2.Append(Y, 1, 0);
        var rel = mem2.Append(X, 1, 2);
        t2.Fulfill(X, rel, None, None, release: true, exclusive: false);
        Assert.False(t2.CanRead(mem2, Y, 0, None, ReadStrength.Acquire)); // y = 1 is older than the release
        Assert.True(t2.CanRead(mem2, Y, 0, None, ReadStrength.AcquirePc));
    }

    [Fact]
    public void ReadsWritesAndBarriersDoNotAllocateOnceWarm()
    {
        var mem = Memory();
        for (var i = 0; i < 40; i++) mem.Append(i % 2, (ulong)i, 0);
        var t = new ThreadViews(1);
        void Run()
        {
            for (var i = 0; i < 200; i++)
            {
                var loc = i % 2;
                if (t.CanRead(mem, loc, mem.Latest(loc), None, ReadStrength.Acquire))
                    t.Read(loc, mem.Latest(loc), None, ReadStrength.Acquire, exclusive: false);
                t.Dmb(BarrierOrders.Full);
                t.Isb();
                t.Control(new DepView(1, 2));
            }
        }
        Run();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
