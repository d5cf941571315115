using System.Text.Json;
using System.Text.Json.Nodes;

namespace HvoLab.Experiments.Scenarios;

/// <summary>
/// JSON Schema (draft 2020-12) of the scenario format, generated from <see cref="ScenarioFieldTable"/>: every field, its
/// type, range or words and default come from the same rows the reader checks values with. (JsonSchemaExporter would
/// describe the C# records — resolved sizes, Granule objects — rather than the file, and has no string enums.)
/// Cross-field rules (CPU numbers below machine.cpus, sizes per granule) are beyond a schema and noted in descriptions.
/// </summary>
public static class ScenarioSchema
{
    public static string Text() => Build().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

    public static JsonObject Build()
    {
        var root = ScenarioFieldTable.Top.Schema("HvoLab scenario. Every field is optional; {} is the default scenario.");
        root.Insert(0, "$schema", "https://json-schema.org/draft/2020-12/schema");
        root.Insert(1, "$id", "https://hvolab.invalid/scenario.schema.json");
        root.Insert(2, "title", "HvoLab scenario");
        return root;
    }
}
