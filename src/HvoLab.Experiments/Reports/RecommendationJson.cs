using System.Text.Json;
using System.Text.Json.Nodes;
using HvoLab.Experiments.Comparison;
using HvoLab.Experiments.Running;

namespace HvoLab.Experiments.Reports;

/// <summary>`recommend --format json`: the budget, the choice (or null), every candidate with its standing and the
/// nearest misses, each row and the provenance written by compare's own serializer (ComparisonJson.Options), so the two outputs share one
/// shape.</summary>
public static class RecommendationJson
{
    public static string Serialize(Recommendation rec)
    {
        var root = new JsonObject
        {
            ["stall_budget_ns"] = rec.BudgetNs,
            ["choice"] = rec.Choice?.Strategy,
            ["baseline"] = rec.Baseline is { } off ? Row(off) : null,
            ["candidates"] = new JsonArray(rec.Candidates.Select(Candidate).ToArray()),
            ["nearest_misses"] = new JsonArray(rec.NearestMisses.Select(Candidate).ToArray()),
        };
        if (rec.Provenance is { } p) root["provenance"] = p.ToJsonNode();
        return root.ToJsonString(ReportJson.Indented);
    }

    private static JsonNode? Candidate(Candidate c)
    {
        var o = Row(c.Row);
        o["eligible"] = c.Eligible;
        o["standing"] = c.Reason;
        return o;
    }

    /// <summary>A row exactly as compare's JSON writes it (same fields, units and distribution shape).</summary>
    private static JsonObject Row(ComparisonRow r) => JsonSerializer.SerializeToNode(r, ComparisonJson.Options)!.AsObject();
}
