namespace HvoLab.Experiments.Scenarios;

/// <summary>
/// Typed changes to a validated scenario (command-line overrides, sweep points, the verdict search's configuration).
/// An edit is a <c>with</c> expression on the records; <see cref="Revalidate"/> then runs the same checks the loader
/// runs on a file (ranges of the edited integers, cross-field rules, warnings, refusals), so an override is judged
/// exactly like the same value in the file, without writing the scenario out and reading it back.
/// </summary>
public static class ScenarioEdits
{
    /// <summary>Derived state (resolved CPU sets, warnings, refusals) recomputed from the edited spec.</summary>
    public static Scenario Revalidate(Scenario edited)
    {
        ScenarioFields.Cpus.CheckEdited(edited.Machine.Cpus);
        ScenarioFields.BbmLevel.CheckEdited(edited.Machine.BbmLevel);
        ScenarioFields.Seeds.CheckEdited(edited.Scheduler.Seeds);
        ScenarioFields.Iterations.CheckEdited(edited.Scheduler.Iterations);
        for (int i = 0; i < edited.Operations.Count; i++)
            ScenarioFields.Count.CheckEdited(edited.Operations[i].Count, $"$.operations[{i}].count");
        return ScenarioChecks.Resolve(edited with { Warnings = [], Refusals = [] }, workloadGiven: true);
    }

    /// <summary>A machine with <paramref name="cpus"/> CPUs: workload entries keep the CPUs that still exist and are
    /// dropped when none is left ("hvolab compare --cpus 4" on a 64-CPU scenario, sweeps over cpus).</summary>
    public static Scenario WithCpus(Scenario s, int cpus) => s with
    {
        Machine = s.Machine with { Cpus = cpus },
        Workload = s.Workload
            .Select(w => w.CpusText == CpuSets.Others ? w : w with { CpusText = CpuSets.Format(w.Cpus.Where(c => c < cpus).ToArray()) })
            .Where(w => w.CpusText.Length > 0).ToArray(),
    };

    /// <summary>Every operation's hugepage size and/or count replaced.</summary>
    public static Scenario WithOperations(Scenario s, ulong? hugepageBytes, int? count) => s with
    {
        Operations = s.Operations.Select(o => o with
        {
            HugepageBytes = hugepageBytes ?? o.HugepageBytes,
            Count = count ?? o.Count,
        }).ToArray(),
    };
}
