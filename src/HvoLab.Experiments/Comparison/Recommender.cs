using HvoLab.Experiments.Checking;
using HvoLab.Strategies;
using HvoLab.Experiments.Scenarios;

namespace HvoLab.Experiments.Comparison;

/// <summary>One candidate's standing: its figures and why it was or was not eligible.</summary>
public sealed record Candidate(ComparisonRow Row, bool Eligible, string Reason);

/// <param name="NearestMisses">When nothing is chosen: the candidates that only missed the stall budget (not unsafe,
/// refused or incomplete), closest first, so the reader sees what budget would have been met and by whom.</param>
public sealed record Recommendation(double BudgetNs, ComparisonRow? Choice, IReadOnlyList<Candidate> Candidates, ComparisonRow? Baseline,
    IReadOnlyList<Candidate> NearestMisses)
{
    /// <summary>Version, command line, scenario hash and seeds; set by the caller that knows the command line.</summary>
    public Reports.Provenance? Provenance { get; init; }
}

/// <summary>
/// Picks the strategy for a remote-stall budget: among the strategies that do HVO (not "off", which frees nothing)
/// and were not found unsafe or refused, those whose remote stall p99 fits the budget; of those, the lowest updater
/// latency p50 (then p99, then name, so ties are decided the same way every time). D's pause granularities and IPI
/// kind and ours' window sizes are weighed as separate candidates, since that is where the designs differ.
/// </summary>
public static class Recommender
{
    /// <summary>Each strategy of the scenario plus the variants it asks recommend to weigh (<see cref="Strategies.Strategy.RecommendVariants"/>).</summary>
    public static IReadOnlyList<StrategyVariant> Variants(Scenario s)
    {
        var list = new List<StrategyVariant>();
        foreach (var name in s.Strategies.OrderBy(n => n == OffStrategy.Id ? 0 : 1))
        {
            var plain = StrategyVariant.Plain(s, name);
            list.Add(plain);
            foreach (var suffix in plain.Info.RecommendVariants) list.Add(StrategyVariant.Parse(s, $"{name}:{suffix}"));
        }
        // The plain entry already covers whichever variant equals the scenario's own options.
        return list.DistinctBy(v => (v.Strategy, v.Options)).ToArray();
    }

    /// <summary>How many nearest misses a recommendation that found nothing lists.</summary>
    public const int MaxNearestMisses = 3;

    public static Recommendation Recommend(Scenario s, double budgetNs, CompareOptions? options = null)
    {
        if (!(budgetNs > 0) || double.IsInfinity(budgetNs)) throw new ArgumentException("--stall-budget: must be a positive duration");
        var result = Comparer.Run(s, Variants(s), options);
        var candidates = new List<Candidate>();
        foreach (var r in result.Rows.Where(r => r.BaseStrategy != OffStrategy.Id))
        {
            string? why = r.Verdict switch
            {
                Verdict.Refused => "refused: " + r.VerdictDetail,
                Verdict.Unsafe => "unsafe: " + r.VerdictDetail,
                _ when r.IncompleteRuns > 0 => $"{r.IncompleteRuns} of {r.Runs} timed runs did not complete",
                _ when r.RemoteStallNs.P99 > budgetNs => "remote stall p99 over budget",
                _ => null,
            };
            candidates.Add(new Candidate(r, why is null, why ?? "within budget"));
        }
        var choice = candidates.Where(c => c.Eligible).Select(c => c.Row)
            .OrderBy(r => r.UpdaterLatencyNs.P50).ThenBy(r => r.UpdaterLatencyNs.P99).ThenBy(r => r.Strategy, StringComparer.Ordinal)
            .FirstOrDefault();
        var misses = choice is not null ? [] : candidates
            .Where(c => c.Row.Verdict.IsSafe() && c.Row.IncompleteRuns == 0 && c.Row.Runs > 0 && c.Row.RemoteStallNs.P99 > budgetNs)
            .OrderBy(c => c.Row.RemoteStallNs.P99).ThenBy(c => c.Row.UpdaterLatencyNs.P50).ThenBy(c => c.Row.Strategy, StringComparer.Ordinal)
            .Take(MaxNearestMisses).ToArray();
        return new Recommendation(budgetNs, choice, candidates, result.Rows.FirstOrDefault(r => r.BaseStrategy == OffStrategy.Id), misses);
    }
}
