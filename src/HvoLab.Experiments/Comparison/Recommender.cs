using HvoLab.Experiments.Scenarios;

namespace HvoLab.Experiments.Comparison;

/// <summary>One candidate's standing: its figures and why it was or was not eligible.</summary>
public sealed record Candidate(ComparisonRow Row, bool Eligible, string Reason);

public sealed record Recommendation(double BudgetNs, ComparisonRow? Choice, IReadOnlyList<Candidate> Candidates, ComparisonRow? Baseline);

/// <summary>
/// Picks the strategy for a remote-stall budget: among the strategies that do HVO (not "off", which frees nothing)
/// and were not found unsafe or refused, those whose remote stall p99 fits the budget; of those, the lowest updater
/// latency p50 (then p99, then name, so ties are decided the same way every time). D's pause granularities and IPI
/// kind and ours' window sizes are weighed as separate candidates, since that is where the designs differ.
/// </summary>
public static class Recommender
{
    public static readonly IReadOnlyList<string> OursWindows = ["ours:8", "ours:64"];

    public static IReadOnlyList<StrategyVariant> Variants(Scenario s)
    {
        var list = new List<StrategyVariant>();
        foreach (var name in s.Strategies.OrderBy(n => n == StrategyNames.Off ? 0 : 1))
        {
            list.Add(StrategyVariant.Plain(s, name));
            if (name == StrategyNames.D)
                foreach (var v in new[] { "D:pte", "D:range", "D:batch", "D:irq" }) list.Add(StrategyVariant.Parse(s, v));
            if (name == StrategyNames.Ours)
                foreach (var v in OursWindows) list.Add(StrategyVariant.Parse(s, v));
        }
        // The plain entry already covers whichever variant equals the scenario's own options.
        return list.DistinctBy(v => (v.Strategy, v.Options)).ToArray();
    }

    public static Recommendation Recommend(Scenario s, double budgetNs, CompareOptions? options = null)
    {
        if (!(budgetNs > 0) || double.IsInfinity(budgetNs)) throw new ArgumentException("--stall-budget: must be a positive duration");
        var result = Comparer.Run(s, Variants(s), options);
        var candidates = new List<Candidate>();
        foreach (var r in result.Rows.Where(r => r.BaseStrategy != StrategyNames.Off))
        {
            string? why = r.Verdict switch
            {
                "refused" => "refused: " + r.VerdictDetail,
                "unsafe" => "unsafe: " + r.VerdictDetail,
                _ when r.IncompleteRuns > 0 => $"{r.IncompleteRuns} of {r.Runs} timed runs did not complete",
                _ when r.RemoteStallNs.P99 > budgetNs => "remote stall p99 over budget",
                _ => null,
            };
            candidates.Add(new Candidate(r, why is null, why ?? "within budget"));
        }
        var choice = candidates.Where(c => c.Eligible).Select(c => c.Row)
            .OrderBy(r => r.UpdaterLatencyNs.P50).ThenBy(r => r.UpdaterLatencyNs.P99).ThenBy(r => r.Strategy, StringComparer.Ordinal)
            .FirstOrDefault();
        return new Recommendation(budgetNs, choice, candidates, result.Rows.FirstOrDefault(r => r.BaseStrategy == StrategyNames.Off));
    }
}
