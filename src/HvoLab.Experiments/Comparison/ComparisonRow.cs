using HvoLab.Experiments.Checking;
using HvoLab.Experiments.Running;

namespace HvoLab.Experiments.Comparison;

/// <summary>Cost of a strategy relative to "off" (value / off's value); null where off's figure is zero.</summary>
public sealed record RelativeToOff
{
    public double? UpdaterLatencyP50 { get; init; }
    public double? UpdaterLatencyP99 { get; init; }
    public double? PerFolioLatencyP50 { get; init; }
    public double? RemoteStallP50 { get; init; }
    public double? RemoteStallP99 { get; init; }
    public double? RemoteStallMax { get; init; }
    public double? UninterruptibleMaxP99 { get; init; }
    public double? Ipis { get; init; }
    public double? Tlbis { get; init; }
    public double? Faults { get; init; }
    public double? ReaderThroughput { get; init; }
}

/// <summary>
/// One strategy's figures over K timed seeds plus its verdict. Distributions pool the samples of all seeds:
/// updater latency over every operation, remote stall over every non-updater CPU, uninterruptible stretch over
/// seeds (one maximum per run). Counters are means per run. Wall-clock time is left out on purpose: it differs from
/// run to run, and every other figure is reproducible bit for bit.
/// </summary>
public sealed record ComparisonRow
{
    public required string Strategy { get; init; }
    public required string BaseStrategy { get; init; }
    public required string Title { get; init; }
    public required string Hardware { get; init; }
    /// <summary>Not refuted (compare's search is bounded, so never proved), unsafe or refused.</summary>
    public required Verdict Verdict { get; init; }
    /// <summary>Why: the refusal, the violations (search and timed), or what the search covered.</summary>
    public required string VerdictDetail { get; init; }
    /// <summary>Executions of the bounded search behind a "not refuted" verdict (what it rests on).</summary>
    public long SearchExecutions { get; init; }
    /// <summary>The verdict in the words every output uses (<see cref="Reports.VerdictText"/>).</summary>
    public string VerdictText => Reports.VerdictText.OfRow(Verdict, SearchExecutions);
    public required int Runs { get; init; }
    /// <summary>Timed runs that did not complete (stopped at a violation, deadlock, budget).</summary>
    public required int IncompleteRuns { get; init; }
    public required Distribution UpdaterLatencyNs { get; init; }
    public required Distribution PerFolioLatencyNs { get; init; }
    public required Distribution RemoteStallNs { get; init; }
    public required Distribution UninterruptibleMaxNs { get; init; }
    public required double ReaderThroughputPerUs { get; init; }
    /// <summary>1 − throughput / off's throughput; null without an "off" row.</summary>
    public double? ThroughputLoss { get; init; }
    public required long MemorySavedBytes { get; init; }
    public required double Ipis { get; init; }
    public required double Tlbis { get; init; }
    public required double Faults { get; init; }
    /// <summary>Predictability: updater latency p99/p50 and remote stall p99/p50.</summary>
    public required double Spread { get; init; }
    public required double StallSpread { get; init; }
    public RelativeToOff? RelativeToOff { get; init; }
    /// <summary>Sums over the timed runs of the in-place path's counters (E), or null when all are zero.</summary>
    public HvoUpdateCounts? InPlace { get; init; }

    public static ComparisonRow Refused(StrategyVariant v, string reason) => new()
    {
        Strategy = v.Label, BaseStrategy = v.Strategy, Title = v.Info.Title, Hardware = v.Info.Needs,
        Verdict = Verdict.Refused, VerdictDetail = reason, Runs = 0, IncompleteRuns = 0,
        UpdaterLatencyNs = default, PerFolioLatencyNs = default, RemoteStallNs = default, UninterruptibleMaxNs = default,
        ReaderThroughputPerUs = 0, MemorySavedBytes = 0, Ipis = 0, Tlbis = 0, Faults = 0, Spread = 0, StallSpread = 0,
    };

