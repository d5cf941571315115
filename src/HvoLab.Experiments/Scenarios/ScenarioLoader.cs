using System.Reflection;

namespace HvoLab.Experiments.Scenarios;

/// <summary>
/// Entry points for scenarios. Every failure caused by the input (unreadable file, malformed JSON, bad value) is a
/// <see cref="ScenarioException"/> with a one-line message naming the JSON path; nothing else escapes.
/// </summary>
public static class ScenarioLoader
{
    private const string DefaultResource = "HvoLab.Experiments.Scenarios.default.json";

    public static Scenario Load(string path)
    {
        string json;
        try { json = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ScenarioException("$", $"cannot read scenario file \"{path}\": {e.Message}", e);
        }
        return Parse(json);
    }

    public static Scenario Parse(string json) => ScenarioReader.Read(json);

    /// <summary>Canonical JSON with every default written out; <c>Parse(Serialize(s))</c> serialises identically.</summary>
    public static string Serialize(Scenario scenario) => ScenarioWriter.Write(scenario);

    /// <summary>The embedded default scenario (same text as scenarios/default.json).</summary>
    public static Scenario Default() => Parse(DefaultJson());

    /// <summary>The small configuration hvolab check uses when no scenario is given (scenarios/check-default.json).</summary>
    public static string CheckDefaultJson()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("HvoLab.Experiments.Scenarios.check-default.json")
            ?? throw new InvalidOperationException("embedded check-default scenario missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static string DefaultJson()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(DefaultResource)
            ?? throw new InvalidOperationException($"embedded resource {DefaultResource} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>JSON Schema (draft 2020-12) text of the format.</summary>
    public static string Schema() => ScenarioSchema.Text();
}
