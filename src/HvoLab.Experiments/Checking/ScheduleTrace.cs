using System.Text.Json;
using System.Text.Json.Serialization;
using HvoLab.Experiments.IO;
using HvoLab.Experiments.Scenarios;

namespace HvoLab.Experiments.Checking;

/// <summary>
/// A replayable trace: a small header (tool version, strategy, mode, seed, the resolved scenario) and the list of
/// choices the scheduler made. Everything else — the event log, the Perfetto timeline — is recomputed by replaying it
/// (the SPIN trail idea).
/// </summary>
public sealed record ScheduleTrace
{
    public const string CurrentFormat = "hvolab-trace/1";
    [JsonPropertyName("format")] public string Format { get; init; } = CurrentFormat;
    [JsonPropertyName("tool")] public string Tool { get; init; } = "hvolab " + typeof(ScheduleTrace).Assembly.GetName().Version;
    [JsonPropertyName("strategy")] public required string Strategy { get; init; }
    [JsonPropertyName("mode")] public required string Mode { get; init; }
    [JsonPropertyName("seed")] public required ulong Seed { get; init; }
    [JsonPropertyName("violation")] public string? Violation { get; init; }
    [JsonPropertyName("scenario")] public required JsonElement Scenario { get; init; }
    [JsonPropertyName("choices")] public required int[] Choices { get; init; }
    /// <summary>The barrier site the recorded run left out (hvolab barriers), or null; replay leaves it out too.</summary>
    [JsonPropertyName("omitBarrier"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? OmitBarrier { get; init; }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static ScheduleTrace Create(Scenario scenario, string strategy, string mode, ulong seed, IReadOnlyList<int> choices, string? violation)
    {
        using var doc = JsonDocument.Parse(ScenarioLoader.Serialize(scenario));
        return new ScheduleTrace
        {
            Strategy = strategy, Mode = mode, Seed = seed, Violation = violation,
            Scenario = doc.RootElement.Clone(), Choices = choices.ToArray(),
        };
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    /// <summary>Loads a trace; a malformed file is a user error naming the file and what is wrong.</summary>
    public static ScheduleTrace Load(string path)
    {
        if (!File.Exists(path)) throw new ArgumentException($"trace '{path}' does not exist");
        ScheduleTrace? t;
        try { t = JsonSerializer.Deserialize<ScheduleTrace>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new ArgumentException($"trace '{path}' is not a valid hvolab trace: {e.Message}"); }
        if (t is null || t.Format != CurrentFormat)
            throw new ArgumentException($"trace '{path}': format '{t?.Format}' is not supported; expected '{CurrentFormat}'");
        return t;
    }

    public Scenario LoadScenario() => ScenarioLoader.Parse(Scenario.GetRawText());
}
