using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using HvoLab.Experiments.Scenarios;

namespace HvoLab.Experiments.Reports;

/// <summary>
/// What produced a result, recorded in every machine-readable output (JSON, CSV, HTML) so a pasted figure can be
/// reproduced: the tool's version, the command line as typed, the hash of the resolved scenario (every default written
/// out, so formatting does not change it) and the seeds the runs used.
/// </summary>
public sealed record Provenance(string Version, IReadOnlyList<string> CommandLine, string ScenarioHash, IReadOnlyList<ulong> Seeds)
{
    /// <summary>"hvolab" and the assembly version.</summary>
    public static string ToolVersion => "hvolab " + typeof(Provenance).Assembly.GetName().Version;

    /// <param name="args">The arguments after the program name.</param>
    public static Provenance Of(Scenario scenario, IEnumerable<ulong> seeds, IEnumerable<string> args) =>
        new(ToolVersion, ["hvolab", .. args], ContentHash.Of(scenario), [.. seeds]);

    /// <summary>The "provenance" object of every JSON output (compare, recommend, check): the same fields, names and
    /// order as compare's serializer writes, so a script reads it from each output the same way.</summary>
    public JsonObject ToJsonNode() => JsonSerializer.SerializeToNode(this, ComparisonJson.Options)!.AsObject();

    /// <summary>The command line on one line, each argument quoted for a POSIX shell when it needs it.</summary>
    [JsonIgnore] public string CommandText => string.Join(' ', CommandLine.Select(ShellQuote));

    private static string ShellQuote(string a) =>
        a.Length > 0 && a.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,@%+".Contains(c)) ? a : "'" + a.Replace("'", "'\\''") + "'";

    /// <summary>The seeds as "1, 2, 3" (or "1..8" when consecutive), for text outputs.</summary>
    [JsonIgnore] public string SeedText => Seeds.Count > 2 && Seeds.Zip(Seeds.Skip(1)).All(p => p.Second == p.First + 1)
        ? $"{Seeds[0]}..{Seeds[^1]}" : string.Join(", ", Seeds);
}
