using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HvoLab.Experiments.Scenarios;

/// <summary>
/// Rows of a <see cref="FieldTable{T}"/> by kind of value: each factory derives the reader's check and message, the
/// writer, the schema and the edit check from one range (or word list) and one default (read from a new
/// <typeparamref name="T"/>, so the record's initialiser is the only place a default is written).
/// </summary>
internal static class Field<T> where T : new()
{
    private static readonly T Fresh = new();

    public static ScenarioField<T> Int(string name, string description, FieldRange range, Func<T, long?> get, Func<T, long?, T> set,
        long? defaultWhenNull = null, bool nullAllowed = false) => new()
    {
        Name = name, Description = description, Allowed = range.AllowedText,
        Rejected = range.Max < long.MaxValue ? JsonValue.Create(range.Max + 1) : JsonValue.Create(range.Min - 1),
        Read = (v, r) => set(r, nullAllowed && v.Value.ValueKind == JsonValueKind.Null ? null : v.Integer(range)),
        Write = (w, r) =>
        {
            if (get(r) is { } x) w.WriteNumber(name, x);
            else if (nullAllowed) w.WriteNull(name);
        },
        Schema = () =>
        {
            var o = new JsonObject { ["type"] = nullAllowed ? new JsonArray("integer", "null") : "integer", ["minimum"] = range.Min };
            if (!nullAllowed || range.Max < int.MaxValue) o["maximum"] = range.Max;
            o["default"] = get(Fresh) ?? defaultWhenNull;
            return o;
        },
        Check = (r, path) => { if (get(r) is { } x) range.CheckEdited(x, path); },
    };

    public static ScenarioField<T> Number(string name, string description, double min, double max, string unit, bool aboveMin,
        Func<T, double> get, Func<T, double, T> set)
    {
        string F(double d) => d.ToString(CultureInfo.InvariantCulture);
        var allowed = (aboveMin, max == double.MaxValue) switch
        {
            (true, true) => $"a number > {F(min)}{unit}",
            (true, false) => $"a number > {F(min)}{unit} and <= {F(max)}{unit}",
            (false, true) => $"a number >= {F(min)}{unit}",
            _ => $"a number {F(min)}..{F(max)}{unit}",
        };
        bool Ok(double d) => double.IsFinite(d) && (aboveMin ? d > min : d >= min) && d <= max;
        return new()
        {
            Name = name, Description = description, Allowed = allowed, Rejected = JsonValue.Create(min - 1),
            Read = (v, r) => v.Value.ValueKind == JsonValueKind.Number && v.Value.TryGetDouble(out var d) && Ok(d) ? set(r, d) : throw v.NotAllowed(allowed),
            Write = (w, r) => w.WriteNumber(name, get(r)),
            Schema = () =>
            {
                var o = new JsonObject { ["type"] = "number", [aboveMin ? "exclusiveMinimum" : "minimum"] = min };
                if (max != double.MaxValue) o["maximum"] = max;
                o["default"] = get(Fresh);
                return o;
            },
            Check = (r, path) =>
            {
                if (!Ok(get(r))) throw new ScenarioException(path, $"{F(get(r))} is not allowed; use {allowed}");
            },
        };
    }

    public static ScenarioField<T> Bool(string name, string description, Func<T, bool?> get, Func<T, bool, T> set, bool? defaultWhenNull = null) => new()
    {
        Name = name, Description = description, Allowed = "true or false", Rejected = JsonValue.Create("yes"),
        Read = (v, r) => set(r, v.Bool()),
        Write = (w, r) => { if (get(r) is { } b) w.WriteBoolean(name, b); },
        Schema = () => new JsonObject { ["type"] = "boolean", ["default"] = get(Fresh) ?? defaultWhenNull },
    };

    public static ScenarioField<T> Enum<TEnum>(string name, string description, EnumWords<TEnum> words, Func<T, TEnum> get, Func<T, TEnum, T> set)
        where TEnum : struct, System.Enum => new()
    {
        Name = name, Description = description, Allowed = words.AllowedText, Rejected = JsonValue.Create("no-such-" + name),
        Read = (v, r) => set(r, v.Enum(words)),
        Write = (w, r) => w.WriteString(name, words.Word(get(r))),
        Schema = () => new JsonObject { ["type"] = "string", ["enum"] = Words(words.Words), ["default"] = words.Word(get(Fresh)) },
    };

    /// <summary>An enum whose absence means something of its own (the reader of the value decides): null when the
    /// file is silent, written back only when given, so a silent file stays silent (and its hash unchanged) and an
    /// explicit value stays explicit even when it equals what absence would choose. The schema has no default: the
    /// description says what absence means.</summary>
    public static ScenarioField<T> OptionalEnum<TEnum>(string name, string description, EnumWords<TEnum> words, Func<T, TEnum?> get, Func<T, TEnum, T> set)
        where TEnum : struct, System.Enum => new()
    {
        Name = name, Description = description, Allowed = words.AllowedText, Rejected = JsonValue.Create("no-such-" + name),
        Read = (v, r) => set(r, v.Enum(words)),
        Write = (w, r) => { if (get(r) is { } x) w.WriteString(name, words.Word(x)); },
        Schema = () => new JsonObject { ["type"] = "string", ["enum"] = Words(words.Words) },
    };

