using System.Text.Json;
using System.Text.Json.Nodes;

namespace HvoLab.Experiments.Scenarios;

/// <summary>What the agreement tests and tools see of a field: its name, what it allows, a value it rejects.</summary>
public interface IScenarioField
{
    string Name { get; }
    string Description { get; }
    /// <summary>What a message about a bad value says is allowed ("1..256", "\"alloc\", \"free\", \"demote\"").</summary>
    string Allowed { get; }
    /// <summary>A value of the right JSON shape that the field's own check rejects, or null when no such value exists.</summary>
    JsonNode? Rejected { get; }
    /// <summary>The table of the object (or of each array item) this field holds, if any.</summary>
    IFieldTable? Nested { get; }
    bool IsArray { get; }
}

/// <summary>
/// One row of <see cref="ScenarioFieldTable"/>: a field of the record <typeparamref name="T"/>, with how its JSON value
/// is read and checked, how the typed value is written back, how the schema describes it, and the range check of a
/// value set by an edit. Built by <see cref="Field{T}"/>; every part comes from the same row, so the reader, the
/// writer, the schema and the messages cannot disagree about the field.
/// </summary>
public sealed class ScenarioField<T> : IScenarioField
{
    public required string Name { get; init; }
    public required string Description { get; init; }
    public required string Allowed { get; init; }
    public JsonNode? Rejected { get; init; }
    public IFieldTable? Nested { get; init; }
    public bool IsArray { get; init; }

    internal Func<JsonField, T, T> Read { get; init; } = null!;
    /// <summary>Writes the property (name and value), or nothing when the value is absent.</summary>
    internal Action<Utf8JsonWriter, T> Write { get; init; } = null!;
    /// <summary>The schema of the value, without its description.</summary>
    internal Func<JsonObject> Schema { get; init; } = null!;
    /// <summary>Range check of the typed value (an edit), naming the JSON path; null when the type says it all.</summary>
    internal Action<T, string>? Check { get; init; }
}

/// <summary>The fields of one JSON object of the format.</summary>
public interface IFieldTable
{
    IReadOnlyList<IScenarioField> Fields { get; }
}

/// <summary>The fields of the object that the record <typeparamref name="T"/> mirrors, in file order (the order the
/// writer writes, the schema lists and "unknown field" messages name them).</summary>
public sealed class FieldTable<T>(IReadOnlyList<ScenarioField<T>> fields) : IFieldTable where T : new()
{
    public IReadOnlyList<ScenarioField<T>> Rows => fields;
    IReadOnlyList<IScenarioField> IFieldTable.Fields => fields;
    public IReadOnlyList<string> Names { get; } = fields.Select(f => f.Name).ToArray();

    /// <summary>Reads the object field by field; unknown and duplicate fields are errors. Rules that involve two
    /// fields are the resolver's (<see cref="ScenarioChecks"/>), so they hold for edits too.</summary>
    internal T Read(JsonField node)
    {
        var given = node.Object(Names);
        var r = new T();
        foreach (var f in fields)
            if (given.TryGetValue(f.Name, out var v)) r = f.Read(v, r);
        return r;
    }

    /// <summary>One field's value read and checked by its row, as if it stood at <paramref name="path"/> in a file
    /// (a sweep value): same checks, same message.</summary>
    internal T ReadValue(string name, JsonNode? value, T r, string path)
    {
        var row = fields.First(f => f.Name == name);
        using var doc = JsonDocument.Parse(value?.ToJsonString() ?? "null");
        return row.Read(new JsonField(doc.RootElement, path), r);
    }

    internal void Write(Utf8JsonWriter w, T r)
    {
        foreach (var f in fields) f.Write(w, r);
    }

    internal JsonObject Schema(string description)
    {
        var props = new JsonObject();
        foreach (var f in fields)
        {
            var s = f.Schema();
            if (!s.ContainsKey("description")) s.Insert(0, "description", f.Description);
            props[f.Name] = s;
        }
        return new JsonObject { ["description"] = description, ["type"] = "object", ["properties"] = props, ["additionalProperties"] = false };
    }

    /// <summary>The range checks of every field of an edited record; <paramref name="path"/> is the object's path.</summary>
    internal void Check(T r, string path)
    {
        foreach (var f in fields) f.Check?.Invoke(r, $"{path}.{f.Name}");
    }
}
