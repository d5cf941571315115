using HvoLab.Experiments.Checking;
using System.Globalization;
using System.Text;
using HvoLab.Experiments.Comparison;
using HvoLab.Experiments.Running;
using HvoLab.Experiments.Scenarios;

namespace HvoLab.Experiments.Reports;

/// <summary>The compare table as cells (shared by the console table, Markdown, CSV and HTML) and as Markdown/CSV text.</summary>
public static class ComparisonText
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static readonly string[] Headers =
    [
        "strategy", "verdict", "hardware", "updater p50/p99/max", "per folio p50", "remote stall p50/p99/max",
        "uninterruptible p50/p99/max", "throughput loss", "memory saved", "IPIs", "TLBIs", "faults", "spread",
        "updater p99 vs off", "stall p99 vs off",
    ];

    /// <summary>The columns shown by default (they fit 100 columns): verdict, updater p99, remote stall p99,
    /// uninterruptible max, IPIs, TLBIs, memory saved. --wide shows <see cref="Headers"/>.</summary>
    public static readonly string[] HeadlineHeaders = ["strategy", "verdict", "updater p99", "stall p99", "irq-off max", "IPIs", "TLBIs", "saved"];

    /// <summary>What each column means (printed by --explain and under markdown tables).</summary>
    public static readonly (string Column, string Meaning)[] Legend =
    [
        ("verdict", "proved (complete search) / unsafe (violation found) / not refuted (mode executions, CPUs: no violation within that budget) / refused (cannot run on this machine)"),
        ("updater p99", "99th percentile latency of one HVO operation on the updating CPU"),
        ("stall p99", "99th percentile time a remote CPU is kept from its own work (paused, stopped, spinning)"),
        ("irq-off max", "longest stretch with interrupts masked on any CPU (uninterruptible max)"),
        ("IPIs", "inter-processor interrupts sent per run"),
        ("TLBIs", "broadcast TLB invalidations per run"),
        ("saved", "vmemmap memory freed by HVO"),
        ("hardware", "what the strategy needs from the machine"),
        ("p50/p99/max", "median / 99th percentile / maximum over every timed seed"),
        ("throughput loss", "reader iterations lost relative to off"),
        ("spread", "max/min of the per-seed updater median (run-to-run variation)"),
        ("vs off", "ratio to the off strategy (no HVO)"),
    ];

    public static string[] HeadlineCells(ComparisonRow r) => r.Verdict == HvoLab.Experiments.Checking.Verdict.Refused
        ? [r.Strategy, r.VerdictText, "", "", "", "", "", ""]
        : [
            r.Strategy, r.VerdictText, P99(r.UpdaterLatencyNs), P99(r.RemoteStallNs), r.UninterruptibleMaxNs.Count == 0 ? "–" : Us(r.UninterruptibleMaxNs.Max),
            Count(r.Ipis), Count(r.Tlbis), Units.FormatSize((ulong)r.MemorySavedBytes),
        ];

    private static string P99(Distribution d) => d.Count == 0 ? "–" : Us(d.P99);

    /// <summary>"1 seed", "3 seeds".</summary>
    public static string Plural(long n, string noun) => n == 1 ? $"1 {noun}" : $"{n.ToString("N0", Inv)} {noun}s";

    public static string Us(double ns) => (ns / 1000).ToString(ns >= 100_000 ? "F0" : "F1", Inv) + "µs";
    public static string Triple(Distribution d) => d.Count == 0 ? "–" : $"{Us(d.P50)}/{Us(d.P99)}/{Us(d.Max)}";
    public static string Ratio(double? r) => r is { } v ? v.ToString(v >= 100 ? "F0" : "F2", Inv) + "×" : "–";
    public static string Pct(double? r) => r is { } v ? (v * 100).ToString("F1", Inv) + "%" : "–";
    public static string Count(double c) => c.ToString(c == Math.Floor(c) ? "F0" : "F1", Inv);

    public static string[] Cells(ComparisonRow r) => r.Verdict == HvoLab.Experiments.Checking.Verdict.Refused
        ? [r.Strategy, r.VerdictText, r.Hardware, "", "", "", "", "", "", "", "", "", "", "", ""]
        : [
            r.Strategy, r.VerdictText, r.Hardware, Triple(r.UpdaterLatencyNs), r.PerFolioLatencyNs.Count == 0 ? "–" : Us(r.PerFolioLatencyNs.P50),
            Triple(r.RemoteStallNs), Triple(r.UninterruptibleMaxNs), Pct(r.ThroughputLoss), Units.FormatSize((ulong)r.MemorySavedBytes),
            Count(r.Ipis), Count(r.Tlbis), Count(r.Faults), r.Spread.ToString("F2", Inv),
            Ratio(r.RelativeToOff?.UpdaterLatencyP99), Ratio(r.RelativeToOff?.RemoteStallP99),
        ];

    public static string InPlaceText(HvoUpdateCounts c) =>
        $"{c.Injected} injected failures, {c.Eagain} -EAGAIN from the retry bound, {c.Rollbacks} rollbacks, {c.PartialOptimize} partial optimize (rollback failed), {c.PartialRestore} partial restores";

    /// <summary>Markdown for a mail or an issue: the headline columns (fit 100 columns) unless <paramref name="wide"/>,
    /// then a legend of the columns shown.</summary>
    public static string Markdown(ComparisonResult result, bool wide = false)
    {
        var sb = new StringBuilder();
        sb.Append(Inv, $"Scenario `{result.Scenario}`: {result.Cpus} CPUs, {result.Granule} granule, {Plural(result.Seeds, "seed")} per strategy.\n\n");
        var headers = wide ? Headers : HeadlineHeaders;
        sb.Append("| ").Append(string.Join(" | ", headers)).Append(" |\n");
        sb.Append('|').Append(string.Concat(headers.Select(_ => "---|"))).Append('\n');
        foreach (var r in result.Rows)
            sb.Append("| ").Append(string.Join(" | ", (wide ? Cells(r) : HeadlineCells(r)).Select(c => c.Replace("|", "\\|")))).Append(" |\n");
        var unsafeRows = result.Rows.Where(r => !HvoLab.Experiments.Checking.VerdictWords.IsSafe(r.Verdict)).ToArray();
        if (unsafeRows.Length > 0)
        {
            sb.Append('\n');
            foreach (var r in unsafeRows) sb.Append(Inv, $"- {r.Strategy}: {r.VerdictDetail}\n");
        }
        foreach (var r in result.Rows.Where(r => r.InPlace is not null))
            sb.Append(Inv, $"- {r.Strategy}: in-place updates over {r.Runs} runs: {InPlaceText(r.InPlace!)}\n");
        if (!wide) sb.Append('\n').Append(LegendText(80));
        if (result.Provenance is { } p)
        {
            sb.Append('\n');
            Wrap(sb, $"{p.Version}, scenario {p.ScenarioHash}, seeds {p.SeedText}: `{p.CommandText}`", 100);
        }
        return sb.ToString();
    }

    /// <summary>The column legend wrapped to <paramref name="width"/> characters.</summary>
    public static string LegendText(int width)
    {
        var sb = new StringBuilder();
        foreach (var (column, meaning) in Legend) Wrap(sb, $"{column}: {meaning}", width);
        return sb.ToString();
    }

    /// <summary>Appends <paramref name="text"/> as lines of at most <paramref name="width"/> characters, continuation
    /// lines indented by two.</summary>
    public static void Wrap(StringBuilder sb, string text, int width)
    {
        int lineStart = sb.Length;
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (sb.Length > lineStart && sb.Length - lineStart + 1 + word.Length > width) { sb.Append('\n'); lineStart = sb.Length; sb.Append("  "); }
            else if (sb.Length > lineStart) sb.Append(' ');
            sb.Append(word);
        }
        sb.Append('\n');
    }

    public static readonly string[] CsvHeaders =
    [
        "strategy", "verdict", "verdict_detail", "hardware", "runs", "incomplete_runs",
        "updater_latency_p50_ns", "updater_latency_p99_ns", "updater_latency_max_ns",
        "per_folio_latency_p50_ns", "per_folio_latency_p99_ns", "per_folio_latency_max_ns",
        "remote_stall_p50_ns", "remote_stall_p99_ns", "remote_stall_max_ns",
        "uninterruptible_max_p50_ns", "uninterruptible_max_p99_ns", "uninterruptible_max_max_ns",
        "reader_throughput_per_us", "throughput_loss", "memory_saved_bytes", "ipis", "tlbis", "faults", "spread", "stall_spread",
        "updater_p50_vs_off", "updater_p99_vs_off", "per_folio_p50_vs_off", "stall_p99_vs_off", "uninterruptible_p99_vs_off",
        "tlbis_vs_off", "scenario_hash", "seeds", "hvolab_version", "command_line",
    ];

    public static string Csv(ComparisonResult result)
    {
        var sb = new StringBuilder();
        sb.Append(string.Join(",", CsvHeaders)).Append('\n');
        static string N(double v) => v.ToString("R", Inv);
        static string O(double? v) => v is { } x ? N(x) : "";
        foreach (var r in result.Rows)
        {
            var rel = r.RelativeToOff;
            string[] cells =
            [
                r.Strategy, r.Verdict.Word(), Quote(r.VerdictDetail), Quote(r.Hardware), r.Runs.ToString(Inv), r.IncompleteRuns.ToString(Inv),
                N(r.UpdaterLatencyNs.P50), N(r.UpdaterLatencyNs.P99), N(r.UpdaterLatencyNs.Max),
                N(r.PerFolioLatencyNs.P50), N(r.PerFolioLatencyNs.P99), N(r.PerFolioLatencyNs.Max),
                N(r.RemoteStallNs.P50), N(r.RemoteStallNs.P99), N(r.RemoteStallNs.Max),
                N(r.UninterruptibleMaxNs.P50), N(r.UninterruptibleMaxNs.P99), N(r.UninterruptibleMaxNs.Max),
                N(r.ReaderThroughputPerUs), O(r.ThroughputLoss), r.MemorySavedBytes.ToString(Inv), N(r.Ipis), N(r.Tlbis), N(r.Faults),
                N(r.Spread), N(r.StallSpread),
                O(rel?.UpdaterLatencyP50), O(rel?.UpdaterLatencyP99), O(rel?.PerFolioLatencyP50), O(rel?.RemoteStallP99),
                O(rel?.UninterruptibleMaxP99), O(rel?.Tlbis),
                // Provenance on every row, so a row cut out of the file still says what produced it.
                result.Provenance?.ScenarioHash ?? "", Quote(string.Join(' ', result.Provenance?.Seeds ?? [])),
                Quote(result.Provenance?.Version ?? ""), Quote(result.Provenance?.CommandText ?? ""),
            ];
            sb.Append(string.Join(",", cells)).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>RFC 4180 quoting.</summary>
    public static string Quote(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
