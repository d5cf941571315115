using System.Text.Json.Nodes;
using HvoLab.Experiments.Scenarios;

namespace HvoLab.Cli;

/// <summary>
/// The scenario a command runs: "--scenario FILE" or the embedded default, with command-line overrides applied to
/// the JSON before validation so an override is checked by exactly the same rules (and messages) as the file.
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
        var json = path is null ? defaultJson ?? ScenarioLoader.DefaultJson() : ReadFile(path);
        if (o is null) return ScenarioLoader.Parse(json);
        // Parse first so a broken file is reported as such, not as a failed override.
        var canonical = ScenarioLoader.Serialize(ScenarioLoader.Parse(json));
        var root = JsonNode.Parse(canonical)!.AsObject();
        var machine = root["machine"]!.AsObject();
        if (o.Cpus is { } cpus)
        {
            machine["cpus"] = CliValues.Cpus("--cpus", cpus);
            CpuSets.ClipWorkload(root, cpus);
        }
        if (o.Granule is { } g) machine["granule"] = CliValues.Granule("--granule", g).Name;
        if (o.Hugepage is not null || o.Pages is not null)
        {
            var size = o.Hugepage is null ? null : Units.FormatSize(CliValues.Size("--hugepage", o.Hugepage));
            foreach (var op in root["operations"]!.AsArray())
            {
                if (size is not null) op!["hugepage"] = size;
                if (o.Pages is { } n) op!["count"] = CliValues.Positive("--pages", n);
            }
        }
        var scheduler = root["scheduler"]!.AsObject();
        if (o.Seeds is { } seeds) scheduler["seeds"] = CliValues.Positive("--seeds", seeds);
        if (o.Mode is { } mode) scheduler["mode"] = CliValues.OneOf("--mode", mode, SchedulerModes.All);
        if (o.Iterations is { } it) scheduler["iterations"] = CliValues.Positive("--iterations", it);
        if (o.Seed is { } seed) root["seed"] = seed;
        if (o.Strategies is { } names) root["strategies"] = new JsonArray(names.Select(n => (JsonNode)CliValues.Strategy("--strategy", n)).ToArray());
        if (o.ExtraStrategies is { Count: > 0 } extra)
        {
            var list = root["strategies"]!.AsArray();
            foreach (var n in extra)
                if (!list.Any(x => string.Equals(x!.GetValue<string>(), n, StringComparison.OrdinalIgnoreCase))) list.Add(n);
        }
        if (o.RevertFix is { } fixes)
            root["kernel"]!["revert_fix"] = new JsonArray(fixes.Select(f => (JsonNode)CliValues.OneOf("--revert-fix", f, RevertibleFixes.All)).ToArray());
        return ScenarioLoader.Parse(root.ToJsonString());
    }


    private static string ReadFile(string path)
    {
        if (!File.Exists(path)) throw new ArgumentException($"--scenario: \"{path}\" does not exist");
        return File.ReadAllText(path);
    }
}
