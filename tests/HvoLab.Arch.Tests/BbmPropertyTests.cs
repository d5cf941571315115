using CsCheck;
using HvoLab.Arch;
using Xunit;

namespace HvoLab.Arch.Tests;

public class BbmPropertyTests
{
    private static readonly ulong[] Prots = [Prot.PAGE_KERNEL, Prot.PAGE_KERNEL_RO, Prot.PAGE_KERNEL_ROX, Prot.PAGE_KERNEL_EXEC, Prot.PROT_NORMAL];

    /// <summary>Whatever the old and new mapping, the full BBM sequence (break, DSB ISHST, TLBI VAALE1IS, DSB ISH,
    /// make, DSB ISHST) passes the adversarial oracle, and afterwards every CPU uses the new translation.</summary>
    [Fact]
    public void FullBbmSequenceIsAlwaysAccepted()
    {
        Gen.Select(Gen.Int[0, 4], Gen.Int[0, 4], Gen.Int[0, 3], Gen.Int[0, 3], Gen.Int[0, 3]).Sample(t =>
        {
            var (p0, p1, page, newPage, writer) = t;
            var (m, b) = TestMachines.WithPages(Prots[p0]);
            ulong va = TestMachines.Va + (ulong)page * 0x1000;
            for (int cpu = 0; cpu < m.Cpus; cpu++) m.Access(cpu, MemOp.Load(va));
            ulong ptePa = b.DescriptorPa(va, 3);
            ulong newValue = Prots[p1] | TestMachines.PagePa(m, newPage);
            m.WritePhys(writer, ptePa, 0);
            m.Barrier(writer, BarrierKind.DsbIshSt);
            m.Tlbi(writer, TlbiOp.VAALE1IS, va);
            m.Barrier(writer, BarrierKind.DsbIsh);
            m.WritePhys(writer, ptePa, newValue);
            m.Barrier(writer, BarrierKind.DsbIshSt);
            Assert.Empty(m.Violations);
            for (int cpu = 0; cpu < m.Cpus; cpu++)
            {
                var r = m.Access(cpu, MemOp.Load(va + 16));
                Assert.True(r.Ok);
                Assert.Equal(TestMachines.PagePa(m, newPage) + 16, r.Pa);
            }
        });
    }

    /// <summary>Changing only permission bits (AP, PXN, DBM, software bits) of a live entry never needs BBM.</summary>
    [Fact]
    public void PermissionOnlyChangesNeverNeedBbm()
    {
        Gen.Select(Gen.Int[0, 4], Gen.Int[0, 4], Gen.Int[0, 3]).Sample(t =>
        {
            var (p0, p1, page) = t;
            var (m, b) = TestMachines.WithPages(Prots[p0]);
            ulong va = TestMachines.Va + (ulong)page * 0x1000;
            m.Access(1, MemOp.Load(va));
            m.WritePhys(0, b.DescriptorPa(va, 3), Prots[p1] | TestMachines.PagePa(m, page));
            Assert.Empty(m.Violations);
        });
    }
}
