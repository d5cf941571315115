namespace HvoLab.Experiments.Scenarios;

/// <summary>
/// The one place a <see cref="ScenarioSpec"/> becomes a <see cref="Scenario"/>: every field's range (the table's
/// checks, so an edited spec is judged like a file), the machine with its CPU profile applied, the rules between
/// fields (<see cref="ScenarioChecks"/>), CPU sets expanded, warnings and refusals. Nothing else derives these.
/// </summary>
public static class ScenarioResolver
{
    public static Scenario Resolve(ScenarioSpec spec)
    {
        ScenarioFieldTable.Top.Check(spec, "$");
        var machine = ScenarioHardware.Resolve(spec.Machine);
        ScenarioChecks.CheckMachine(machine);
        var warnings = new List<string>();
        ScenarioChecks.CheckOperations(spec.Operations, machine, warnings);
        // An omitted workload is the default one clipped to the machine (so {"machine":{"cpus":4}} is valid) instead of
        // rejected for naming CPUs the machine lacks.
        var workload = ScenarioChecks.ResolveWorkload(spec.Workload ?? CpuSets.Clip(ScenarioDefaults.Workload, machine.Cpus),
            spec.Operations, machine.Cpus, warnings);
        var s = new Scenario(spec, machine, workload);
        ScenarioChecks.CheckSomethingRuns(s);
        ScenarioChecks.CheckMemory(s);
        if (!spec.Kernel.HvoEnabled && spec.Strategies.Any(x => x != Strategies.OffStrategy.Id))
            warnings.Add("$.kernel.hvo_enabled: false, so every strategy leaves the vmemmap alone and runs as \"off\"");
        return s with { Warnings = warnings, Refusals = ScenarioChecks.Refusals(s) };
    }

    /// <summary>The spec that resolves to <paramref name="s"/> with every value explicit: the profile's settings as
    /// machine fields, the workload as resolved entries. What <see cref="ScenarioWriter"/> writes.</summary>
    public static ScenarioSpec Canonical(Scenario s) => s.Spec with
    {
        Machine = ScenarioHardware.Canonical(s.Machine),
        Workload = s.Workload.Select(w => w.Spec).ToArray(),
    };
}
