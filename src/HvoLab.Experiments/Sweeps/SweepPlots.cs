using System.Text.Json;
using HvoLab.Experiments.IO;
using ScottPlot;

namespace HvoLab.Experiments.Sweeps;

/// <summary>
/// Remote stall and updater latency against CPU count, one line per strategy: the median over the rows at that
/// CPU count of each run's p50, with a band up to the median of each run's p99. Rows of other swept parameters at the
/// same CPU count are pooled; sweep one other parameter at a time if that matters.
/// </summary>
public static class SweepPlots
{
    public static IReadOnlyList<string> Write(string jsonlPath, string dir)
    {
        var rows = JsonlReader.ReadRows(jsonlPath).Where(r => r.GetProperty("outcome").GetString() != "refused").ToArray();
        var written = new List<string>();
        var stem = Path.GetFileNameWithoutExtension(jsonlPath);
        foreach (var (field, title, file) in new[]
        {
            ("remote_stall_ns", "Remote stall per CPU vs CPU count", "remote-stall"),
            ("updater_latency_ns", "Updater latency per operation vs CPU count", "updater-latency"),
        })
        {
            var plot = Build(rows, field, title);
            Directory.CreateDirectory(dir);
            var png = Path.Combine(dir, $"{stem}-{file}.png");
            var svg = Path.Combine(dir, $"{stem}-{file}.svg");
            AtomicFile.WriteAllBytes(png, plot.GetImageBytes(800, 450, ImageFormat.Png));
            AtomicFile.WriteAllText(svg, plot.GetSvgXml(800, 450));
            written.Add(png);
            written.Add(svg);
        }
        return written;
    }

    private static Plot Build(IReadOnlyList<JsonElement> rows, string field, string title)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int n = 0;
        foreach (var g in rows.GroupBy(r => r.GetProperty("strategy").GetString() ?? "?"))
        {
            var byCpus = g.GroupBy(r => r.GetProperty("cpus").GetInt32()).OrderBy(c => c.Key).ToArray();
            double[] xs = byCpus.Select(c => (double)c.Key).ToArray();
            double[] p50 = byCpus.Select(c => Median(c.Select(r => r.GetProperty(field).GetProperty("p50").GetDouble() / 1000))).ToArray();
            double[] p99 = byCpus.Select(c => Median(c.Select(r => r.GetProperty(field).GetProperty("p99").GetDouble() / 1000))).ToArray();
            var color = palette.GetColor(n++);
            var band = plot.Add.FillY(xs, p50, p99);
            band.FillColor = color.WithAlpha(0.2);
            band.LineWidth = 0;
            var line = plot.Add.Scatter(xs, p50);
            line.Color = color;
            line.LegendText = g.Key;
        }
        plot.Title(title);
        plot.XLabel("CPUs");
        plot.YLabel("µs (line p50, band to p99)");
        plot.ShowLegend();
        return plot;
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.OrderBy(x => x).ToArray();
        return v.Length == 0 ? 0 : v[(v.Length - 1) / 2];
    }
}
