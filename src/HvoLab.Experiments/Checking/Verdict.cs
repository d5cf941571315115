using System.Text.Json;
using System.Text.Json.Serialization;

namespace HvoLab.Experiments.Checking;

/// <summary>What a run of the model says about a strategy on a scenario. Serialised as its word.</summary>
[JsonConverter(typeof(VerdictJsonConverter))]
public enum Verdict
{
    /// <summary>A complete search found no violation: safe within the model (printed "safe").</summary>
    Proved,
    /// <summary>An incomplete search (a budget, PCT, random, or compare's bounded check) found none (printed "safe").</summary>
    NotRefuted,
    /// <summary>A violation, with a replayable trace (printed "unsafe").</summary>
    Unsafe,
    /// <summary>The modelled kernel would not run the strategy on this machine; nothing ran (printed "refused").</summary>
    Refused,
}

/// <summary>The printed words of <see cref="Verdict"/>: the same as before the enum, so outputs and pins keep them.</summary>
public static class VerdictWords
{
    public const string Safe = "safe", Unsafe = "unsafe", Refused = "refused";

    public static string Word(this Verdict v) => v switch
    {
        Verdict.Proved or Verdict.NotRefuted => Safe,
        Verdict.Unsafe => Unsafe,
        _ => Refused,
    };

    /// <summary>Proved or not refuted.</summary>
    public static bool IsSafe(this Verdict v) => v is Verdict.Proved or Verdict.NotRefuted;
}

/// <summary>JSON form of <see cref="Verdict"/>: its word. Reading "safe" gives <see cref="Verdict.NotRefuted"/> (the
/// word does not say whether the search was complete; the "complete" field next to it does).</summary>
public sealed class VerdictJsonConverter : JsonConverter<Verdict>
{
    public override Verdict Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString() switch
    {
        VerdictWords.Safe => Verdict.NotRefuted,
        VerdictWords.Unsafe => Verdict.Unsafe,
        VerdictWords.Refused => Verdict.Refused,
        var w => throw new JsonException($"verdict \"{w}\" is not allowed; use \"safe\", \"unsafe\" or \"refused\""),
    };

    public override void Write(Utf8JsonWriter writer, Verdict value, JsonSerializerOptions options) => writer.WriteStringValue(value.Word());
}
