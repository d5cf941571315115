using System.Text.Json;
using System.Text.Json.Nodes;
using HvoLab.Experiments.Comparison;
using HvoLab.Experiments.Running;

namespace HvoLab.Experiments.Reports;

/// <summary>`recommend --format json`: the budget, the choice (or null), every candidate with its standing and the
/// nearest misses, in the field names and units of compare's JSON (nanoseconds, bytes, snake_case).</summary>
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
        if (rec.Provenance is { } p)
            root["provenance"] = new JsonObject
            {
                ["version"] = p.Version, ["command_line"] = new JsonArray(p.CommandLine.Select(a => (JsonNode?)a).ToArray()),
                ["scenario_hash"] = p.ScenarioHash, ["seeds"] = new JsonArray(p.Seeds.Select(x => (JsonNode?)x).ToArray()),
            };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static JsonNode? Candidate(Candidate c)
    {
        var o = Row(c.Row);
        o["eligible"] = c.Eligible;
        o["standing"] = c.Reason;
        return o;
    }

    private static JsonObject Row(ComparisonRow r) => new()
    {
        ["strategy"] = r.Strategy, ["base_strategy"] = r.BaseStrategy,
        ["verdict"] = Checking.VerdictWords.Word(r.Verdict),
        ["verdict_text"] = r.VerdictText, ["runs"] = r.Runs, ["incomplete_runs"] = r.IncompleteRuns,
        ["updater_latency_ns"] = Dist(r.UpdaterLatencyNs), ["remote_stall_ns"] = Dist(r.RemoteStallNs),
        ["uninterruptible_max_ns"] = Dist(r.UninterruptibleMaxNs), ["memory_saved_bytes"] = r.MemorySavedBytes,
    };

    /// <summary>Null when nothing was measured (a refused or unsafe row has no timed figures).</summary>
    private static JsonObject? Dist(Distribution d) => d.Count == 0 || !double.IsFinite(d.P99) ? null
        : new() { ["p50"] = d.P50, ["p99"] = d.P99, ["max"] = d.Max, ["count"] = d.Count };
}
