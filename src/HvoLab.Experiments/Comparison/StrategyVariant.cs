using HvoLab.Experiments.Running;
using HvoLab.Experiments.Scenarios;
using HvoLab.Kernel;
using HvoLab.Strategies;
using KStrategyOptions = HvoLab.Strategies.StrategyOptions;

namespace HvoLab.Experiments.Comparison;

/// <summary>
/// One strategy as compared: a catalog strategy plus the options it runs with. Plain names ("D") take the
/// scenario's options; "D:pte", "D:range", "D:batch", "D:irq" and "ours:N" (PTEs per pause window) are the
/// variants recommend weighs, because the posted series and our proposal differ exactly in those knobs.
/// </summary>
public sealed record StrategyVariant(string Label, string Strategy, KStrategyOptions Options)
{
    public static StrategyVariant Plain(Scenario s, string strategy) =>
        new(strategy, strategy, ScenarioSystem.ToOptions(s.StrategyOptions));

    /// <summary>Parses "NAME" or "NAME:VARIANT"; throws ArgumentException naming what is allowed.</summary>
    public static StrategyVariant Parse(Scenario s, string text)
    {
        var parts = text.Split(':', 2, StringSplitOptions.TrimEntries);
        if (!StrategyNames.TryCanonical(parts[0], out var name))
            throw new ArgumentException($"strategy \"{text}\" is unknown; use one of {StrategyNames.AllowedText}, D:pte|range|batch|irq or ours:N");
        var plain = Plain(s, name);
        if (parts.Length == 1) return plain;
        var v = parts[1].ToLowerInvariant();
        var o = plain.Options;
        return (name, v) switch
        {
            (StrategyNames.D, "pte") => new($"D:pte", name, o with { DGranularity = PauseGranularity.Pte }),
            (StrategyNames.D, "range") => new($"D:range", name, o with { DGranularity = PauseGranularity.Range }),
            (StrategyNames.D, "batch") => new($"D:batch", name, o with { DGranularity = PauseGranularity.Batch }),
            (StrategyNames.D, "irq") => new($"D:irq", name, o with { DIpi = PauseIpi.NormalIrq }),
            (StrategyNames.Ours, _) when int.TryParse(v, out var n) && n >= 1 => new($"ours:{n}", name, o with { OursMaxPtesPerPause = n }),
            _ => throw new ArgumentException($"strategy variant \"{text}\" is unknown; use D:pte, D:range, D:batch, D:irq or ours:N (N >= 1)"),
        };
    }

    /// <summary>Catalog entry of the underlying strategy.</summary>
    public StrategyInfo Info => StrategyCatalog.Get(Strategy);

    /// <summary>The plain strategies of the scenario, "off" first (the baseline every cost is compared with).</summary>
    public static IReadOnlyList<StrategyVariant> OfScenario(Scenario s) =>
        s.Strategies.OrderBy(n => n == StrategyNames.Off ? 0 : 1).Select(n => Plain(s, n)).ToArray();
}
