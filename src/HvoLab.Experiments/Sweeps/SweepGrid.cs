using System.Globalization;
using System.Text.Json.Nodes;
using HvoLab.Experiments.Comparison;
using HvoLab.Experiments.Scenarios;

namespace HvoLab.Experiments.Sweeps;

/// <summary>One swept parameter and its values, as given on the command line.</summary>
public sealed record SweepParam(string Name, IReadOnlyList<string> Values);

/// <summary>One point of the grid: its index in the fixed order, its parameter values and the scenario they make.</summary>
public sealed record SweepPoint(int Index, IReadOnlyList<(string Name, string Value)> Values, Scenario Scenario)
{
    /// <summary>"cpus=8,granule=4k": part of every row key, so a resumed or merged file cannot mix grids silently.</summary>
    public string Text => Values.Count == 0 ? "base" : string.Join(",", Values.Select(v => $"{v.Name}={v.Value}"));
}

/// <summary>
/// The sweep grid: the cartesian product of the parameters in the order given (first parameter outermost), applied
/// to the scenario's JSON and validated by the scenario loader, so a sweep value is checked by exactly the rules a
/// file is. "strategy" is not a grid axis: it chooses the strategies (or variants such as D:pte) run at every point.
/// </summary>
public sealed class SweepGrid
{
    public static readonly IReadOnlyList<string> Names = ["cpus", "granule", "hugepage", "batch", "irq_off", "pseudo_nmi", "bbm_level", "tlbi_range", "strategy"];

    public IReadOnlyList<SweepPoint> Points { get; }
    public IReadOnlyList<string> Strategies { get; }
    /// <summary>Hash of the base scenario, the swept parameters with their values, and the strategies: rows of
    /// different sweeps never share a file (resume) or a merge.</summary>
    public string Id { get; }

    public SweepGrid(Scenario scenario, IReadOnlyList<SweepParam> parameters)
    {
        var axes = new List<SweepParam>();
        IReadOnlyList<string>? strategies = null;
        foreach (var p in parameters)
        {
            var name = Canonical(p.Name);
            if (p.Values.Count == 0) throw new ArgumentException($"--param {p.Name}: give at least one value");
            if (name == "strategy")
            {
                if (strategies is not null) throw new ArgumentException("--param strategy: given twice");
                strategies = p.Values.Select(v => StrategyVariant.Parse(scenario, v).Label).Distinct().ToArray();
            }
            else if (axes.Any(a => a.Name == name)) throw new ArgumentException($"--param {name}: given twice");
            else axes.Add(p with { Name = name });
        }
        Strategies = strategies ?? StrategyVariant.OfScenario(scenario).Select(v => v.Label).ToArray();

        var points = new List<SweepPoint>();
        // Points are typed edits of the canonical spec (every value explicit, as the base scenario resolved).
        var baseSpec = ScenarioResolver.Canonical(scenario);
        foreach (var combo in Product(axes))
        {
            Scenario s;
            try { s = ScenarioResolver.Resolve(combo.Aggregate(baseSpec, (spec, c) => Apply(spec, c.Name, c.Value))); }
            catch (ScenarioException e) { throw new ArgumentException($"--param point {string.Join(",", combo.Select(c => $"{c.Name}={c.Value}"))}: {e.Message}", e); }
            points.Add(new SweepPoint(points.Count, combo, s));
        }
        Points = points;
        Id = ContentHash.Of(string.Join('\n', new[] { ContentHash.Of(scenario) }
            .Concat(axes.Select(a => $"{a.Name}={string.Join(',', a.Values)}"))
            .Append("strategy=" + string.Join(',', Strategies))));
    }

    public static string Canonical(string name)
    {
        var n = name.Trim().ToLowerInvariant().Replace('-', '_');
        if (n.StartsWith("machine.", StringComparison.Ordinal)) n = n["machine.".Length..];
        return Names.Contains(n) ? n : throw new ArgumentException($"--param: \"{name}\" is not allowed; use one of {string.Join(", ", Names)}" + Suggest.Hint(name, Names));
    }

    private static IEnumerable<IReadOnlyList<(string Name, string Value)>> Product(List<SweepParam> axes)
    {
        IEnumerable<IReadOnlyList<(string, string)>> acc = [[]];
        foreach (var a in axes)
        {
            var prev = acc;
            acc = prev.SelectMany(c => a.Values.Select(v => (IReadOnlyList<(string, string)>)[.. c, (a.Name, v)]));
        }
        return acc;
    }

    /// <summary>One parameter value as a typed edit. Granule and hugepage text is read by the field's own table row,
    /// so a bad value gets the message a file gets; integers are range-checked when the point is resolved.</summary>
    private static ScenarioSpec Apply(ScenarioSpec s, string name, string value)
    {
        var m = s.Machine;
        switch (name)
        {
            case "cpus":
                int cpus = Int(name, value);
                if (cpus is < MinCpus or > ScenarioDefaults.MaxCpus)
                    throw new ArgumentException($"--param cpus: {cpus} is not allowed; use {MinCpus}..{ScenarioDefaults.MaxCpus}");
                return ScenarioEdits.WithCpus(s, cpus);
            case "granule": return s with { Machine = ScenarioFieldTable.Machine.ReadValue("granule", JsonValue.Create(value), m, "$.machine.granule") };
            case "pseudo_nmi": return s with { Machine = m with { PseudoNmi = Bool(name, value) } };
            case "tlbi_range": return s with { Machine = m with { TlbiRange = Bool(name, value) } };
            case "bbm_level": return s with { Machine = m with { BbmLevel = Int(name, value) } };
            case "hugepage":
                return s with
                {
                    Operations = s.Operations.Select((o, i) => ScenarioFieldTable.Operation.ReadValue("hugepage", JsonValue.Create(value), o, $"$.operations[{i}].hugepage")).ToArray(),
                };
            case "batch":
                // true/false selects the batched kernel paths; a number is the pages handled per operation.
                return bool.TryParse(value, out var b)
                    ? s with { Operations = s.Operations.Select(o => o with { Batched = b }).ToArray() }
                    : ScenarioEdits.WithOperations(s, null, Int(name, value));
            case "irq_off":
                // Length of the background load's IRQ-off sections: drawn from [min(1µs, v), v] like the default's 1–20µs.
                double ns = value is "0" or "none" ? 0 : Units.ParseDuration(value, "--param irq_off");
                return s with
                {
                    Workload = s.Workload?.Select(w => w.Kind != WorkloadKind.Background ? w
                        : w with { IrqOffNs = ns <= 0 ? null : new NsRange(Math.Min(1000, ns), ns) }).ToArray(),
                };
            default: return s;
        }
    }

    /// <summary>A sweep over CPUs needs room for the updater and the default readers.</summary>
    private const int MinCpus = 4;

    private static int Int(string name, string v) => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i
        : throw new ArgumentException($"--param {name}: \"{v}\" is not an integer");

    private static bool Bool(string name, string v) => v.ToLowerInvariant() switch
    {
        "true" or "1" or "on" or "yes" => true,
        "false" or "0" or "off" or "no" => false,
        _ => throw new ArgumentException($"--param {name}: \"{v}\" is not allowed; use true or false"),
    };

}
