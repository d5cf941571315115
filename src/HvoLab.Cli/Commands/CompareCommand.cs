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
        var cmd = new Command("compare", "Run every strategy of the scenario in timed mode and compare cost, stalls and violations.")
        {
            scenario, strategyFile, cpus, granule, hugepage, pages, seeds, format, outDir, html, parallel,
        };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            var s = CliScenario.Resolve(r.GetValue(scenario), new CliScenario.Overrides
            {
                Cpus = r.GetValue(cpus), Granule = r.GetValue(granule), Hugepage = r.GetValue(hugepage),
                Pages = r.GetValue(pages), Seeds = r.GetValue(seeds),
                ExtraStrategies = StrategyFiles.LoadOption(cli, r.GetValue(strategyFile)),
            });
            int threads = r.GetValue(parallel) is { } p ? CliValues.Positive("--parallel", p) : Environment.ProcessorCount;
            foreach (var w in s.Warnings) cli.Err.WriteLine($"warning: {w}");
            var result = Consoles.WithProgress(cli.Err, "compare", progress =>
                Comparer.Run(s, new CompareOptions { Parallel = threads, Progress = progress }));
            Write(cli.Out, result, r.GetValue(format)!);
            if (r.GetValue(outDir) is { } dir) WriteAll(dir, result);
            if (r.GetValue(html) is { } file) AtomicFile.WriteAllText(file, HtmlReport.Render(result));
            return CliContext.Ok;
        }));
        return cmd;
    }

    public static void Write(TextWriter to, ComparisonResult result, string format)
    {
        switch (format)
        {
            case "json": to.WriteLine(ComparisonJson.Serialize(result)); break;
            case "csv": to.Write(ComparisonText.Csv(result)); break;
            case "markdown": to.Write(ComparisonText.Markdown(result)); break;
            default: WriteTable(to, result); break;
        }
    }

    private static void WriteAll(string dir, ComparisonResult result)
    {
        AtomicFile.WriteAllText(Path.Combine(dir, "compare.json"), ComparisonJson.Serialize(result) + "\n");
        AtomicFile.WriteAllText(Path.Combine(dir, "compare.csv"), ComparisonText.Csv(result));
        AtomicFile.WriteAllText(Path.Combine(dir, "compare.md"), ComparisonText.Markdown(result));
        var table = new StringWriter();
        WriteTable(table, result);
        AtomicFile.WriteAllText(Path.Combine(dir, "compare.txt"), table.ToString());
        AtomicFile.WriteAllText(Path.Combine(dir, "compare.html"), HtmlReport.Render(result));
    }

    public static void WriteTable(TextWriter to, ComparisonResult result)
    {
        var console = Consoles.Plain(to, 260);
        var table = new Table { Title = new TableTitle($"{result.Scenario}: {result.Cpus} CPUs, {result.Granule}, {result.Seeds} seeds") };
        table.AddColumns(ComparisonText.Headers);
        foreach (var c in table.Columns.Skip(3)) c.RightAligned();
        foreach (var row in result.Rows) table.AddRow(ComparisonText.Cells(row).Select(Markup.Escape).ToArray());
        console.Write(table);
        foreach (var row in result.Rows.Where(x => !x.Verdict.IsSafe())) to.WriteLine($"{row.Strategy} {row.Verdict.Word()}: {row.VerdictDetail}");
        foreach (var row in result.Rows.Where(x => x.InPlace is not null)) to.WriteLine($"{row.Strategy} in-place updates over {row.Runs} runs: {ComparisonText.InPlaceText(row.InPlace!)}");
    }
}