    /// <summary>A size ("2MiB" or a byte count), written in its shortest exact form; omitted when null.</summary>
    public static ScenarioField<T> Size(string name, string description, Func<T, ulong?> get, Func<T, ulong, T> set,
        ulong min = 0, ulong max = ulong.MaxValue)
    {
        var allowed = min == 0 && max == ulong.MaxValue ? Units.SizeForms : $"{Units.FormatSize(min)}..{Units.FormatSize(max)}";
        return new()
        {
            Name = name, Description = description, Allowed = allowed,
            Rejected = min > 0 ? JsonValue.Create(Units.FormatSize(min / 2)) : JsonValue.Create("lots"),
            Read = (v, r) =>
            {
                var bytes = v.Size();
                return bytes < min || bytes > max ? throw v.NotAllowed(allowed) : set(r, bytes);
            },
            Write = (w, r) => { if (get(r) is { } b) w.WriteString(name, Units.FormatSize(b)); },
            Schema = () =>
            {
                var o = new JsonObject
                {
                    ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "string", ["pattern"] = SizePattern },
                        new JsonObject { ["type"] = "integer", ["minimum"] = min }),
                };
                if (max != ulong.MaxValue) o["oneOf"]![1]!["maximum"] = max;
                if (get(Fresh) is { } d) o["default"] = Units.FormatSize(d);
                return o;
            },
            Check = (r, path) =>
            {
                if (get(r) is { } b && (b < min || b > max)) throw new ScenarioException(path, $"\"{Units.FormatSize(b)}\" is not allowed; use {allowed}");
            },
        };
    }

    /// <summary>A list of distinct names from <paramref name="allowed"/>; omitted when null.</summary>
    public static ScenarioField<T> Names(string name, string description, IReadOnlyList<string> allowed, string noun,
        Func<T, IReadOnlyList<string>?> get, Func<T, IReadOnlyList<string>, T> set) => new()
    {
        Name = name, Description = description, Allowed = string.Join(", ", allowed.Select(a => $"\"{a}\"")),
        Rejected = new JsonArray("no-such-name"),
        Read = (v, r) =>
        {
            var list = new List<string>();
            foreach (var e in v.Array($"{noun} names: {string.Join(", ", allowed)}"))
            {
                var n = e.Enum(allowed);
                if (list.Contains(n)) throw new ScenarioException(e.Path, $"\"{n}\" is listed twice; give each {noun} once");
                list.Add(n);
            }
            return set(r, list);
        },
        Write = (w, r) =>
        {
            if (get(r) is not { } list) return;
            w.WriteStartArray(name);
            foreach (var n in list) w.WriteStringValue(n);
            w.WriteEndArray();
        },
        Schema = () => new JsonObject { ["type"] = "array", ["uniqueItems"] = true, ["items"] = new JsonObject { ["type"] = "string", ["enum"] = Words(allowed) } },
    };

    /// <summary>A nested object with its own table; omitted when null.</summary>
    public static ScenarioField<T> Object<TObject>(string name, string description, FieldTable<TObject> table, Func<T, TObject?> get, Func<T, TObject, T> set)
        where TObject : class, new() => new()
    {
        Name = name, Description = description, Allowed = "an object with fields " + string.Join(", ", table.Names), Nested = table,
        Read = (v, r) => set(r, table.Read(v)),
        Write = (w, r) =>
        {
            if (get(r) is not { } o) return;
            w.WriteStartObject(name);
            table.Write(w, o);
            w.WriteEndObject();
        },
        Schema = () => table.Schema(description),
        Check = (r, path) => { if (get(r) is { } o) table.Check(o, path); },
    };

    /// <summary>An array of objects of one table; omitted when null.</summary>
    public static ScenarioField<T> Array<TItem>(string name, string description, FieldTable<TItem> table, string what,
        Func<T, IReadOnlyList<TItem>?> get, Func<T, IReadOnlyList<TItem>, T> set) where TItem : new() => new()
    {
        Name = name, Description = description, Allowed = "an array of " + what, Nested = table, IsArray = true,
        Read = (v, r) => set(r, v.Array(what).Select(table.Read).ToArray()),
        Write = (w, r) =>
        {
            if (get(r) is not { } list) return;
            w.WriteStartArray(name);
            foreach (var item in list)
            {
                w.WriteStartObject();
                table.Write(w, item);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        },
        Schema = () => new JsonObject { ["type"] = "array", ["items"] = table.Schema(description) },
        Check = (r, path) =>
        {
            if (get(r) is not { } list) return;
            for (int i = 0; i < list.Count; i++) table.Check(list[i], $"{path}[{i}]");
        },
    };

    /// <summary>A field whose value has its own reader (profiles, feature and cost maps, CPU sets, strategies).</summary>
    public static ScenarioField<T> Custom(string name, string description, string allowed, Func<JsonField, T, T> read,
        Action<Utf8JsonWriter, T> write, Func<JsonObject> schema, JsonNode? rejected = null) => new()
    {
        Name = name, Description = description, Allowed = allowed, Rejected = rejected, Read = read, Write = write, Schema = schema,
    };

    internal const string SizePattern = "^\\s*[0-9]+(\\.[0-9]+)?\\s*([KkMmGgTt](i?[Bb])?|[Bb])?\\s*$";

    internal static JsonArray Words(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
}
