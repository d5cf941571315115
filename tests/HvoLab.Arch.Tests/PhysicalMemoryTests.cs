using HvoLab.Arch;
using Xunit;

namespace HvoLab.Arch.Tests;

public class PhysicalMemoryTests
{
    [Fact]
    public void AddressesOneTebibyteAndTouchesOnlyWrittenFrames()
    {
        var mem = new PhysicalMemory(1UL << 40, Granule.K4);
        Assert.Equal(1UL << 28, mem.FrameCount);
        ulong top = (1UL << 40) - 8;
        mem.Write(top, 0x1122334455667788);
        mem.Write(0, 42);
        mem.Write(0x8, 43);
        Assert.Equal(0x1122334455667788UL, mem.Read(top));
        Assert.Equal(42UL, mem.Read(0));
        Assert.Equal(0UL, mem.Read(1UL << 39)); // untouched reads as zero
        Assert.Equal(2, mem.TouchedFrames);
        Assert.False(mem.IsTouched(12345));
        Assert.Throws<ArgumentOutOfRangeException>(() => mem.Read(1UL << 40));
    }

    [Fact]
    public void SubWordAccessesExtractAndInsertLittleEndian()
    {
        var mem = new PhysicalMemory(1UL << 20, Granule.K4);
        mem.Write(0x100, 0x1122334455667788);
        Assert.Equal(0x88UL, mem.Read(0x100, 1));
        Assert.Equal(0x5566UL, mem.Read(0x102, 2));
        Assert.Equal(0x11223344UL, mem.Read(0x104, 4));
        mem.Write(0x101, 0xAB, 1);
        mem.Write(0x106, 0xCDEF, 2);
        Assert.Equal(0xCDEF_3344_5566_AB88UL, mem.Read(0x100));
        Assert.Throws<ArgumentOutOfRangeException>(() => mem.Read(0x100, 3));
    }

    [Fact]
    public void GeneratorSuppliesUntouchedContentsAndFramesEqualComparesThem()
    {
        var mem = new PhysicalMemory(1UL << 24, Granule.K4, (pfn, word) => pfn < 10 ? (ulong)word : pfn);
        Assert.Equal(5UL, mem.Read(5 * 8));
        Assert.True(mem.FramesEqual(1, 2));     // both generated identically
        Assert.False(mem.FramesEqual(11, 12));
        mem.Write(0x1000, 5);                   // first write materialises the generated frame
        Assert.Equal(1UL, mem.Read(0x1008));
        Assert.False(mem.FramesEqual(1, 2));
        mem.Write(0x1000, 0);                   // same frame again: no new storage
        Assert.Equal(1, mem.TouchedFrames);
    }

    [Fact]
    public void AllocatorIsReplaceableAndReusesFreedFrames()
    {
        var mem = new PhysicalMemory(1UL << 24, Granule.K16);
        ulong a = mem.Allocator.AllocFrame();
        ulong b = mem.Allocator.AllocFrame();
        Assert.NotEqual(a, b);
        mem.Allocator.FreeFrame(a);
        Assert.Equal(a, mem.Allocator.AllocFrame());
        mem.Allocator = new BumpFrameAllocator(0, 100);
        Assert.Equal(99UL, mem.Allocator.AllocFrame());
    }
}
