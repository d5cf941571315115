using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace HvoLab.Experiments.Bench;

/// <summary>One headline figure beside its target (issue "Speed and scale").</summary>
public sealed record BenchFigure(string Name, double Value, string Unit, string Target, bool Met, string Detail);

/// <summary>Sizes of the headline runs. <see cref="Full"/> is the issue's configuration, <see cref="Quick"/> a scaled-down
/// one for CI (labelled as such in the figure names), <see cref="Tiny"/> only exercises the plumbing in tests.</summary>
public sealed record BenchConfig
{
    public int EngineCpus { get; init; } = 4;
    public int EngineIterationsPerCpu { get; init; } = 1_000_000;
    /// <summary>Engine runs; the figure is their median (one core, and the other may be busy: the median of a few
    /// runs is what a second measurement would most likely give).</summary>
    public int EngineRepeats { get; init; } = 5;
    public int ScaleCpus { get; init; } = 256;
    public long ScaleFolios { get; init; } = 524_288;
    /// <summary>Host-time cap of the scale run; past it the figure is a projection from the folios done.</summary>
    public TimeSpan ScaleBudget { get; init; } = TimeSpan.FromSeconds(90);
    public TimeSpan ExhaustiveBudget { get; init; } = TimeSpan.FromSeconds(40);
    public string Label { get; init; } = "";
    /// <summary>Wall budget of each exhaustive search of <see cref="SearchBench"/>; null: those figures are left out.</summary>
    public TimeSpan? SearchBudget { get; init; }
    public int SearchWorkers { get; init; } = Environment.ProcessorCount;

    /// <summary>The search figures (several minutes) join the full run only with HVOLAB_BENCH_SEARCH=1.</summary>
    public static BenchConfig Full => new()
    {
        SearchBudget = Environment.GetEnvironmentVariable("HVOLAB_BENCH_SEARCH") == "1" ? TimeSpan.FromSeconds(120) : null,
    };
    public static BenchConfig Quick => new()
    {
        EngineIterationsPerCpu = 300_000, EngineRepeats = 3, ScaleCpus = 16, ScaleFolios = 4096, ScaleBudget = TimeSpan.FromSeconds(20),
        ExhaustiveBudget = TimeSpan.FromSeconds(20), Label = " (quick: 16 CPUs, 8 GiB)",
    };
    public static BenchConfig Tiny => new()
    {
        EngineIterationsPerCpu = 1_000, EngineRepeats = 1, ScaleCpus = 4, ScaleFolios = 4, ScaleBudget = TimeSpan.FromSeconds(5),
        ExhaustiveBudget = TimeSpan.FromMilliseconds(200), Label = " (tiny)", SearchBudget = TimeSpan.FromMilliseconds(200), SearchWorkers = 2,
    };
}

/// <summary>
/// Runs the headline figures of <c>hvolab bench</c>: engine ops/s and bytes/op, the HVO scale run (wall and peak RSS),
/// and the exhaustive proof of D (complete or not, executions/s). Measured with Stopwatch: this is a benchmark.
/// </summary>
public static class BenchSuite
{
    public const double EngineTargetOpsPerSec = 20e6;
    public const double ScaleTargetSeconds = 10;
    public const long ScaleTargetRssBytes = 2L << 30;
    public const double ExhaustiveTargetSeconds = 60;

