using System.Text.Json;
using System.Text.Json.Serialization;

namespace HvoLab.Experiments.Checking;

/// <summary>What a run of the model says about a strategy on a scenario. Serialised as its word.</summary>
[JsonConverter(typeof(VerdictJsonConverter))]
public enum Verdict
{
    /// <summary>A complete search found no violation: safe within the model (printed "proved").</summary>
    Proved,
    /// <summary>An incomplete search (a budget, PCT, random, or compare's bounded check) found none (printed "not refuted").</summary>
    NotRefuted,
    /// <summary>A violation, with a replayable trace (printed "unsafe").</summary>
    Unsafe,
    /// <summary>The modelled kernel would not run the strategy on this machine; nothing ran (printed "refused").</summary>
    Refused,
}

/// <summary>The printed words of <see cref="Verdict"/>, one per strength, the same in every format (text, JSON, CSV,
/// HTML, the expected-verdict file), so a "not refuted" can never be read as a proof (#15).</summary>
public static class VerdictWords
{
    public const string Proved = "proved", NotRefuted = "not refuted", Unsafe = "unsafe", Refused = "refused";

    /// <summary>The word results written before verdicts said their strength used for both proved and not refuted;
    /// still read (as <see cref="Verdict.NotRefuted"/>, the weaker claim) so older result files load.</summary>
    public const string LegacySafe = "safe";

    public static string Word(this Verdict v) => v switch
    {
        Verdict.Proved => Proved,
        Verdict.NotRefuted => NotRefuted,
        Verdict.Unsafe => Unsafe,
        _ => Refused,
    };

    /// <summary>Proved or not refuted.</summary>
    public static bool IsSafe(this Verdict v) => v is Verdict.Proved or Verdict.NotRefuted;
}

/// <summary>JSON form of <see cref="Verdict"/>: its word. The legacy "safe" reads as <see cref="Verdict.NotRefuted"/>
/// (it did not say whether the search was complete).</summary>
public sealed class VerdictJsonConverter : JsonConverter<Verdict>
{
    public override Verdict Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString() switch
    {
        VerdictWords.Proved => Verdict.Proved,
        VerdictWords.NotRefuted or VerdictWords.LegacySafe => Verdict.NotRefuted,
        VerdictWords.Unsafe => Verdict.Unsafe,
        VerdictWords.Refused => Verdict.Refused,
        var w => throw new JsonException($"verdict \"{w}\" is not allowed; use \"proved\", \"not refuted\", \"unsafe\" or \"refused\""),
    };

    public override void Write(Utf8JsonWriter writer, Verdict value, JsonSerializerOptions options) => writer.WriteStringValue(value.Word());
}