    public static ComparisonRow From(StrategyVariant v, CheckResult check, IReadOnlyList<RunMetrics> runs)
    {
        var timedViolations = runs.SelectMany(r => r.Violations.Select(x => x.Kind)).Distinct().ToArray();
        bool unsafeVerdict = check.Verdict == Verdict.Unsafe || timedViolations.Length > 0;
        string detail = unsafeVerdict
            ? string.Join("; ", check.Violations.Select(x => $"search: {x.Kind}").Concat(timedViolations.Select(k => $"timed: {k}")))
            : $"pct {check.Executions} executions on {VerdictCheck.Cpus} CPUs, 1 folio: no violation; {runs.Count} timed runs: none";
        var pastViolations = runs.Where(r => r.RanToEnd && r.ViolationCount > 0).ToArray();
        if (pastViolations.Length > 0)
            detail += $"; timed to the end past {pastViolations.Average(r => (double)r.ViolationCount):N0} violations per run (the cost of HVO without break-before-make)";
        var upd = Distribution.Of(runs.SelectMany(r => r.OperationLatencyNs));
        var stall = Distribution.Of(runs.SelectMany(r => r.RemoteStallNs));
        return new ComparisonRow
        {
            Strategy = v.Label, BaseStrategy = v.Strategy, Title = v.Info.Title, Hardware = v.Info.Needs,
            Verdict = unsafeVerdict ? Verdict.Unsafe : Verdict.NotRefuted, VerdictDetail = detail, SearchExecutions = check.Executions,
            Runs = runs.Count,
            IncompleteRuns = runs.Count(r => !r.RanToEnd),
            UpdaterLatencyNs = upd,
            PerFolioLatencyNs = Distribution.Of(runs.SelectMany(r => r.PerFolioLatencyNs)),
            RemoteStallNs = stall,
            UninterruptibleMaxNs = Distribution.Of(runs.Select(r => r.UninterruptibleMaxNs)),
            ReaderThroughputPerUs = runs.Count == 0 ? 0 : runs.Average(r => r.ReaderThroughputPerUs),
            MemorySavedBytes = runs.Count == 0 ? 0 : runs.Max(r => r.MemorySavedBytes),
            Ipis = runs.Count == 0 ? 0 : runs.Average(r => (double)r.Ipis),
            Tlbis = runs.Count == 0 ? 0 : runs.Average(r => (double)r.Tlbis),
            Faults = runs.Count == 0 ? 0 : runs.Average(r => (double)r.Faults),
            Spread = upd.Spread,
            StallSpread = stall.Spread,
            InPlace = runs.Any(r => r.InPlace.Any)
                ? new HvoUpdateCounts(runs.Sum(r => r.InPlace.Rollbacks), runs.Sum(r => r.InPlace.PartialOptimize), runs.Sum(r => r.InPlace.PartialRestore),
                    runs.Sum(r => r.InPlace.Injected), runs.Sum(r => r.InPlace.Eagain))
                : null,
        };
    }

    /// <summary>Fills in the figures relative to <paramref name="off"/>.</summary>
    public ComparisonRow RelativeTo(ComparisonRow off)
    {
        // A run stopped at its first violation measured only a prefix; ratios of a prefix would read as savings.
        if (Verdict == Verdict.Refused || Runs == IncompleteRuns) return this;
        static double? R(double v, double baseline) => baseline > 0 ? v / baseline : null;
        return this with
        {
            ThroughputLoss = off.ReaderThroughputPerUs > 0 ? 1 - ReaderThroughputPerUs / off.ReaderThroughputPerUs : null,
            RelativeToOff = new RelativeToOff
            {
                UpdaterLatencyP50 = R(UpdaterLatencyNs.P50, off.UpdaterLatencyNs.P50),
                UpdaterLatencyP99 = R(UpdaterLatencyNs.P99, off.UpdaterLatencyNs.P99),
                PerFolioLatencyP50 = R(PerFolioLatencyNs.P50, off.PerFolioLatencyNs.P50),
                RemoteStallP50 = R(RemoteStallNs.P50, off.RemoteStallNs.P50),
                RemoteStallP99 = R(RemoteStallNs.P99, off.RemoteStallNs.P99),
                RemoteStallMax = R(RemoteStallNs.Max, off.RemoteStallNs.Max),
                UninterruptibleMaxP99 = R(UninterruptibleMaxNs.P99, off.UninterruptibleMaxNs.P99),
                Ipis = R(Ipis, off.Ipis),
                Tlbis = R(Tlbis, off.Tlbis),
                Faults = R(Faults, off.Faults),
                ReaderThroughput = R(ReaderThroughputPerUs, off.ReaderThroughputPerUs),
            },
        };
    }
}