    public static IReadOnlyList<BenchFigure> Run(BenchConfig config)
    {
        var figures = new List<BenchFigure>();
        BenchWorkloads.MeasureEngine(config.EngineCpus, Math.Min(10_000, config.EngineIterationsPerCpu));   // JIT warm-up
        var runs = Enumerable.Range(0, Math.Max(1, config.EngineRepeats))
            .Select(_ => BenchWorkloads.MeasureEngine(config.EngineCpus, config.EngineIterationsPerCpu))
            .OrderBy(r => r.OpsPerSecond).ToArray();
        var e = runs[runs.Length / 2];
        string ed = $"{e.Detail}; median of {runs.Length} runs of {e.Operations:N0} ops " +
                    $"({string.Join(", ", runs.Select(r => (r.OpsPerSecond / 1e6).ToString("F2", CultureInfo.InvariantCulture)))} M ops/s)";
        figures.Add(new("engine ops/s", e.OpsPerSecond, "ops/s", "≥ 20,000,000", e.OpsPerSecond >= EngineTargetOpsPerSec, ed));
        figures.Add(new("engine allocated bytes/op", e.BytesPerOp, "B/op", "0 (steady state)", e.BytesPerOp < 0.5, ed));

        var sw = Stopwatch.StartNew();
        var x = BenchWorkloads.ExploreD(config.ExhaustiveBudget);
        sw.Stop();
        string xd = $"{x.Executions} executions with DPOR and sleep sets ({x.Pruned} ended asleep), {x.Transitions} transitions, {x.StopReason}, {x.Failures.Count} failures";
        bool proved = x.Complete && x.Failures.Count == 0;
        figures.Add(new("exhaustive D, 3 CPUs, 1 reader: time" + (proved ? "" : " (incomplete)"), sw.Elapsed.TotalSeconds, "s",
            "complete proof ≤ 60 s", proved && sw.Elapsed.TotalSeconds <= ExhaustiveTargetSeconds, xd));
        figures.Add(new("exhaustive D: executions/s", x.ExecutionsPerSecond, "exec/s", "reported", true, xd));
        figures.Add(new("exhaustive D: transitions/s", x.Elapsed.TotalSeconds > 0 ? x.Transitions / x.Elapsed.TotalSeconds : 0, "ops/s", "reported", true, xd));

        if (config.SearchBudget is { } searchBudget) figures.AddRange(SearchBench.Run(searchBudget, config.SearchWorkers));

        var s = BenchWorkloads.MeasureScale(config.ScaleCpus, config.ScaleFolios, config.ScaleBudget);
        string name = $"HVO of {FormatBytes((ulong)config.ScaleFolios << 21)} of 2 MiB folios, {config.ScaleCpus} CPUs, D + background{config.Label}";
        double wall = s.Completed ? s.Run.Wall.TotalSeconds : s.ProjectedSeconds;
        figures.Add(new(name + (s.Completed ? ": wall" : ": projected wall"), wall, "s", "≤ 10 s", s.Completed && wall <= ScaleTargetSeconds, s.Run.Detail));
        figures.Add(new(name + ": user CPU time", s.Run.UserCpu.TotalSeconds, "s", "reported (load-robust)", true, s.Run.Detail));
        figures.Add(new(name + ": peak RSS", s.Run.PeakRssBytes / (double)(1 << 20), "MiB", "≤ 2048 MiB",
            s.Completed && s.Run.PeakRssBytes <= ScaleTargetRssBytes, s.Run.Detail));
        figures.Add(new(name + ": simulated ops/s", s.Run.OpsPerSecond, "ops/s", "reported", true, s.Run.Detail));
        return figures;
    }

    public static string FormatBytes(ulong b) => b >= 1UL << 40 && b % (1UL << 40) == 0 ? $"{b >> 40} TiB" : $"{b >> 30} GiB";

    public static string ToJson(IReadOnlyList<BenchFigure> figures)
    {
        var rows = figures.Select(f => new Dictionary<string, object>
        {
            ["name"] = f.Name, ["value"] = double.IsFinite(f.Value) ? f.Value : -1, ["unit"] = f.Unit, ["target"] = f.Target, ["met"] = f.Met,
        });
        return JsonSerializer.Serialize(rows, Reports.ReportJson.Indented);
    }

    /// <summary>What the figures were measured on (printed above the table).</summary>
    public static string MachineLine()
    {
        string cpu = "unknown CPU";
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal)) { cpu = line[(line.IndexOf(':') + 1)..].Trim(); break; }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return $"machine: {cpu}, {Environment.ProcessorCount} cores, .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
    }

    public static string ToTable(IReadOnlyList<BenchFigure> figures)
    {
        var sb = new StringBuilder();
        sb.AppendLine(MachineLine());
        // 100 columns: a name longer than its column gets a line of its own, the figures go on the next.
        const int w = 44;
        sb.AppendLine($"{"figure",-w}  {"value",14}  {"unit",-7}  {"target",-22}  met");
        foreach (var f in figures)
        {
            if (f.Name.Length > w) sb.AppendLine(f.Name);
            string name = f.Name.Length > w ? "" : f.Name;
            sb.AppendLine($"{name,-w}  {f.Value.ToString("N2", CultureInfo.InvariantCulture),14}  {f.Unit,-7}  {f.Target,-22}  {(f.Met ? "yes" : "NO")}");
        }
        sb.AppendLine();
        foreach (var d in figures.Select(f => f.Detail).Distinct()) Reports.ComparisonText.Wrap(sb, "  " + d, 100);
        return sb.ToString();
    }
}
