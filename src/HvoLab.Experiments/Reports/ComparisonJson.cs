using System.Text.Json;
using System.Text.Json.Serialization;
using HvoLab.Experiments.Comparison;
using HvoLab.Experiments.Running;

namespace HvoLab.Experiments.Reports;

/// <summary>Compare results as JSON: snake_case, distributions as {p50, p99, max, count}, nothing wall-clock
/// dependent, so two runs of the same scenario (any --parallel) give the same bytes.</summary>
public static class ComparisonJson
{
    /// <summary>Also the settings of every JSON output that shows a comparison row or a provenance (recommend, check),
    /// so the same record is written with the same field names everywhere.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new DistributionConverter() },
    };

    public static string Serialize(ComparisonResult r) => JsonSerializer.Serialize(r, Options);

    public static ComparisonResult Deserialize(string json) => JsonSerializer.Deserialize<ComparisonResult>(json, Options)
        ?? throw new InvalidDataException("compare JSON is empty");

    /// <summary>Writes only the fields that belong in the report (Spread is a row field already).</summary>
    private sealed class DistributionConverter : JsonConverter<Distribution>
    {
        public override Distribution Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var doc = JsonDocument.ParseValue(ref reader);
            var e = doc.RootElement;
            return new Distribution(e.GetProperty("p50").GetDouble(), e.GetProperty("p99").GetDouble(), e.GetProperty("max").GetDouble(),
                e.GetProperty("count").GetInt32());
        }

        public override void Write(Utf8JsonWriter writer, Distribution value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteNumber("p50", value.P50);
            writer.WriteNumber("p99", value.P99);
            writer.WriteNumber("max", value.Max);
            writer.WriteNumber("count", value.Count);
            writer.WriteEndObject();
        }
    }
}
