using System.Text.Json;

namespace HvoLab.Experiments.Scenarios;

/// <summary>Reads a JSON document into a <see cref="ScenarioSpec"/> by the rows of <see cref="ScenarioFieldTable"/>,
/// stopping at the first error. Cross-field rules, CPU sets, profiles, warnings and refusals are the resolver's.</summary>
internal static class ScenarioReader
{
    internal static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 };

    public static ScenarioSpec Read(string json)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, DocumentOptions); }
        catch (JsonException e)
        {
            // LineNumber and BytePositionInLine are 0-based; editors count from 1.
            var where = e.LineNumber is { } l ? $" at line {l + 1}, position {(e.BytePositionInLine ?? 0) + 1}" : "";
            throw new ScenarioException("$", $"malformed JSON{where}: {FirstSentence(e.Message)}", e);
        }
        using (doc) return ScenarioFieldTable.Top.Read(new JsonField(doc.RootElement, "$"));
    }

    private static string FirstSentence(string message)
    {
        // The runtime's message repeats the (0-based) position and may suggest reader options; keep the first sentence.
        var s = message.Replace('\n', ' ').Replace('\r', ' ').Trim();
        var cut = s.IndexOf(". ", StringComparison.Ordinal);
        return cut > 0 ? s[..(cut + 1)] : s;
    }
}
