using HvoLab.Arch;
using Xunit;

namespace HvoLab.Arch.Tests;

/// <summary>TLB lookup, walk and Access must not allocate per operation (counted, not timed).</summary>
public class HotPathAllocationTests
{
    [Theory]
    [InlineData(TlbFillPolicy.OnAccess)]
    [InlineData(TlbFillPolicy.Adversarial)]
    public void AccessesAndWalksDoNotAllocateOnceWarm(TlbFillPolicy fill)
    {
        var (m, _) = TestMachines.WithPages(Prot.PAGE_KERNEL, pages: 4, fill: fill);
        void Run()
        {
            for (int i = 0; i < 200; i++)
            {
                ulong va = TestMachines.Va + (ulong)(i % 4) * 0x1000 + 8;
                m.Access(i % 4, MemOp.Load(va));
                m.Access(i % 4, MemOp.Store(va, (ulong)i));
                m.Access(i % 4, MemOp.Cas(va, (ulong)i, 1));
                m.Translate(va);
            }
        }
        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
