using HvoLab.Arch;
using Xunit;

namespace HvoLab.Arch.Tests;

/// <summary>TCR_EL1.HA in the machine (R_LFTXR, R_XFXTY), AC03_CPU_38's late flag write, and the TLBI-completion errata.</summary>
public class HardwareFlagUpdateTests
{
    private static (ArchMachine M, ulong DescPa) Machine(ArchErrata errata = ArchErrata.None, bool ha = true)
    {
        var m = new ArchMachine(new MachineConfig { Cpus = 2, HardwareAf = ha, Errata = errata });
        var b = new PageTableBuilder(m);
        b.CreateRoot();
        b.Map(TestMachines.Va, 0x200000, 2 * 4096, Prot.PAGE_KERNEL);
        m.Ttbr1 = b.Root;
        ulong pa = b.DescriptorPa(TestMachines.Va, 3);
        m.Memory.WriteWord(pa, m.Memory.ReadWord(pa) & ~DescBits.AF);
        return (m, pa);
    }

    [Fact]
    public void WalkSetsAfAtomicallyInMemoryAndCachesOnlyTheAf1Value()
    {
        var (m, pa) = Machine();
        var r = m.Access(1, MemOp.Load(TestMachines.Va));
        Assert.True(r.Ok);
        Assert.True(new Descriptor(m.Memory.ReadWord(pa)).AF);
        Assert.Equal(1, m.HardwareDescriptorWrites);
        Assert.All(m.TlbOf(1).LeafEntries(), e => Assert.True(new Descriptor(e.Descriptor).AF));
        Assert.Empty(m.Violations);
    }

    [Fact]
    public void WithoutHaAnAf0EntryFaultsAndIsNeverCached()
    {
        var (m, _) = Machine(ha: false);
        var r = m.Access(1, MemOp.Load(TestMachines.Va));
        Assert.Equal(FaultKind.AccessFlag, r.Fault);
        Assert.Empty(m.TlbOf(1).LeafEntries());
    }

    [Fact]
    public void InstallCasFailsAfterAWalkerSetAf()
    {
        // The kernel's sequence with a reader in between: AF clear was done (setup), the reader's walk sets AF, so the
        // CAS of the AF = 0 value fails and the old translation is what the reader has cached.
        var (m, pa) = Machine();
        ulong af0 = m.Memory.ReadWord(pa);
        m.Access(1, MemOp.Load(TestMachines.Va));
        Assert.NotEqual(af0, m.ReadPhys(pa));
    }

    [Fact]
    public void Ac03LateFlagWriteOverwritesTheNewEntry()
    {
        var (m, pa) = Machine(ArchErrata.LateFlagWriteAc03Cpu38);
        ulong af0 = m.Memory.ReadWord(pa);
        Assert.True(m.Access(1, MemOp.Load(TestMachines.Va)).Ok);
        Assert.Equal(af0, m.Memory.ReadWord(pa));            // the hidden update has not reached memory
        m.Tlbi(0, TlbiOp.VAALE1IS, TestMachines.Va);
        m.Barrier(0, BarrierKind.DsbIsh);
        ulong newPte = (af0 & ~DescBits.AddressMask(12)) | 0x300000 | DescBits.AF;
        m.WritePhys(0, pa, newPte);                           // the install (a CAS of af0 would succeed: memory still af0)
        m.Barrier(0, BarrierKind.DsbIsh);
        m.Access(1, MemOp.Load(TestMachines.Va + 4096));      // CPU1's next access lands the late write
        Assert.Equal(af0 | DescBits.AF, m.Memory.ReadWord(pa));
        Assert.Contains(m.Violations, v => v.Kind == BbmOracle.KindBbm);
    }

    [Theory]
    [InlineData(ArchErrata.TlbiStoreCompletion4118414, true, 1)]
    [InlineData(ArchErrata.TlbiStoreCompletion4118414, false, 0)]
    [InlineData(ArchErrata.TlbiLoadCompletion1286807, false, 1)]
    [InlineData(ArchErrata.None, true, 0)]
    public void TlbiDsbMayLeaveAccessesInFlightUntilASecondTlbiDsb(ArchErrata errata, bool store, int lateAfterFirst)
    {
        var (m, _) = Machine(errata);
        m.Access(1, store ? MemOp.Store(TestMachines.Va, 5) : MemOp.Load(TestMachines.Va));
        m.Tlbi(0, TlbiOp.VAALE1IS, TestMachines.Va);
        m.Barrier(0, BarrierKind.DsbIsh);
        Assert.Equal(lateAfterFirst, m.LateAccesses.Count);
        m.Tlbi(0, TlbiOp.VALE1IS, 0);                          // the repeat-TLBI workaround: TLBI VALE1IS, XZR; DSB ISH
        m.Barrier(0, BarrierKind.DsbIsh);
        Assert.Empty(m.LateAccesses);
    }
}
