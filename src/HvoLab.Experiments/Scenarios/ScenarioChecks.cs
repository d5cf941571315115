using HvoLab.Arch;
using HvoLab.Kernel;

namespace HvoLab.Experiments.Scenarios;

/// <summary>
/// Rules that involve more than one field: CPU numbers against the machine, hugepage sizes against the granule,
/// memory, and which strategies the modelled kernel would refuse. Errors throw; combinations that still run but
/// say little become warnings; strategies the kernel would not enable become refusals.
/// </summary>
internal static class ScenarioChecks
{
    /// <summary>Memory is made of pages (fuzz regression memory-not-page-multiple.json: PhysicalMemory threw).</summary>
    public static void CheckMachine(ResolvedMachine m)
    {
        // A byte count that is no whole KiB is shown as the number it was written as.
        var shown = m.MemoryBytes % 1024 == 0 ? $"\"{Units.FormatSize(m.MemoryBytes)}\"" : m.MemoryBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (m.MemoryBytes % m.Granule.PageSize != 0)
            throw new ScenarioException("$.machine.memory", $"{shown} is not allowed; use a whole number of " +
                $"{m.Granule.Name} pages (a multiple of {Units.FormatSize(m.Granule.PageSize)})");
    }

    public static void CheckOperations(IReadOnlyList<OperationSpec> operations, ResolvedMachine m, List<string> warnings)
    {
        var g = m.Granule;
        for (int i = 0; i < operations.Count; i++)
        {
            var o = operations[i];
            var path = $"$.operations[{i}]";
            if (o.DemoteToBytes is not null && o.Op != OperationKind.Demote)
                throw new ScenarioException($"{path}.demote_to", $"only allowed when \"op\" is \"demote\" (op is \"{ScenarioWords.Operation.Word(o.Op)}\")");
            if (o.Op == OperationKind.Demote && o.DemoteToBytes is null)
                throw new ScenarioException($"{path}.demote_to", "missing; a demote needs the target size, e.g. \"2MiB\"");
            if (o.Cpu >= m.Cpus)
                throw new ScenarioException($"{path}.cpu", $"{o.Cpu} is not allowed; use 0..{m.Cpus - 1} (machine.cpus is {m.Cpus})");
            if (!HugepageGeometry.IsSupported(g, o.HugepageBytes))
                throw new ScenarioException($"{path}.hugepage",
                    $"\"{Units.FormatSize(o.HugepageBytes)}\" is not allowed; use {HugepageGeometry.AllowedText(g)} (hugetlb sizes with a {g.Name} granule)");
            if (o.DemoteToBytes is { } to && (!HugepageGeometry.IsSupported(g, to) || to >= o.HugepageBytes))
            {
                var smaller = HugepageGeometry.Sizes(g).Where(x => x.Bytes < o.HugepageBytes).Select(x => $"\"{Units.FormatSize(x.Bytes)}\"").ToArray();
                throw new ScenarioException($"{path}.demote_to", $"\"{Units.FormatSize(to)}\" is not allowed; use " +
                    (smaller.Length == 0 ? $"nothing: {Units.FormatSize(o.HugepageBytes)} is the smallest hugetlb size with a {g.Name} granule"
                        : $"{string.Join(", ", smaller)} (smaller hugetlb sizes with a {g.Name} granule)"));
            }
            // Only the pages an alloc creates must fit; free and demote act on pages assumed present before the run.
            var total = (UInt128)o.HugepageBytes * (UInt128)o.Count;
            if (o.Op == OperationKind.Alloc && total > m.MemoryBytes)
                throw new ScenarioException($"{path}.count", $"{o.Count} is not allowed; {o.Count} × {Units.FormatSize(o.HugepageBytes)} " +
                    $"exceeds machine.memory ({Units.FormatSize(m.MemoryBytes)}); use at most {m.MemoryBytes / o.HugepageBytes}");
            if (HugepageGeometry.FreedVmemmapPages(g, o.HugepageBytes) == 0)
                warnings.Add($"{path}.hugepage: {Units.FormatSize(o.HugepageBytes)} with a {g.Name} granule is a contiguous-PTE size, " +
                    "HVO frees nothing (kernel-hvo.md §1); every strategy behaves as \"off\" for this operation");
            if (o.DemoteToBytes is { } t && HugepageGeometry.FreedVmemmapPages(g, t) == 0)
                warnings.Add($"{path}.demote_to: {Units.FormatSize(t)} with a {g.Name} granule is a contiguous-PTE size, " +
                    "HVO frees nothing (kernel-hvo.md §1); the demoted pages are left unoptimised");
        }
    }

    /// <summary>A run needs something to run: an empty scenario validated, then failed (issue #19, defect 3).</summary>
    public static void CheckSomethingRuns(Scenario s)
    {
        if (s.Operations.Count == 0 && s.Workload.All(w => w.Cpus.Count == 0))
            throw new ScenarioException("$.operations", "[] is not allowed when no workload runs on any CPU; give at least one operation or one workload entry");
    }

