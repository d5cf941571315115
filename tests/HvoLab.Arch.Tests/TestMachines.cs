using HvoLab.Arch;

namespace HvoLab.Arch.Tests;

/// <summary>Small machines with a few kernel mappings for the tests.</summary>
internal static class TestMachines
{
    public const ulong Va = 0xFFFF_8000_0000_0000UL;

    public static ArchMachine Make(Granule? g = null, TlbFillPolicy fill = TlbFillPolicy.Adversarial, int bbm = 0, int cpus = 4,
        bool lens = false, bool tlbiRange = false) =>
        new(new MachineConfig { Granule = g ?? Granule.K4, FillPolicy = fill, BbmLevel = bbm, Cpus = cpus, LinuxPgattrLens = lens, TlbiRange = tlbiRange });

    /// <summary>A machine whose VA <see cref="Va"/>.. maps <paramref name="pages"/> pages at PA 0x100000.. with
    /// <paramref name="prot"/>.</summary>
    public static (ArchMachine M, PageTableBuilder B) WithPages(ulong prot, int pages = 4, Granule? g = null,
        TlbFillPolicy fill = TlbFillPolicy.Adversarial, int bbm = 0, bool lens = false)
    {
        var m = Make(g, fill, bbm, lens: lens);
        var b = new PageTableBuilder(m);
        b.CreateRoot();
        ulong ps = m.Granule.PageSize;
        b.Map(Va, 0x100000UL / ps * ps + ps * 16, (ulong)pages * ps, prot);
        return (m, b);
    }

    public static ulong PagePa(ArchMachine m, int i) => 0x100000UL / m.Granule.PageSize * m.Granule.PageSize + m.Granule.PageSize * (16 + (ulong)i);
}
