using System.Text.Json;
using HvoLab.Experiments.IO;
using ScottPlot;

namespace HvoLab.Experiments.Sweeps;

/// <summary>
/// Remote stall and updater latency against the swept parameter (the first one that varies; CPUs when none does), one
/// line per strategy and value of the other varied parameters: the median over the rows at that point of each run's
/// p50, with a band up to the median of each run's p99. A run stopped by a violation has no latency to show: such
/// points are drawn as red crosses on the x axis, labelled "stopped (violation)", never as a 0 µs value.
/// </summary>
public static class SweepPlots
{
    public static IReadOnlyList<string> Write(string jsonlPath, string dir)
    {
        var rows = JsonlReader.ReadRows(jsonlPath).Where(r => r.GetProperty("outcome").GetString() != "refused").ToArray();
        var written = new List<string>();
        var stem = Path.GetFileNameWithoutExtension(jsonlPath);
        var (x, others) = Axes(rows);
        foreach (var (field, what, file) in new[]
        {
            ("remote_stall_ns", "Remote stall per CPU", "remote-stall"),
            ("updater_latency_ns", "Updater latency per operation", "updater-latency"),
        })
        {
            var plot = Build(rows, field, $"{what} vs {x}", x, others);
            Directory.CreateDirectory(dir);
            var png = Path.Combine(dir, $"{stem}-{file}.png");
            var svg = Path.Combine(dir, $"{stem}-{file}.svg");
            AtomicFile.WriteAllBytes("--plots", png, plot.GetImageBytes(800, 450, ImageFormat.Png));
            AtomicFile.WriteAllText("--plots", svg, plot.GetSvgXml(800, 450));
            written.Add(png);
            written.Add(svg);
        }
        return written;
    }

    /// <summary>The x axis (first parameter with more than one value) and the other varied parameters.</summary>
    public static (string X, string[] Others) Axes(IReadOnlyList<JsonElement> rows)
    {
        var varied = rows.SelectMany(r => Params(r)).GroupBy(kv => kv.Key)
            .Where(g => g.Select(kv => kv.Value).Distinct().Count() > 1).Select(g => g.Key).ToArray();
        return varied.Length == 0 ? ("cpus", []) : (varied[0], varied[1..]);
    }

    private static IEnumerable<KeyValuePair<string, string>> Params(JsonElement row)
    {
        if (row.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Object)
            foreach (var kv in p.EnumerateObject()) yield return new(kv.Name, kv.Value.ToString());
    }

    private static string ValueOf(JsonElement row, string param) => param == "cpus" && !Params(row).Any(kv => kv.Key == "cpus")
        ? row.GetProperty("cpus").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture)
        : Params(row).FirstOrDefault(kv => kv.Key == param).Value ?? "";

    private static bool Stopped(JsonElement row) => row.GetProperty("outcome").GetString() is not ("Completed" or "BudgetExceeded");

    private static Plot Build(IReadOnlyList<JsonElement> rows, string field, string title, string x, string[] others)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        // Numeric x values are placed by value, others (granules, sizes with units) in the order they first appear.
        var xValues = rows.Select(r => ValueOf(r, x)).Distinct().ToList();
        bool numeric = xValues.All(v => double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _));
        double Pos(string v) => numeric ? double.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : xValues.IndexOf(v);
        int n = 0;
        var stoppedXs = new List<double>();
        foreach (var g in rows.GroupBy(r => string.Join(", ", others.Select(o => $"{o}={ValueOf(r, o)}").Prepend(r.GetProperty("strategy").GetString() ?? "?"))))
        {
            var points = g.GroupBy(r => ValueOf(r, x)).OrderBy(c => Pos(c.Key)).ToArray();
            stoppedXs.AddRange(points.Where(c => c.Any(Stopped)).Select(c => Pos(c.Key)));
            var shown = points.Where(c => c.Any(r => !Stopped(r))).ToArray();
            if (shown.Length == 0) continue;
            double[] xs = shown.Select(c => Pos(c.Key)).ToArray();
            double[] p50 = shown.Select(c => Median(c.Where(r => !Stopped(r)).Select(r => r.GetProperty(field).GetProperty("p50").GetDouble() / 1000))).ToArray();
            double[] p99 = shown.Select(c => Median(c.Where(r => !Stopped(r)).Select(r => r.GetProperty(field).GetProperty("p99").GetDouble() / 1000))).ToArray();
            var color = palette.GetColor(n++);
            var band = plot.Add.FillY(xs, p50, p99);
            band.FillColor = color.WithAlpha(0.2);
            band.LineWidth = 0;
            var line = plot.Add.Scatter(xs, p50);
            line.Color = color;
            line.LegendText = g.Key;
        }
        if (stoppedXs.Count > 0)
        {
            var stopped = plot.Add.ScatterPoints(stoppedXs.ToArray(), new double[stoppedXs.Count]);
            stopped.MarkerShape = MarkerShape.Eks;
            stopped.MarkerSize = 12;
            stopped.Color = Colors.Red;
            stopped.LegendText = "stopped (violation): no latency";
        }
        if (!numeric) plot.Axes.Bottom.SetTicks(xValues.Select((_, i) => (double)i).ToArray(), xValues.ToArray());
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel("µs (line p50, band to p99)");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }
    private static double Median(IEnumerable<double> values)
    {
        var v = values.OrderBy(x => x).ToArray();
        return v.Length == 0 ? 0 : v[(v.Length - 1) / 2];
    }
}
