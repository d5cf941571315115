using HvoLab.Experiments.Checking;
using System.CommandLine;
using HvoLab.Experiments.Comparison;
using HvoLab.Experiments.IO;
using HvoLab.Experiments.Reports;
using Spectre.Console;

namespace HvoLab.Cli.Commands;

/// <summary>`hvolab compare`: every strategy of a scenario, K timed seeds each plus a bounded search, as one table.</summary>
public static class CompareCommand
{
    public static Command Build(CliContext cli)
    {
        var scenario = Options.Scenario();
        var cpus = Options.Cpus();
        var granule = Options.Granule();
        var hugepage = Options.Hugepage();
        var pages = new Option<int?>("--pages") { Description = "Override the count of every operation.", HelpName = "N" };
        var seeds = new Option<int?>("--seeds") { Description = "Timed runs per strategy (scheduler.seeds).", HelpName = "K" };
        var format = Options.Format("table", "markdown", "json", "csv");
        var outDir = new Option<string?>("--out") { Description = "Directory for result files (written atomically).", HelpName = "DIR" };
        var html = new Option<string?>("--html") { Description = "Write an HTML report.", HelpName = "FILE" };
        var parallel = Options.Parallel();
        var strategyFile = Options.StrategyFile();
        var wide = new Option<bool>("--wide") { Description = "Every column (default: the headline columns, which fit 100 columns)." };
        var explain = new Option<bool>("--explain") { Description = "Print what each column means under the table." };
        var only = new Option<string[]>("--strategy") { Description = "Compare only this strategy (repeatable; default: the scenario's).", HelpName = "NAME" };
        var cmd = new Command("compare", "Run every strategy of the scenario in timed mode and compare cost, stalls and violations.")
        {
            scenario, strategyFile, cpus, granule, hugepage, pages, seeds, format, outDir, html, parallel, wide, explain, only,
        };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            var s = CliScenario.Resolve(r.GetValue(scenario), new CliScenario.Overrides
            {
                Cpus = r.GetValue(cpus), Granule = r.GetValue(granule), Hugepage = r.GetValue(hugepage),
                Pages = r.GetValue(pages), Seeds = r.GetValue(seeds),
                ExtraStrategies = StrategyFiles.LoadOption(cli, r.GetValue(strategyFile)),
                Strategies = r.GetValue(only) is { Length: > 0 } names ? names.Select(n => CliValues.Strategy("--strategy", n)).Distinct().ToArray() : null,
            });
            int threads = r.GetValue(parallel) is { } p ? CliValues.Positive("--parallel", p) : Environment.ProcessorCount;
            foreach (var w in s.Warnings) cli.Err.WriteLine($"warning: {w}");
            cli.Stop.Observe();
            var result = Consoles.WithProgress(cli.Err, "compare", progress =>
                Comparer.Run(s, new CompareOptions { Parallel = threads, Progress = progress, Cancel = cli.Cancel })) with
            {
                Provenance = Provenance.Of(s, Comparer.TimedSeeds(s), cli.Args),
            };
            Write(cli.Out, result, r.GetValue(format)!, r.GetValue(wide), r.GetValue(explain));
            if (result.NotMeasured is { } missing)
            {
                // A partial comparison is shown, never saved: a file must not pass for the full result.
                cli.Err.WriteLine($"hvolab: interrupted; the report above is partial (not measured: {(missing.Count == 0 ? "none" : string.Join(", ", missing))}; "
                    + "some rows rest on fewer timed runs); no files written");
                return CliContext.Interrupted;
            }
            if (r.GetValue(outDir) is { } dir) WriteAll(dir, result);
            if (r.GetValue(html) is { } file) AtomicFile.WriteAllText("--html", file, HtmlReport.Render(result));
            return CliContext.Ok;
        }));
        return cmd;
    }

    public static void Write(TextWriter to, ComparisonResult result, string format, bool wide = false, bool explain = false)
    {
        switch (format)
        {
            case "json": to.WriteLine(ComparisonJson.Serialize(result)); break;
            case "csv": to.Write(ComparisonText.Csv(result)); break;
            case "markdown": to.Write(ComparisonText.Markdown(result, wide)); break;
            default: WriteTable(to, result, wide, explain); break;
        }
    }

    private static void WriteAll(string dir, ComparisonResult result)
    {
        AtomicFile.WriteAllText("--out", Path.Combine(dir, "compare.json"), ComparisonJson.Serialize(result) + "\n");
        AtomicFile.WriteAllText("--out", Path.Combine(dir, "compare.csv"), ComparisonText.Csv(result));
        AtomicFile.WriteAllText("--out", Path.Combine(dir, "compare.md"), ComparisonText.Markdown(result, wide: true));
        var table = new StringWriter();
        WriteTable(table, result, wide: true, explain: true, width: 260);
        AtomicFile.WriteAllText("--out", Path.Combine(dir, "compare.txt"), table.ToString());
        AtomicFile.WriteAllText("--out", Path.Combine(dir, "compare.html"), HtmlReport.Render(result));
    }

    /// <summary>The console table: headline columns at the terminal's width (COLUMNS, default 100), every column
    /// with <paramref name="wide"/>; notes and the legend wrapped to the same width.</summary>
    public static void WriteTable(TextWriter to, ComparisonResult result, bool wide = false, bool explain = false, int? width = null)
    {
        int w = width ?? Consoles.Width();
        var console = Consoles.Plain(to, w);
        var table = new Table { Title = new TableTitle(Markup.Escape($"{result.Scenario}: {result.Cpus} CPUs, {result.Granule}, {ComparisonText.Plural(result.Seeds, "seed")}")) };
        table.AddColumns(wide ? ComparisonText.Headers : ComparisonText.HeadlineHeaders);
        foreach (var c in table.Columns.Skip(2)) c.RightAligned();
        foreach (var row in result.Rows) table.AddRow((wide ? ComparisonText.Cells(row) : ComparisonText.HeadlineCells(row)).Select(Markup.Escape).ToArray());
        console.Write(table);
        var notes = new System.Text.StringBuilder();
        foreach (var row in result.Rows.Where(x => !HvoLab.Experiments.Checking.VerdictWords.IsSafe(x.Verdict))) ComparisonText.Wrap(notes, $"{row.Strategy} {row.VerdictText}: {row.VerdictDetail}", w);
        foreach (var row in result.Rows.Where(x => x.InPlace is not null)) ComparisonText.Wrap(notes, $"{row.Strategy} in-place updates over {row.Runs} runs: {ComparisonText.InPlaceText(row.InPlace!)}", w);
        if (explain) notes.Append(ComparisonText.LegendText(w));
        else notes.Append("columns: --explain says what each means; --wide shows all of them\n");
        to.Write(notes.ToString());
    }
}
