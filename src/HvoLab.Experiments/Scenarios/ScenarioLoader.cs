using System.Reflection;
using HvoLab.Engine.Host;

namespace HvoLab.Experiments.Scenarios;

/// <summary>
/// Entry points for scenarios. Every failure caused by the input (unreadable file, malformed JSON, bad value) is a
/// <see cref="ScenarioException"/> with a one-line message naming the JSON path; nothing else escapes.
/// </summary>
public static class ScenarioLoader
{
    private const string DefaultResource = "HvoLab.Experiments.Scenarios.default.json";

    /// <summary>Largest scenario file read: real ones are a few KB; this stops /dev/zero or a runaway file early.</summary>
    public const long MaxFileBytes = 4 << 20;

    public static Scenario Load(string path, string option = "--scenario") => Parse(ReadFile(path, option));

    /// <summary>The text of a scenario file: a regular file of at most <see cref="MaxFileBytes"/>; anything else
    /// (missing, FIFO, device, too large, unreadable) is one error naming <paramref name="option"/> and the path.</summary>
    public static string ReadFile(string path, string option = "--scenario") => HostFile.ReadText(option, path, MaxFileBytes);

    public static Scenario Parse(string json) => ScenarioResolver.Resolve(ScenarioReader.Read(json));

    /// <summary>The scenario as written, not yet resolved (<see cref="ScenarioResolver.Resolve"/>).</summary>
    public static ScenarioSpec ParseSpec(string json) => ScenarioReader.Read(json);

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
