using HvoLab.Strategies;

namespace HvoLab.Experiments.Scenarios;

/// <summary>"strategies" and "strategy_options" of a scenario, read against <see cref="StrategyRegistry"/>: names
/// case-insensitively, each strategy's options by the fields of its options record (<see cref="StrategyOptionFields"/>).</summary>
internal static class StrategyFieldsReader
{
    /// <summary>Strategies that take options, as keys of "strategy_options".</summary>
    internal static IReadOnlyList<string> OptionKeys => StrategyRegistry.All.Where(s => s.OptionsType is not null).Select(s => s.Name).ToArray();

    public static IReadOnlyList<string> ReadStrategies(JsonField node)
    {
        var list = new List<string>();
        foreach (var e in node.Array("strategy names"))
        {
            var name = e.Enum(StrategyRegistry.Names, ignoreCase: true);
            if (list.Contains(name)) throw new ScenarioException(e.Path, $"\"{name}\" is listed twice; give each strategy once");
            list.Add(name);
        }
        return list;
    }

    public static StrategyOptionSet ReadStrategyOptions(JsonField node)
    {
        var set = StrategyOptionSet.Empty;
        foreach (var (name, value) in node.Object(OptionKeys))
        {
            var strategy = StrategyRegistry.Get(name);
            var fields = StrategyOptionFields.Of(strategy.OptionsType!);
            var given = value.Object(fields.Select(f => f.JsonName).ToArray());
            object options = strategy.DefaultOptions!;
            foreach (var f in fields)
            {
                if (!given.TryGetValue(f.JsonName, out var x)) continue;
                object v = f.Words is { } words ? f.FromWord(x.Enum(words))!
                    : f.Type == typeof(bool) ? x.Bool()
                    : f.Type == typeof(int) ? (object)x.Int((int)f.Min, (int)f.Max)
                    : x.Double(f.Min, f.Max);
                options = With(options, f, v);
            }
            set = set.With(name, options);
        }
        return set;
    }

    /// <summary>A copy of the options record with one property changed (records are immutable; the copy goes through
    /// the compiler-generated clone method, as `with` does).</summary>
    private static object With(object options, OptionField f, object value)
    {
        var clone = options.GetType().GetMethod("<Clone>$")?.Invoke(options, null)
            ?? throw new ArgumentException($"{options.GetType().Name}: strategy options must be a record");
        f.Property.SetValue(clone, value);
        return clone;
    }
}
