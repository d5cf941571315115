using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HvoLab.Strategies;

/// <summary>One field of a strategy's options record as it appears in a scenario: snake_case name, its property,
/// the allowed words of an enum (kebab-case), the range of a number, its default and description.</summary>
public sealed record OptionField(string JsonName, PropertyInfo Property, string Description, object Default,
    IReadOnlyList<string>? Words, double Min, double Max)
{
    public Type Type => Property.PropertyType;

    /// <summary>The word of an enum value ("Nmi" → "nmi", "MaxPtes" → "max-ptes").</summary>
    public static string Word(object enumValue) => JsonNamingPolicy.KebabCaseLower.ConvertName(enumValue.ToString()!);

    /// <summary>The value as written in a scenario (word for enums).</summary>
    public JsonNode ToJson(object value) => Type.IsEnum ? JsonValue.Create(Word(value))
        : Type == typeof(bool) ? JsonValue.Create((bool)value)
        : Type == typeof(int) ? JsonValue.Create((int)value)
        : JsonValue.Create((double)value);

    /// <summary>The enum value of <paramref name="word"/> (exact), or null.</summary>
    public object? FromWord(string word) => Enum.GetValues(Type).Cast<object>().FirstOrDefault(v => Word(v) == word);
}

/// <summary>
/// The scenario form of a strategy's options, generated from its options record by reflection: the fields, the JSON
/// schema fragment ("strategy_options": {NAME: {...}}), and writing a value back as JSON. Reading is in
/// HvoLab.Experiments (it reports errors with the scenario's JSON paths).
/// </summary>
public static class StrategyOptionFields
{
    public static IReadOnlyList<OptionField> Of(Type optionsType)
    {
        var defaults = Activator.CreateInstance(optionsType)!;
        return optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.SetMethod is { IsPublic: true })
            .Select(p =>
            {
                var t = p.PropertyType;
                if (!(t.IsEnum || t == typeof(bool) || t == typeof(int) || t == typeof(double)))
                    throw new ArgumentException($"{optionsType.Name}.{p.Name}: options may be bool, int, double or enum, not {t.Name}");
                var range = p.GetCustomAttribute<RangeAttribute>();
                double min = range is null ? (t == typeof(int) ? int.MinValue : double.MinValue) : Convert.ToDouble(range.Minimum);
                double max = range is null ? (t == typeof(int) ? int.MaxValue : double.MaxValue) : Convert.ToDouble(range.Maximum);
                return new OptionField(JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name), p,
                    p.GetCustomAttribute<DescriptionAttribute>()?.Description ?? p.Name, p.GetValue(defaults)!,
                    t.IsEnum ? Enum.GetValues(t).Cast<object>().Select(OptionField.Word).ToArray() : null, min, max);
            }).ToArray();
    }

    /// <summary>The JSON schema of one strategy's options object.</summary>
    public static JsonObject Schema(Strategy s)
    {
        var props = new JsonObject();
        foreach (var f in s.OptionsType is { } t ? Of(t) : [])
        {
            var o = new JsonObject { ["description"] = f.Description };
            if (f.Words is { } words) { o["enum"] = new JsonArray(words.Select(w => (JsonNode)w).ToArray()); o["default"] = f.ToJson(f.Default); }
            else if (f.Type == typeof(bool)) { o["type"] = "boolean"; o["default"] = f.ToJson(f.Default); }
            else
            {
                o["type"] = f.Type == typeof(int) ? "integer" : "number";
                if (f.Min > int.MinValue) o["minimum"] = f.Min;
                if (f.Max < int.MaxValue) o["maximum"] = f.Max;
                o["default"] = f.ToJson(f.Default);
            }
            props[f.JsonName] = o;
        }
        return new JsonObject { ["description"] = s.Title, ["type"] = "object", ["additionalProperties"] = false, ["properties"] = props };
    }

    /// <summary>Writes <paramref name="options"/> as the scenario's object (every field).</summary>
    public static void Write(Utf8JsonWriter w, object options)
    {
        foreach (var f in Of(options.GetType()))
        {
            w.WritePropertyName(f.JsonName);
            f.ToJson(f.Property.GetValue(options)!).WriteTo(w);
        }
    }
}

/// <summary>The options of each strategy a scenario sets (by canonical name); the others run with their defaults.</summary>
public sealed class StrategyOptionSet : IEquatable<StrategyOptionSet>
{
    private readonly IReadOnlyDictionary<string, object> _byName;

    public static StrategyOptionSet Empty { get; } = new(new Dictionary<string, object>());

    private StrategyOptionSet(IReadOnlyDictionary<string, object> byName) => _byName = byName;

    /// <summary>The options of <paramref name="strategy"/>: the scenario's, else the strategy's defaults (null: no options).</summary>
    public object? For(Strategy strategy) => _byName.TryGetValue(strategy.Name, out var o) ? o : strategy.DefaultOptions;

    /// <summary>The options of the strategy named <paramref name="name"/>.</summary>
    public object? For(string name) => For(StrategyRegistry.Get(name));

    /// <summary>A copy with <paramref name="options"/> for the strategy named <paramref name="name"/>.</summary>
    public StrategyOptionSet With(string name, object options)
    {
        var s = StrategyRegistry.Get(name);
        if (s.OptionsType != options.GetType()) throw new ArgumentException($"strategy {s.Name} takes {s.OptionsType?.Name ?? "no options"}, not {options.GetType().Name}");
        var d = new Dictionary<string, object>(_byName) { [s.Name] = options };
        return new StrategyOptionSet(d);
    }

    public bool Equals(StrategyOptionSet? other) =>
        other is not null && _byName.Count == other._byName.Count && _byName.All(kv => other._byName.TryGetValue(kv.Key, out var v) && Equals(v, kv.Value));
    public override bool Equals(object? obj) => Equals(obj as StrategyOptionSet);
    public override int GetHashCode() => _byName.Count;
}
