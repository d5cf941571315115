using HvoLab.Strategies;
using HvoLab.Experiments.Checking;
using HvoLab.Experiments.Running;
using HvoLab.Experiments.Scenarios;

namespace HvoLab.Experiments.Comparison;

public sealed record CompareOptions
{
    /// <summary>Worker threads; results do not depend on it.</summary>
    public int Parallel { get; init; } = Environment.ProcessorCount;
    public int CheckIterations { get; init; } = VerdictCheck.DefaultIterations;
    /// <summary>Called once per finished job (timed run or search) with (done, total); may be called from any thread.</summary>
    public Action<int, int>? Progress { get; init; }
}

/// <summary>Everything compare produced: the scenario it ran and one row per strategy, "off" first.</summary>
public sealed record ComparisonResult(string Scenario, int Cpus, string Granule, int Seeds, IReadOnlyList<ComparisonRow> Rows);

/// <summary>
/// Runs every strategy of a scenario: K timed seeds each plus a bounded search for the verdict. Jobs run on a
/// thread pool, each on its own fresh system, and each result lands in its own slot, so the rows are the same for any
/// thread count.
/// </summary>
public static class Comparer
{
    public static ComparisonResult Run(Scenario scenario, CompareOptions? options = null) =>
        Run(scenario, StrategyVariant.OfScenario(scenario), options);

    public static ComparisonResult Run(Scenario scenario, IReadOnlyList<StrategyVariant> variants, CompareOptions? options = null)
    {
        options ??= new CompareOptions();
        int seeds = scenario.Scheduler.Seeds;
        // Each variant's refusal rule, asked before anything runs: a refused strategy is reported, never measured.
        var refused = variants.ToDictionary(v => v.Label, v => v.RefusalOn(scenario));
        var runnable = variants.Where(v => refused[v.Label] is null).ToArray();
        var derived = runnable.Length > 0 ? VerdictCheck.Derive(scenario) : scenario;

        // Job i < runnable*seeds: timed run (variant i / seeds, seed i % seeds); after that: the searches.
        int timedJobs = runnable.Length * seeds, total = timedJobs + runnable.Length;
        var timed = new RunMetrics[timedJobs];
        var checks = new CheckResult[runnable.Length];
        int done = 0;
        // Longest jobs first would balance better, but order of execution never affects the results.
        System.Threading.Tasks.Parallel.For(0, total, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallel) }, i =>
        {
            if (i < timedJobs)
            {
                var v = runnable[i / seeds];
                timed[i] = TimedRunner.RunOne(scenario, v.Strategy, scenario.Seed + (ulong)(i % seeds), false, out _, v.Options);
            }
            else checks[i - timedJobs] = VerdictCheck.Run(derived, runnable[i - timedJobs], options.CheckIterations);
            options.Progress?.Invoke(Interlocked.Increment(ref done), total);
        });

        var rows = new List<ComparisonRow>();
        int k = 0;
        foreach (var v in variants)
        {
            if (refused[v.Label] is { } reason) { rows.Add(ComparisonRow.Refused(v, reason)); continue; }
            rows.Add(ComparisonRow.From(v, checks[k], timed.AsSpan(k * seeds, seeds).ToArray()));
            k++;
        }
        var off = rows.FirstOrDefault(r => r.BaseStrategy == OffStrategy.Id && r.Verdict != Verdict.Refused);
        if (off is not null) rows = rows.Select(r => r.RelativeTo(off)).ToList();
        return new ComparisonResult(scenario.Name, scenario.Machine.Cpus, scenario.Machine.Granule.Name, seeds, rows);
    }
}
