using HvoLab.Experiments.Running;
using HvoLab.Experiments.Scenarios;
using HvoLab.Strategies;

namespace HvoLab.Experiments.Comparison;

/// <summary>
/// One strategy as compared: a registered strategy plus the options it runs with. Plain names ("D") take the
/// scenario's options; "NAME:SUFFIX" is one of the strategy's own variants (<see cref="Strategy.VariantOptions"/>:
/// "D:pte", "D:irq", "ours:8", ...), the knobs in which the posted series and our proposal differ.
/// </summary>
public sealed record StrategyVariant(string Label, string Strategy, object? Options)
{
    public static StrategyVariant Plain(Scenario s, string strategy)
    {
        var info = StrategyRegistry.Get(strategy);
        return new(info.Name, info.Name, s.StrategyOptions.For(info));
    }

    /// <summary>Every accepted form, for error messages: the names, then NAME:SYNTAX of each strategy with variants.</summary>
    public static string AllowedText => StrategyRegistry.AllowedText + string.Concat(
        StrategyRegistry.All.Where(x => x.VariantSyntax is not null).Select(x => $", {x.Name}:{x.VariantSyntax}"));

    /// <summary>Parses "NAME" or "NAME:VARIANT"; throws ArgumentException naming what is allowed.</summary>
    public static StrategyVariant Parse(Scenario s, string text)
    {
        var parts = text.Split(':', 2, StringSplitOptions.TrimEntries);
        if (!StrategyRegistry.TryGet(parts[0], out var info))
            throw new ArgumentException($"strategy \"{text}\" is unknown; use one of {AllowedText}");
        var plain = Plain(s, info.Name);
        if (parts.Length == 1) return plain;
        var suffix = parts[1].ToLowerInvariant();
        var options = info.VariantOptions(suffix, plain.Options)
            ?? throw new ArgumentException($"strategy variant \"{text}\" is unknown; " + (info.VariantSyntax is { } syntax
                ? $"use {info.Name}:{syntax}" : $"{info.Name} has no variants (use one of {AllowedText})"));
        return new($"{info.Name}:{suffix}", info.Name, options);
    }

    /// <summary>The registered strategy.</summary>
    public Strategy Info => StrategyRegistry.Get(Strategy);

    /// <summary>Why the kernel would refuse this variant on the scenario's machine, or null (asked before running).</summary>
    public string? RefusalOn(Scenario s) => ScenarioSystem.RefusalOf(s, Strategy, Options);

    /// <summary>The plain strategies of the scenario, "off" first (the baseline every cost is compared with).</summary>
    public static IReadOnlyList<StrategyVariant> OfScenario(Scenario s) =>
        s.Strategies.OrderBy(n => n == OffStrategy.Id ? 0 : 1).Select(n => Plain(s, n)).ToArray();
}
