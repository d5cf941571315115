using System.Text.Json;
using System.Text.Json.Serialization;
using HvoLab.Engine.Host;
using HvoLab.Experiments.IO;
using HvoLab.Experiments.Scenarios;

namespace HvoLab.Experiments.Checking;

/// <summary>
/// A replayable trace: a header (tool version, strategy, search options, seed, the resolved scenario and its hash, the
/// violation found) and the list of choices the scheduler made. Everything else — the event log, the Perfetto
/// timeline — is recomputed by replaying it (the SPIN trail idea), and <see cref="ReplayVerifier"/> checks that the
/// replay ends in the recorded violation.
/// </summary>
public sealed record ScheduleTrace
{
    public const string CurrentFormat = "hvolab-trace/2";
    [JsonPropertyName("format")] public string Format { get; init; } = CurrentFormat;
    [JsonPropertyName("tool")] public string Tool { get; init; } = "hvolab " + typeof(ScheduleTrace).Assembly.GetName().Version;
    [JsonPropertyName("strategy")] public required string Strategy { get; init; }
    [JsonPropertyName("mode")] public required string Mode { get; init; }
    [JsonPropertyName("seed")] public required ulong Seed { get; init; }
    /// <summary>The search options that found the execution (informational, but covered by <see cref="HeaderHash"/>).</summary>
    [JsonPropertyName("options")] public Dictionary<string, string> Options { get; init; } = [];
    [JsonPropertyName("violation")] public string? Violation { get; init; }
    /// <summary>SHA-256 of the canonical scenario (<see cref="ScenarioLoader.Serialize"/>), first 16 bytes in hex.</summary>
    [JsonPropertyName("scenario_hash")] public required string ScenarioHash { get; init; }
    /// <summary>SHA-256 over strategy, mode, seed, options, violation and scenario hash: an edited header is noticed.</summary>
    [JsonPropertyName("header_hash")] public required string HeaderHash { get; init; }
    [JsonPropertyName("scenario")] public required JsonElement Scenario { get; init; }
    [JsonPropertyName("choices")] public required int[] Choices { get; init; }
    /// <summary>The barrier site the recorded run left out (hvolab barriers), or null; replay leaves it out too.</summary>
    [JsonPropertyName("omitBarrier"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? OmitBarrier { get; init; }

    /// <summary>Largest trace read (a choice is a few bytes; tens of millions of choices fit).</summary>
    public const long MaxFileBytes = 256L << 20;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static ScheduleTrace Create(Scenario scenario, string strategy, SchedulerMode searchMode, ulong seed, IReadOnlyList<int> choices, string? violation,
        IReadOnlyDictionary<string, string>? options = null, string? omitBarrier = null)
    {
        var mode = ScenarioWords.Mode.Word(searchMode);
        var canonical = ScenarioLoader.Serialize(scenario);
        using var doc = JsonDocument.Parse(canonical);
        var opts = new Dictionary<string, string>(options ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        var scenarioHash = ContentHash.Of(canonical);
        return new ScheduleTrace
        {
            Strategy = strategy, Mode = mode, Seed = seed, Violation = violation, Options = opts,
            ScenarioHash = scenarioHash, OmitBarrier = omitBarrier,
            HeaderHash = HeaderHashOf(strategy, mode, seed, opts, violation, scenarioHash, omitBarrier),
            Scenario = doc.RootElement.Clone(), Choices = choices.ToArray(),
        };
    }

    /// <summary>The omitted barrier site (hvolab barriers) is covered too, when there is one.</summary>
    public static string HeaderHashOf(string strategy, string mode, ulong seed, IReadOnlyDictionary<string, string> options, string? violation, string scenarioHash,
        string? omitBarrier = null) =>
        ContentHash.Of(string.Join('\n', new[] { strategy, mode, seed.ToString(System.Globalization.CultureInfo.InvariantCulture), violation ?? "", scenarioHash }
            .Concat(options.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}={o.Value}"))
            .Concat(omitBarrier is null ? [] : [$"omit_barrier={omitBarrier}"])));

    public void Save(string path) => AtomicFile.WriteAllText("--traces", path, JsonSerializer.Serialize(this, Json));

    /// <summary>Loads a trace; a malformed file is a user error naming the file and the field that is wrong.</summary>
    public static ScheduleTrace Load(string path)
    {
        ScheduleTrace? t;
        var text = HostFile.ReadText("TRACE", path, MaxFileBytes);
        string Bad(string field, string what) => $"trace '{path}': \"{field}\" {what}";
        try { t = JsonSerializer.Deserialize<ScheduleTrace>(text, Json); }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } p ? p.TrimStart('$', '.')
                : System.Text.RegularExpressions.Regex.Match(e.Message, "missing required properties[^']*'([^']+)'") is { Success: true } m ? m.Groups[1].Value : null;
            throw new InvalidDataException(field is null ? $"trace '{path}' is not a valid hvolab trace: {CliLine(e.Message)}"
                : Bad(field, $"has the wrong type or is missing ({CliLine(e.Message)})"));
        }
        if (t is null) throw new InvalidDataException($"trace '{path}' is not a valid hvolab trace: the file holds null");
        if (t.Format != CurrentFormat)
            throw new InvalidDataException(Bad("format", $"is '{t.Format}', which this version cannot replay; expected '{CurrentFormat}' (re-run check to record it again)"));
        if (t.Strategy is null) throw new InvalidDataException(Bad("strategy", "is missing or null; expected a strategy name"));
        if (t.Mode is null) throw new InvalidDataException(Bad("mode", "is missing or null; expected exhaustive, pct or random"));
        if (t.Choices is null) throw new InvalidDataException(Bad("choices", "is null; expected a list of integers"));
        if (t.Options is null) throw new InvalidDataException(Bad("options", "is null; expected an object of strings"));
        if (t.ScenarioHash is null) throw new InvalidDataException(Bad("scenario_hash", "is missing or null"));
        if (t.HeaderHash is null) throw new InvalidDataException(Bad("header_hash", "is missing or null"));
        if (t.Scenario.ValueKind != JsonValueKind.Object) throw new InvalidDataException(Bad("scenario", "is not an object; expected the recorded scenario"));
        if (Array.FindIndex(t.Choices, c => c < 0) is var i and >= 0) throw new InvalidDataException(Bad($"choices[{i}]", $"is {t.Choices[i]}; choices are >= 0"));
        return t;
    }

    private static string CliLine(string message) => message.Split('\n')[0].Trim();

    public Scenario LoadScenario() => ScenarioLoader.Parse(Scenario.GetRawText());
}
