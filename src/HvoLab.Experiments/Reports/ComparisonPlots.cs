using HvoLab.Experiments.Checking;
using HvoLab.Experiments.Comparison;
using ScottPlot;

namespace HvoLab.Experiments.Reports;

/// <summary>Bar charts of one compare run: p50 (light) and p99 (full colour) per strategy, one colour per strategy, each
/// bar labelled with its value. The axis is logarithmic because the strategies span three orders of magnitude (a linear
/// axis would flatten everything but B and D); its ticks are labelled in µs, not in exponents.</summary>
public static class ComparisonPlots
{
    public static IReadOnlyList<(string Title, byte[] Png)> Render(ComparisonResult result)
    {
        var rows = result.Rows.Where(r => r.Verdict != Verdict.Refused && r.Runs > 0).ToArray();
        return
        [
            ("Updater latency per operation (µs, log scale)", Bars(rows, r => (r.UpdaterLatencyNs.P50, r.UpdaterLatencyNs.P99), "updater latency (µs)")),
            ("Remote stall per CPU (µs, log scale)", Bars(rows, r => (r.RemoteStallNs.P50, r.RemoteStallNs.P99), "remote stall (µs)")),
            ("Longest uninterruptible stretch (µs, log scale)", Bars(rows, r => (r.UninterruptibleMaxNs.P50, r.UninterruptibleMaxNs.P99), "uninterruptible (µs)")),
        ];
    }

    private static byte[] Bars(ComparisonRow[] rows, Func<ComparisonRow, (double P50, double P99)> pick, string yLabel)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        static double L(double ns) => Math.Log10(Math.Max(ns / 1000, 0.01));
        var bars = new List<Bar>();
        for (int i = 0; i < rows.Length; i++)
        {
            var (p50, p99) = pick(rows[i]);
            var color = palette.GetColor(i);
            bars.Add(new Bar { Position = i * 3, Value = L(p50), ValueBase = -2, FillColor = color.WithAlpha(0.45), Label = ComparisonText.Us(p50) });
            bars.Add(new Bar { Position = i * 3 + 1, Value = L(p99), ValueBase = -2, FillColor = color, Label = ComparisonText.Us(p99) });
        }
        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 10;
        plot.Axes.Bottom.SetTicks(rows.Select((_, i) => i * 3 + 0.5).ToArray(), rows.Select(r => r.Strategy).ToArray());
        double top = bars.Count == 0 ? 1 : Math.Ceiling(bars.Max(b => b.Value) + 0.5);
        var exps = Enumerable.Range(-2, (int)top + 3).Select(e => (double)e).ToArray();
        plot.Axes.Left.SetTicks(exps, exps.Select(e => Math.Pow(10, e).ToString("G", System.Globalization.CultureInfo.InvariantCulture) + "µs").ToArray());
        plot.Axes.SetLimitsY(-2, top);
        plot.YLabel(yLabel);
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "p50 (light)", FillColor = Colors.Gray.WithAlpha(0.45) });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "p99", FillColor = Colors.Gray });
        plot.ShowLegend();
        return plot.GetImageBytes(720, 360, ImageFormat.Png);
    }
}
