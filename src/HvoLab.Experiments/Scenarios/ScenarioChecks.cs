using HvoLab.Arch;
namespace HvoLab.Experiments.Scenarios;

/// <summary>
/// Rules that involve more than one field: CPU numbers against the machine, hugepage sizes against the granule,
/// memory, and which strategies the modelled kernel would refuse. Errors throw; combinations that still run but
/// say little become warnings; strategies the kernel would not enable become refusals.
/// </summary>
internal static class ScenarioChecks
{
    /// <param name="workloadGiven">False when the file omits "workload": the default workload is then clipped to the
    /// machine (so {"machine":{"cpus":4}} is valid) instead of rejected for naming CPUs the machine lacks.</param>
    public static Scenario Resolve(Scenario s, bool workloadGiven)
    {
        var warnings = new List<string>();
        CheckOperations(s, warnings);
        if (!workloadGiven) s = s with { Workload = ClipDefaultWorkload(s.Workload, s.Machine.Cpus) };
        var workload = ResolveWorkload(s, warnings);
        var refusals = Refusals(s);
        if (!s.Kernel.HvoEnabled && s.Strategies.Any(x => x != Strategies.OffStrategy.Id))
            warnings.Add("$.kernel.hvo_enabled: false, so every strategy leaves the vmemmap alone and runs as \"off\"");
        return s with { Workload = workload, Warnings = warnings, Refusals = refusals };
    }

    private static void CheckOperations(Scenario s, List<string> warnings)
    {
        var m = s.Machine;
        var g = m.Granule;
        for (int i = 0; i < s.Operations.Count; i++)
        {
            var o = s.Operations[i];
            var path = $"$.operations[{i}]";
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
            if (o.Op == OperationKinds.Alloc && total > m.MemoryBytes)
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

    private static IReadOnlyList<WorkloadSpec> ClipDefaultWorkload(IReadOnlyList<WorkloadSpec> workload, int cpus) => workload
        .Select(w => w.CpusText == CpuSets.Others ? w
            : w with { CpusText = CpuSets.Format((CpuSets.TryParseRanges(w.CpusText, out _) ?? []).Where(c => c < cpus).ToArray()) })
        .Where(w => w.CpusText.Length > 0).ToArray();

    /// <summary>Expands CPU sets. "others" = every CPU with neither an operation nor an explicitly listed workload.</summary>
    private static IReadOnlyList<WorkloadSpec> ResolveWorkload(Scenario s, List<string> warnings)
    {
        int cpus = s.Machine.Cpus;
        var owner = new Dictionary<int, int>();
        var result = new WorkloadSpec[s.Workload.Count];
        int othersAt = -1;
        for (int i = 0; i < s.Workload.Count; i++)
        {
            var w = s.Workload[i];
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
            result[i] = w with { Cpus = list };
        }
        if (othersAt >= 0)
        {
            var busy = new HashSet<int>(owner.Keys.Concat(s.Operations.Select(o => o.Cpu)));
            var rest = Enumerable.Range(0, cpus).Where(c => !busy.Contains(c)).ToArray();
            if (rest.Length == 0)
                warnings.Add($"$.workload[{othersAt}].cpus: \"others\" is empty, every CPU already has an operation or a workload");
            result[othersAt] = s.Workload[othersAt] with { Cpus = rest };
        }
        return result;
    }

    /// <summary>Each requested strategy's own refusal rule on this machine and kernel, with the scenario's options.</summary>
    private static IReadOnlyList<Refusal> Refusals(Scenario s) =>
        s.Strategies.Select(name => Running.ScenarioSystem.RefusalOf(s, name, null) is { } reason ? new Refusal(name, reason) : null)
            .OfType<Refusal>().ToArray();
}
