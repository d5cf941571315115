using HvoLab.Experiments.Scenarios;

namespace HvoLab.Cli;

/// <summary>
/// The scenario a command runs: "--scenario FILE" or the embedded default, with command-line overrides applied as
/// typed edits of its spec and resolved again (<see cref="ScenarioEdits.Edit"/>), so an override gets the same checks
/// and messages as the same value in the file.
/// </summary>
public static class CliScenario
{
    public sealed record Overrides
    {
        public int? Cpus { get; init; }
        public string? Granule { get; init; }
        public string? Hugepage { get; init; }
        public int? Pages { get; init; }
        public int? Seeds { get; init; }
        public string? Mode { get; init; }
        public IReadOnlyList<string>? Strategies { get; init; }
        public ulong? Seed { get; init; }
        public int? Iterations { get; init; }
        public IReadOnlyList<string>? RevertFix { get; init; }
        /// <summary>Strategies appended to the scenario's list (those of a --strategy-file).</summary>
        public IReadOnlyList<string>? ExtraStrategies { get; init; }
    }

    public static Scenario Resolve(string? path, Overrides? o = null, string? defaultJson = null)
    {
        // Parse first so a broken file is reported as such, not as a failed override.
        var s = ScenarioLoader.Parse(path is null ? defaultJson ?? ScenarioLoader.DefaultJson() : ScenarioLoader.ReadFile(path));
        return o is null ? s : ScenarioEdits.Edit(s, spec => Apply(spec, o));
    }

    private static ScenarioSpec Apply(ScenarioSpec s, Overrides o)
    {
        if (o.Cpus is { } cpus) s = ScenarioEdits.WithCpus(s, ScenarioFields.Cpus.CheckOption("--cpus", cpus));
        if (o.Granule is { } g) s = s with { Machine = s.Machine with { Granule = CliValues.Granule("--granule", g) } };
        if (o.Hugepage is not null || o.Pages is not null)
            s = ScenarioEdits.WithOperations(s,
                o.Hugepage is null ? null : CliValues.Size("--hugepage", o.Hugepage),
                o.Pages is { } n ? ScenarioFields.Count.CheckOption("--pages", n) : null);
        if (o.Seeds is { } seeds) s = s with { Scheduler = s.Scheduler with { Seeds = ScenarioFields.Seeds.CheckOption("--seeds", seeds) } };
        if (o.Mode is { } mode) s = s with { Scheduler = s.Scheduler with { Mode = ScenarioWords.Mode.ParseOption("--mode", mode) } };
        if (o.Iterations is { } it) s = s with { Scheduler = s.Scheduler with { Iterations = ScenarioFields.Iterations.CheckOption("--iterations", it) } };
        if (o.Seed is { } seed) s = s with { Seed = seed };
        if (o.Strategies is { } names) s = s with { Strategies = names.Select(n => CliValues.Strategy("--strategy", n)).Distinct().ToArray() };
        if (o.ExtraStrategies is { Count: > 0 } extra)
            s = s with { Strategies = s.Strategies.Concat(extra.Where(n => !s.Strategies.Contains(n, StringComparer.OrdinalIgnoreCase))).ToArray() };
        if (o.RevertFix is { } fixes)
            s = s with { Kernel = s.Kernel with { RevertFix = fixes.Select(f => CliValues.OneOf("--revert-fix", f, RevertibleFixes.All)).Distinct().ToArray() } };
        return s;
    }
}
