using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using HvoLab.Experiments.Scenarios;
using HvoLab.Kernel.Mm;
using HvoLab.Kernel.Primitives;
using HvoLab.Kernel.Workloads;
using HvoLab.Kernel;

namespace HvoLab.Experiments.Savings;

/// <summary>One row of `hvolab savings`: what HVO frees for one hugepage of this size with this granule, as
/// measured on the model. <see cref="PoolFreedBytes"/> is set when a memory size was given.</summary>
public sealed record SavingsRow(Granule Granule, ulong Hugepage, double VmemmapPages, long FreedPages, long FreedBytes, long? PoolFreedBytes);

/// <summary>
/// Measures vmemmap savings from the model rather than from a formula: for each granule and hugepage size it boots a
/// one-CPU machine, allocates one folio, lets mm/hugetlb_vmemmap.c optimize it with the generic hooks (no concurrent
/// readers, so the hooks' lack of break-before-make does not matter for the count), and reports the frames HVO
/// returned to the allocator minus the frames it allocated (the new head page). The PTE table of a PMD split
/// (4K only) is not counted, as in vmemmap_dedup.rst: one table serves every folio in the 2 MiB of vmemmap.
/// </summary>
public static class VmemmapSavings
{
    /// <summary>Every granule (or just <paramref name="granule"/>) × every hugepage size it supports (or just
    /// <paramref name="hugepage"/>, which must be supported by each granule asked for).</summary>
    public static IReadOnlyList<SavingsRow> Measure(Granule? granule = null, ulong? hugepage = null, ulong? memory = null)
    {
        var rows = new List<SavingsRow>();
        foreach (var g in granule is null ? [Granule.K4, Granule.K16, Granule.K64] : new[] { granule })
        {
            if (hugepage is ulong h && !HugepageGeometry.IsSupported(g, h))
                throw new ArgumentException($"--hugepage: \"{Units.FormatSize(h)}\" is not allowed with a {g.Name} granule; use {HugepageGeometry.AllowedText(g)}");
            foreach (var (bytes, _) in HugepageGeometry.Sizes(g))
                if (hugepage is null || hugepage == bytes) rows.Add(MeasureOne(g, bytes, memory));
        }
        return rows;
    }

    /// <summary>Boots a machine big enough for one naturally aligned hugepage (memory is sparse, so 32 GiB for a
    /// 16 GiB folio costs only what is touched) and optimizes one folio on CPU0.</summary>
    public static SavingsRow MeasureOne(Granule g, ulong hugepage, ulong? memory = null)
    {
        if (memory is ulong m && m < hugepage)
            throw new ArgumentException($"--memory: \"{Units.FormatSize(m)}\" is smaller than one {Units.FormatSize(hugepage)} hugepage");
        ulong machineBytes = Math.Max(256UL << 20, 2 * hugepage);
        var sys = HvoSystem.Create(new MachineConfig { Cpus = 1, Granule = g, MemoryBytes = machineBytes }, new KernelConfig(),
            new GenericVmemmapArch(), new TimedScheduler(), options: new SimOptions { StopOnViolation = false });
        var linux = sys.Linux;
        Folio? folio = null;
        sys.Sim.Spawn(0, async cpu => { folio = await linux.Hugetlb.AllocFreshFolio(cpu, linux.Hugetlb.OrderOf(hugepage)); });
        var run = sys.Sim.Run();
        if (run.Error is not null || folio is null)
            throw new InvalidOperationException($"savings: optimizing one {Units.FormatSize(hugepage)} folio on {g.Name} failed: {run.Error ?? "no folio allocated"}");
        // The struct pages of the folio span this much of the vmemmap (a fraction when under one page).
        double vmemmapPages = (double)(folio.Pages * (ulong)Layout.StructPageSize) / g.PageSize;
        long freed = linux.VmemmapPagesFreed - linux.VmemmapPagesAllocated;
        long freedBytes = freed * (long)g.PageSize;
        long? pool = memory is ulong mem ? (long)(mem / hugepage) * freedBytes : null;
        return new SavingsRow(g, hugepage, vmemmapPages, freed, freedBytes, pool);
    }
}
