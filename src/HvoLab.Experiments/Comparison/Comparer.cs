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
    /// <summary>Ctrl-C: jobs not yet started are skipped and the result is partial (<see cref="ComparisonResult.NotMeasured"/>).</summary>
    public CancellationToken Cancel { get; init; }
}

/// <summary>Everything compare produced: the scenario it ran and one row per strategy, "off" first.</summary>
public sealed record ComparisonResult(string Scenario, int Cpus, string Granule, int Seeds, IReadOnlyList<ComparisonRow> Rows)
{
    /// <summary>Version, command line, scenario hash and seeds; set by the caller that knows the command line.</summary>
    public Reports.Provenance? Provenance { get; init; }

    /// <summary>Set when Ctrl-C stopped the comparison: the strategies left out because their search or every timed
    /// run had not finished (the rows shown rest on the runs that did). Null for a complete comparison.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? NotMeasured { get; init; }
}

/// <summary>
/// Runs every strategy of a scenario: K timed seeds each plus a bounded search for the verdict. Jobs run on a
/// thread pool, each on its own fresh system, and each result lands in its own slot, so the rows are the same for any
/// thread count.
/// </summary>
public static class Comparer
{
    /// <summary>The seeds of the timed runs: the scenario's seed and the next K−1 (each strategy runs all of them).</summary>
    public static IEnumerable<ulong> TimedSeeds(Scenario scenario) =>
        Enumerable.Range(0, scenario.Scheduler.Seeds).Select(i => scenario.Seed + (ulong)i);

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
            if (options.Cancel.IsCancellationRequested) return;
            if (i < timedJobs)
            {
                var v = runnable[i / seeds];
                timed[i] = TimedRunner.RunOne(scenario, v.Strategy, scenario.Seed + (ulong)(i % seeds), false, out _, v.Options);
            }
            else checks[i - timedJobs] = VerdictCheck.Run(derived, runnable[i - timedJobs], options.CheckIterations);
            options.Progress?.Invoke(Interlocked.Increment(ref done), total);
        });

        var rows = new List<ComparisonRow>();
        var notMeasured = new List<string>();
        int k = 0;
        foreach (var v in variants)
        {
            if (refused[v.Label] is { } reason) { rows.Add(ComparisonRow.Refused(v, reason)); continue; }
            // Only an interrupted comparison has holes; a variant is shown when its search and a timed run finished.
            var runs = timed.Skip(k * seeds).Take(seeds).Where(r => r is not null).ToArray();
            if (checks[k] is { } check && runs.Length > 0) rows.Add(ComparisonRow.From(v, check, runs));
            else notMeasured.Add(v.Label);
            k++;
        }
        var off = rows.FirstOrDefault(r => r.BaseStrategy == OffStrategy.Id && r.Verdict != Verdict.Refused);
        if (off is not null) rows = rows.Select(r => r.RelativeTo(off)).ToList();
        return new ComparisonResult(scenario.Name, scenario.Machine.Cpus, scenario.Machine.Granule.Name, seeds, rows)
        {
            NotMeasured = options.Cancel.IsCancellationRequested ? notMeasured : null,
        };
    }
}
