using HvoLab.Experiments.Running;

namespace HvoLab.Experiments.Sweeps;

/// <summary>
/// One JSON Lines row: one timed run (point × strategy × seed). Its key sorts in run order (point index, strategy
/// index, seed index, all zero-padded), so a merged file sorted by key is the unsharded file. No wall-clock fields:
/// a resumed or merged sweep must be byte-identical to an uninterrupted one.
/// </summary>
public sealed record SweepRow
{
    public required string Key { get; init; }
    /// <summary><see cref="SweepGrid.Id"/>: which sweep (scenario and parameters) the row belongs to.</summary>
    public required string Sweep { get; init; }
    public required int Point { get; init; }
    public required Dictionary<string, string> Params { get; init; }
    public required int Cpus { get; init; }
    public required string Strategy { get; init; }
    public required ulong Seed { get; init; }
    /// <summary>Completed, Violation, …, or "refused".</summary>
    public required string Outcome { get; init; }
    public string? Refusal { get; init; }
    public required string[] Violations { get; init; }
    public required Distribution UpdaterLatencyNs { get; init; }
    public required Distribution PerFolioLatencyNs { get; init; }
    public required Distribution RemoteStallNs { get; init; }
    public required double UninterruptibleMaxNs { get; init; }
    public required double ReaderThroughputPerUs { get; init; }
    public required long MemorySavedBytes { get; init; }
    public required long Ipis { get; init; }
    public required long Tlbis { get; init; }
    public required long Faults { get; init; }

    public static string MakeKey(SweepPoint p, int strategyIndex, string strategy, int seedIndex) =>
        $"{p.Index:D6}|{p.Text}|{strategyIndex:D2}:{strategy}|{seedIndex:D6}";

    public static SweepRow From(string key, string sweep, SweepPoint p, string strategy, ulong seed, RunMetrics m) => new()
    {
        Key = key, Sweep = sweep, Point = p.Index, Params = ParamsOf(p), Cpus = p.Scenario.Machine.Cpus, Strategy = strategy, Seed = seed,
        Outcome = m.Outcome.ToString(), Violations = m.Violations.Select(v => v.Kind).Distinct().ToArray(),
        UpdaterLatencyNs = Distribution.Of(m.OperationLatencyNs), PerFolioLatencyNs = Distribution.Of(m.PerFolioLatencyNs),
        RemoteStallNs = Distribution.Of(m.RemoteStallNs), UninterruptibleMaxNs = m.UninterruptibleMaxNs,
        ReaderThroughputPerUs = m.ReaderThroughputPerUs, MemorySavedBytes = m.MemorySavedBytes, Ipis = m.Ipis, Tlbis = m.Tlbis, Faults = m.Faults,
    };

    public static SweepRow Refused(string key, string sweep, SweepPoint p, string strategy, ulong seed, string reason) => new()
    {
        Key = key, Sweep = sweep, Point = p.Index, Params = ParamsOf(p), Cpus = p.Scenario.Machine.Cpus, Strategy = strategy, Seed = seed,
        Outcome = "refused", Refusal = reason, Violations = [], UpdaterLatencyNs = default, PerFolioLatencyNs = default,
        RemoteStallNs = default, UninterruptibleMaxNs = 0, ReaderThroughputPerUs = 0, MemorySavedBytes = 0, Ipis = 0, Tlbis = 0, Faults = 0,
    };

    private static Dictionary<string, string> ParamsOf(SweepPoint p) => p.Values.ToDictionary(v => v.Name, v => v.Value);
}
