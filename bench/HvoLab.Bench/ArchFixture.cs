using HvoLab.Arch;

namespace HvoLab.Bench;

/// <summary>A machine with <see cref="Pages"/> kernel pages mapped at <see cref="Va"/> (base pages, 4K granule).</summary>
internal static class ArchFixture
{
    public const ulong Va = 0xFFFF_8000_0000_0000UL;
    public const int Pages = 512;

    public static ArchMachine Make(int cpus, TlbFillPolicy fill = TlbFillPolicy.OnAccess)
    {
        var m = new ArchMachine(new MachineConfig { Cpus = cpus, FillPolicy = fill, MemoryBytes = 64UL << 20 });
        var b = new PageTableBuilder(m);
        b.CreateRoot();
        b.Map(Va, 0x100000, Pages * m.Granule.PageSize, Prot.PAGE_KERNEL);
        m.Ttbr1 = b.Root;
        return m;
    }
}
