namespace HvoLab.Experiments.Scenarios;

/// <summary>
/// Typed changes to a scenario (command-line overrides, sweep points, the verdict search's configuration): a function
/// of the <see cref="ScenarioSpec"/>, then <see cref="ScenarioResolver.Resolve"/> — the same checks, in the same
/// words, that the same value gets in a file. Nothing is serialised to be edited.
/// </summary>
public static class ScenarioEdits
{
    public static Scenario Edit(Scenario s, Func<ScenarioSpec, ScenarioSpec> edit) => ScenarioResolver.Resolve(edit(s.Spec));

    /// <summary>A machine with <paramref name="cpus"/> CPUs: workload entries keep the CPUs that still exist and are
    /// dropped when none is left ("hvolab compare --cpus 4" on a 64-CPU scenario, sweeps over cpus). An omitted
    /// workload stays omitted: the default, clipped to the new machine.</summary>
    public static ScenarioSpec WithCpus(ScenarioSpec s, int cpus) => s with
    {
        Machine = s.Machine with { Cpus = cpus },
        Workload = s.Workload is null ? null : CpuSets.Clip(s.Workload, cpus),
    };

    /// <summary>Every operation's hugepage size and/or count replaced.</summary>
    public static ScenarioSpec WithOperations(ScenarioSpec s, ulong? hugepageBytes, int? count) => s with
    {
        Operations = s.Operations.Select(o => o with
        {
            HugepageBytes = hugepageBytes ?? o.HugepageBytes,
            Count = count ?? o.Count,
        }).ToArray(),
    };
}
