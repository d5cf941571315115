using HvoLab.Experiments.Checking;
using HvoLab.Experiments.Comparison;
using ScottPlot;

namespace HvoLab.Experiments.Reports;

/// <summary>Bar charts of one compare run: p50 and p99 per strategy, on a log10 axis because the strategies span
/// three orders of magnitude (a linear axis would flatten everything but B and D).</summary>
public static class ComparisonPlots
{
    public static IReadOnlyList<(string Title, byte[] Png)> Render(ComparisonResult result)
    {
        var rows = result.Rows.Where(r => r.Verdict != Verdict.Refused && r.Runs > 0).ToArray();
        return
        [
            ("Updater latency per operation (µs, log10)", Bars(rows, r => (r.UpdaterLatencyNs.P50, r.UpdaterLatencyNs.P99), "updater latency, log10 µs")),
            ("Remote stall per CPU (µs, log10)", Bars(rows, r => (r.RemoteStallNs.P50, r.RemoteStallNs.P99), "remote stall, log10 µs")),
            ("Longest uninterruptible stretch (µs, log10)", Bars(rows, r => (r.UninterruptibleMaxNs.P50, r.UninterruptibleMaxNs.P99), "uninterruptible, log10 µs")),
        ];
    }

    private static byte[] Bars(ComparisonRow[] rows, Func<ComparisonRow, (double P50, double P99)> pick, string yLabel)
    {
        var plot = new Plot();
        static double L(double ns) => Math.Log10(Math.Max(ns / 1000, 0.01));
        var bars = new List<Bar>();
        for (int i = 0; i < rows.Length; i++)
        {
            var (p50, p99) = pick(rows[i]);
            bars.Add(new Bar { Position = i * 3, Value = L(p50), ValueBase = -2, FillColor = Colors.SteelBlue });
            bars.Add(new Bar { Position = i * 3 + 1, Value = L(p99), ValueBase = -2, FillColor = Colors.OrangeRed });
        }
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(rows.Select((_, i) => i * 3 + 0.5).ToArray(), rows.Select(r => r.Strategy).ToArray());
        plot.YLabel(yLabel);
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "p50", FillColor = Colors.SteelBlue });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "p99", FillColor = Colors.OrangeRed });
        plot.ShowLegend();
        return plot.GetImageBytes(720, 360, ImageFormat.Png);
    }
}
