using System.Text;
using System.Text.Json;

namespace HvoLab.Experiments.Scenarios;

/// <summary>Writes a scenario by the rows of <see cref="ScenarioFieldTable"/>: the canonical spec of the resolved
/// scenario (<see cref="ScenarioResolver.Canonical"/>, every value explicit), so the output documents the defaults and
/// parses back to the same scenario. Warnings and refusals are derived, not written.</summary>
internal static class ScenarioWriter
{
    public static string Write(Scenario s) => Write(ScenarioResolver.Canonical(s));

    public static string Write(ScenarioSpec spec)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            ScenarioFieldTable.Top.Write(w, spec);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
