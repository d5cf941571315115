using HvoLab.Engine;

namespace HvoLab.Experiments.Running;

/// <summary>Everything one timed execution measured. All figures come from the simulation.</summary>
public sealed record RunMetrics
{
    public required string Strategy { get; init; }
    public required ulong Seed { get; init; }
    public required RunOutcome Outcome { get; init; }
    /// <summary>Every task finished, so the timings cover the whole run (a run stopped at a violation measured a prefix).</summary>
    public bool RanToEnd { get; init; }
    public required IReadOnlyList<Violation> Violations { get; init; }
    /// <summary>Violations found in all, including those past the ones kept with their stories.</summary>
    public long ViolationCount { get; init; }
    /// <summary>Latency of each HVO operation (one batch or one pool resize) on its CPU.</summary>
    public required IReadOnlyList<double> OperationLatencyNs { get; init; }
    /// <summary>Operation latency divided by the folios it handled.</summary>
    public required IReadOnlyList<double> PerFolioLatencyNs { get; init; }
    /// <summary>Per CPU that ran no HVO operation: time it spent unable to run its own work during the operations.</summary>
    public required IReadOnlyList<double> RemoteStallNs { get; init; }
    /// <summary>Longest stretch any CPU spent with interrupts masked or inside an interrupt handler.</summary>
    public required double UninterruptibleMaxNs { get; init; }
    /// <summary>Reader accesses per µs during the operations (PFN walkers, GUP-fast, memory-failure, NMI readers).</summary>
    public required double ReaderThroughputPerUs { get; init; }
    public required long MemorySavedBytes { get; init; }
    public required long Ipis { get; init; }
    public required long Tlbis { get; init; }
    public required long Faults { get; init; }
    /// <summary>The 2026 in-place path's counters (strategy E): rollbacks, partial HVO, injected failures, -EAGAIN.</summary>
    public HvoUpdateCounts InPlace { get; init; } = new(0, 0, 0, 0, 0);
    public required long Steps { get; init; }
    public required double EndTimeNs { get; init; }
    public required double WallMs { get; init; }

    public static RunMetrics From(ScenarioSystem s, RunResult r, double wallMs)
    {
        var log = s.Log;
        var cpus = s.System.Sim.Cpus;
        var stall = new List<double>();
        if (log.StallAtStart is { } a && log.StallAtEnd is { } b)
            for (int i = 0; i < cpus.Length; i++)
                if (!s.UpdaterCpus.Contains(i)) stall.Add(b[i] - a[i]);
        // A run stopped (by a violation) before any operation finished never closed the window: the readers are
        // measured to the end of the run. Before, the open window gave -3.4e16 iterations/µs (end snapshot 0 over a
        // 1e-9 ns window; found by BaselineTests with HVOLAB_BASELINE_INPUTS=200, input 75).
        bool began = log.StallAtStart is not null, closed = log.StallAtEnd is not null;
        double window = Math.Max(1e-9, (closed ? log.WindowEnd : r.EndTimeNs) - log.WindowStart);
        long readerIterationsAtEnd = closed ? log.ReaderIterationsAtEnd : s.Workloads.Sum(w => w.Stats.Iterations);
        return new RunMetrics
        {
            Strategy = s.Strategy,
            Seed = s.System.Sim.Options.Seed,
            Outcome = r.Outcome,
            RanToEnd = r.RanToEnd,
            Violations = r.Violations,
            ViolationCount = r.Violations.Count + r.ViolationsDropped,
            OperationLatencyNs = log.Ops.Select(o => o.EndNs - o.StartNs).ToArray(),
            PerFolioLatencyNs = log.Ops.Where(o => o.Folios > 0).Select(o => (o.EndNs - o.StartNs) / o.Folios).ToArray(),
            RemoteStallNs = stall,
            UninterruptibleMaxNs = cpus.Max(c => c.Stats.MaxIrqsOffNs),
            ReaderThroughputPerUs = began ? (readerIterationsAtEnd - log.ReaderIterationsAtStart) / (window / 1000.0) : 0,
            MemorySavedBytes = s.System.Linux.PeakNetFreed * (long)s.System.Linux.Layout.PageSize,
            Ipis = cpus.Sum(c => c.Stats.SgisSent),
            Tlbis = cpus.Sum(c => c.Stats.Tlbis),
            Faults = cpus.Sum(c => c.Stats.Faults),
            InPlace = HvoUpdateCounts.Of(s.System.Linux),
            Steps = r.Steps,
            EndTimeNs = r.EndTimeNs,
            WallMs = wallMs,
        };
    }
}

/// <summary>p50 / p99 / max of a sample (nearest-rank percentiles).</summary>
public readonly record struct Distribution(double P50, double P99, double Max, int Count)
{
    public static Distribution Of(IEnumerable<double> values)
    {
        var v = values.Where(x => !double.IsNaN(x)).OrderBy(x => x).ToArray();
        if (v.Length == 0) return new Distribution(0, 0, 0, 0);
        double Rank(double p) => v[Math.Clamp((int)Math.Ceiling(p * v.Length) - 1, 0, v.Length - 1)];
        return new Distribution(Rank(0.50), Rank(0.99), v[^1], v.Length);
    }

    /// <summary>Predictability: how far the tail is from the median.</summary>
    public double Spread => P50 > 0 ? P99 / P50 : 0;
}

/// <summary>What the in-place (2026) path did in one run; all zero for the other strategies.</summary>
public sealed record HvoUpdateCounts(long Rollbacks, long PartialOptimize, long PartialRestore, long Injected, long Eagain)
{
    public static HvoUpdateCounts Of(HvoLab.Kernel.Linux linux)
    {
        var c = linux.HvoCounters;
        return new(c.Rollbacks, c.PartialOptimize, c.PartialRestore, c.InjectedPte + c.InjectedPmd, linux.Arm64.EagainReturns);
    }

    public bool Any => Rollbacks + PartialOptimize + PartialRestore + Injected + Eagain > 0;
}
