using System.Globalization;
using System.Text.Json;

namespace HvoLab.Experiments.Scenarios;

/// <summary>
/// A JSON value with its path, and typed readers that throw <see cref="ScenarioException"/> in the house format
/// "path: value is not allowed; use …". Hand-written rather than a deserializer so that every message names the
/// field and what is allowed, and so unknown fields get a suggestion.
/// </summary>
internal readonly record struct JsonField(JsonElement Value, string Path)
{
    /// <summary>The value as the user wrote it, shortened for messages.</summary>
    public string Shown
    {
        get
        {
            var raw = Value.GetRawText();
            raw = raw.Replace('\n', ' ').Replace('\r', ' ');
            return raw.Length > 40 ? raw[..37] + "..." : raw;
        }
    }

    public ScenarioException NotAllowed(string allowed) => new(Path, $"{Shown} is not allowed; use {allowed}");

    /// <summary>Checks this is an object with only <paramref name="known"/> fields, each at most once.</summary>
    public Dictionary<string, JsonField> Object(IReadOnlyList<string> known)
    {
        if (Value.ValueKind != JsonValueKind.Object) throw NotAllowed("an object with fields " + string.Join(", ", known));
        var fields = new Dictionary<string, JsonField>(StringComparer.Ordinal);
        foreach (var p in Value.EnumerateObject())
        {
            var path = $"{Path}.{p.Name}";
            if (!known.Contains(p.Name, StringComparer.Ordinal))
                throw new ScenarioException(path, "unknown field" + Suggest.Hint(p.Name, known) +
                    (Suggest.Closest(p.Name, known) is null ? $"; allowed: {string.Join(", ", known)}" : ""));
            if (!fields.TryAdd(p.Name, new JsonField(p.Value, path)))
                throw new ScenarioException(path, "duplicate field; give it once");
        }
        return fields;
    }

    public IEnumerable<JsonField> Array(string what)
    {
        if (Value.ValueKind != JsonValueKind.Array) throw NotAllowed($"an array of {what}");
        int i = 0;
        foreach (var e in Value.EnumerateArray()) yield return new JsonField(e, $"{Path}[{i++}]");
    }

    public string String(string allowed)
    {
        if (Value.ValueKind != JsonValueKind.String) throw NotAllowed(allowed);
        return Value.GetString()!;
    }

    public bool Bool()
    {
        if (Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw NotAllowed("true or false");
        return Value.GetBoolean();
    }

    public int Int(int min, int max)
    {
        var allowed = max == int.MaxValue ? $"an integer >= {min}" : $"{min}..{max}";
        if (Value.ValueKind != JsonValueKind.Number || !Value.TryGetInt64(out var v) || v < min || v > max) throw NotAllowed(allowed);
        return (int)v;
    }

    /// <summary>An integer in <paramref name="range"/>; the message is the range's <see cref="FieldRange.AllowedText"/>.</summary>
    public long Integer(FieldRange range)
    {
        if (Value.ValueKind != JsonValueKind.Number || !Value.TryGetInt64(out var v) || !range.Contains(v)) throw NotAllowed(range.AllowedText);
        return v;
    }

    public ulong ULong()
    {
        if (Value.ValueKind != JsonValueKind.Number || !Value.TryGetUInt64(out var v))
            throw NotAllowed($"an unsigned integer 0..{ulong.MaxValue}");
        return v;
    }

    public double Double(double min, double max, string unit = "")
    {
        if (Value.ValueKind != JsonValueKind.Number || !Value.TryGetDouble(out var v) || !double.IsFinite(v) || v < min || v > max)
            throw NotAllowed(max == double.MaxValue ? $"a number >= {min.ToString(CultureInfo.InvariantCulture)}{unit}"
                : $"a number {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}{unit}");
        return v;
    }

    /// <summary>One of <paramref name="allowed"/>; returns the canonical spelling.</summary>
    public string Enum(IReadOnlyList<string> allowed, bool ignoreCase = false)
    {
        var text = Value.ValueKind == JsonValueKind.String ? Value.GetString()! : null;
        var cmp = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var hit = text is null ? null : allowed.FirstOrDefault(a => string.Equals(a, text, cmp));
        if (hit is not null) return hit;
        var list = string.Join(", ", allowed.Select(a => $"\"{a}\""));
        throw new ScenarioException(Path, $"{Shown} is not allowed; use {list}" + (text is null ? "" : Suggest.Hint(text, allowed)));
    }

    /// <summary>One of the words of <paramref name="words"/>, matched exactly.</summary>
    public T Enum<T>(EnumWords<T> words) where T : struct, System.Enum
    {
        var text = Value.ValueKind == JsonValueKind.String ? Value.GetString()! : null;
        if (words.TryParse(text, out var v)) return v;
        throw new ScenarioException(Path, $"{Shown} is not allowed; use {words.AllowedText}" + (text is null ? "" : Suggest.Hint(text, words.Words)));
    }

    /// <summary>A size: a string such as "2MiB" or a byte count.</summary>
    public ulong Size()
    {
        if (Value.ValueKind == JsonValueKind.Number && Value.TryGetUInt64(out var n)) return n;
        if (Value.ValueKind == JsonValueKind.String && Units.TryParseSize(Value.GetString(), out var b)) return b;
        throw NotAllowed(Units.SizeForms);
    }

    public NsRange Range()
    {
        var f = Object(["min", "max"]);
        double min = f.TryGetValue("min", out var a) ? a.Double(0, double.MaxValue, " ns") : 0;
        double max = f.TryGetValue("max", out var b) ? b.Double(0, double.MaxValue, " ns") : min;
        if (max < min) throw new ScenarioException($"{Path}.max", $"{Fmt(max)} is not allowed; use a number >= min ({Fmt(min)})");
        return new NsRange(min, max);
    }

    private static string Fmt(double v) => v.ToString(CultureInfo.InvariantCulture);
}