    /// <summary>
    /// The memory must hold what the run allocates: the boot page tables and the vmemmap (<see cref="BootLayout"/>),
    /// then, from the buddy allocator, every hugetlb page the operations allocate (alloc counts add up; a free or demote
    /// whose pool is empty first allocates its pages, so the largest of those counts), the in-use folio GUP-fast readers
    /// look at, and headroom of one hugepage of the largest size for the kernel's own pages (vmemmap pages restored on
    /// free, page tables of split PMDs, the shared tail page) and for alignment. Before this check a 16 MiB machine
    /// validated and then failed to boot (issue #19, defect 3).
    /// </summary>
    public static void CheckMemory(Scenario s)
    {
        var m = s.Machine;
        if (BootLayout.Plan(m.Granule, m.MemoryBytes) is not { } boot)
            throw new ScenarioException("$.machine.memory", $"\"{Units.FormatSize(m.MemoryBytes)}\" is not allowed; use at least " +
                $"{Units.FormatSize(BootLayout.MinimumMemory(m.Granule))} (the vmemmap and boot page tables of a {m.Granule.Name} kernel do not fit)");
        UInt128 allocs = 0, setup = 0;
        ulong largest = 0;
        foreach (var o in s.Operations)
        {
            var bytes = (UInt128)o.HugepageBytes * (UInt128)o.Count;
            if (o.Op == OperationKind.Alloc) allocs += bytes; else setup = UInt128.Max(setup, bytes);
            largest = Math.Max(largest, o.HugepageBytes);
        }
        bool gup = s.Workload.Any(w => w.Kind == WorkloadKind.GupFast && w.Cpus.Count > 0);
        // Without operations the readers' in-use folio is of order 9 (ScenarioSystem.PlanTargets; fuzz family
        // validate→run found 16 MiB on 64K validating and then failing to set it up).
        ulong inUse = s.Operations.Count > 0 ? s.Operations[0].HugepageBytes : m.Granule.PageSize << 9;
        UInt128 need = allocs + setup + (gup ? inUse : 0UL) + largest;
        if (need > boot.BuddyBytes)
            throw new ScenarioException("$.machine.memory", $"\"{Units.FormatSize(m.MemoryBytes)}\" is not allowed; the operations need " +
                $"{Units.FormatSize(Clamp(need))} from the page allocator (hugetlb pages{(gup ? ", the in-use folio of the GUP-fast readers" : "")} " +
                $"and one hugepage of headroom for the kernel's own pages) but only {Units.FormatSize(boot.BuddyBytes)} remain after the " +
                "vmemmap and boot page tables; use more memory or fewer or smaller hugepages");
    }

    private static ulong Clamp(UInt128 v) => v > ulong.MaxValue ? ulong.MaxValue : (ulong)v;

    /// <summary>Expands CPU sets. "others" = every CPU with neither an operation nor an explicitly listed workload.</summary>
    public static IReadOnlyList<ResolvedWorkload> ResolveWorkload(IReadOnlyList<WorkloadSpec> workload, IReadOnlyList<OperationSpec> operations,
        int cpus, List<string> warnings)
    {
        var owner = new Dictionary<int, int>();
        var result = new ResolvedWorkload[workload.Count];
        int othersAt = -1;
        for (int i = 0; i < workload.Count; i++)
        {
            var w = workload[i];
            if (w.CpusText == CpuSets.Others)
            {
                if (othersAt >= 0)
                    throw new ScenarioException($"$.workload[{i}].cpus", $"\"others\" is not allowed twice (already in $.workload[{othersAt}]); use explicit CPUs");
                othersAt = i;
                continue;
            }
            var list = CpuSets.TryParseRanges(w.CpusText, out _) ?? [];
            foreach (var c in list)
            {
                if (c >= cpus)
                    throw new ScenarioException($"$.workload[{i}].cpus", $"CPU {c} is not allowed; use 0..{cpus - 1} (machine.cpus is {cpus})");
                if (!owner.TryAdd(c, i))
                    throw new ScenarioException($"$.workload[{i}].cpus", $"CPU {c} is not allowed; it already runs $.workload[{owner[c]}] (one workload per CPU)");
            }
            result[i] = new ResolvedWorkload(w, list);
        }
        if (othersAt >= 0)
        {
            var busy = new HashSet<int>(owner.Keys.Concat(operations.Select(o => o.Cpu)));
            var rest = Enumerable.Range(0, cpus).Where(c => !busy.Contains(c)).ToArray();
            if (rest.Length == 0)
                warnings.Add($"$.workload[{othersAt}].cpus: \"others\" is empty, every CPU already has an operation or a workload");
            result[othersAt] = new ResolvedWorkload(workload[othersAt], rest);
        }
        return result;
    }

    /// <summary>Each requested strategy's own refusal rule on this machine and kernel, with the scenario's options.</summary>
    public static IReadOnlyList<Refusal> Refusals(Scenario s) =>
        s.Strategies.Select(name => Running.ScenarioSystem.RefusalOf(s, name, null) is { } reason ? new Refusal(name, reason) : null)
            .OfType<Refusal>().ToArray();
}
