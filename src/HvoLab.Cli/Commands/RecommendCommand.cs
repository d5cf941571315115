using HvoLab.Experiments.Checking;
using System.CommandLine;
using HvoLab.Experiments.Comparison;
using HvoLab.Experiments.Reports;
using Spectre.Console;

namespace HvoLab.Cli.Commands;

/// <summary>`hvolab recommend`: the fastest safe strategy whose remote stall p99 fits a budget, with the figures behind it.</summary>
public static class RecommendCommand
{
    public static Command Build(CliContext cli)
    {
        var budget = new Option<string>("--stall-budget") { Description = "Longest acceptable stall (p99) of any other CPU, e.g. 50us.", HelpName = "DURATION", Required = true };
        var scenario = Options.Scenario();
        var parallel = Options.Parallel();
        var strategyFile = Options.StrategyFile();
        var format = Options.Format("text", "json");
        var cmd = new Command("recommend", "Pick the cheapest safe strategy whose remote stall p99 fits the budget.") { budget, scenario, strategyFile, parallel, format };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            double ns = CliValues.Duration("--stall-budget", r.GetRequiredValue(budget)!);
            if (!(ns > 0)) throw new ArgumentException($"--stall-budget: \"{r.GetValue(budget)}\" is not allowed; use a positive duration such as 50us");
            var s = CliScenario.Resolve(r.GetValue(scenario), new CliScenario.Overrides { ExtraStrategies = StrategyFiles.LoadOption(cli, r.GetValue(strategyFile)) });
            int threads = r.GetValue(parallel) is { } n ? CliValues.Positive("--parallel", n) : Environment.ProcessorCount;
            cli.Stop.Observe();
            var rec = Consoles.WithProgress(cli.Err, "recommend", progress =>
                    Recommender.Recommend(s, ns, new CompareOptions { Parallel = threads, Progress = progress, Cancel = cli.Cancel }))
                with { Provenance = Provenance.Of(s, Comparer.TimedSeeds(s), cli.Args) };
            if (r.GetValue(format) == "json") cli.Out.WriteLine(RecommendationJson.Serialize(rec));
            else Print(cli.Out, s.Name, rec);
            if (cli.Cancel.IsCancellationRequested)
            {
                cli.Err.WriteLine("hvolab: interrupted; the recommendation above weighs only the candidates measured before Ctrl-C");
                return CliContext.Interrupted;
            }
            return CliContext.Ok;
        }));
        return cmd;
    }

    /// <summary>One or two words for the table; the full reason is a note under it.</summary>
    private static string Standing(Candidate c) => c.Eligible ? "within budget" : c.Row.Verdict switch
    {
        Verdict.Unsafe => "unsafe",
        Verdict.Refused => "refused",
        _ when c.Row.IncompleteRuns > 0 => "runs incomplete",
        _ => "over budget",
    };

    /// <summary>The budget as given: a sub-microsecond budget in ns rather than "0.0µs".</summary>
    private static string Budget(double ns) => ns < 1000 ? $"{ns:0.#}ns" : ComparisonText.Us(ns);

    private static string Ratio(double x) => x >= 10 ? $"{x:N0}x" : $"{x:0.#}x";

    private static string P99(HvoLab.Experiments.Running.Distribution d) => d.Count == 0 ? "–" : ComparisonText.Us(d.P99);

    private static void Print(TextWriter o, string scenario, Recommendation rec)
    {
        int width = Consoles.Width();
        var console = Consoles.Plain(o, width);
        // Short cells keep each candidate on one line at 100 columns; the long reasons (a violation, a refusal) and
        // what a "not refuted" rests on follow as wrapped notes.
        var table = new Table().AddColumns("candidate", "verdict", "updater p99", "stall p99", "irq-off p99", "saved", "standing");
        foreach (var c in table.Columns.Skip(2).Take(4)) c.RightAligned();
        foreach (var c in rec.Candidates)
            table.AddRow(new[]
            {
                c.Row.Strategy, VerdictWords.Word(c.Row.Verdict), P99(c.Row.UpdaterLatencyNs), P99(c.Row.RemoteStallNs),
                c.Row.UninterruptibleMaxNs.Count == 0 ? "–" : ComparisonText.Us(c.Row.UninterruptibleMaxNs.P99),
                Experiments.Scenarios.Units.FormatSize((ulong)c.Row.MemorySavedBytes), Standing(c),
            }.Select(Markup.Escape).ToArray());
        o.WriteLine($"scenario {scenario}, remote stall budget {Budget(rec.BudgetNs)}");
        o.WriteLine("(stall p99 over every non-updater CPU and seed; irq-off = uninterruptible max)");
        console.Write(table);
        var notes = new System.Text.StringBuilder();
        void L(string line) => ComparisonText.Wrap(notes, line, width);
        if (rec.Candidates.FirstOrDefault(c => c.Row.Verdict == Verdict.NotRefuted) is { } nr)
            L($"not refuted: no violation in a PCT search of {nr.Row.SearchExecutions} executions on {VerdictCheck.Cpus} CPUs; "
                + "not a proof (hvolab check --mode exhaustive can prove)");
        foreach (var c in rec.Candidates.Where(c => c.Row.Verdict is Verdict.Unsafe or Verdict.Refused || (!c.Eligible && c.Row.IncompleteRuns > 0)))
            L($"{c.Row.Strategy}: {c.Reason}");
        if (rec.Baseline is { } off)
            L($"baseline off (no HVO): updater p50 {ComparisonText.Us(off.UpdaterLatencyNs.P50)}, remote stall p99 {ComparisonText.Us(off.RemoteStallNs.P99)}, saves nothing");
        if (rec.Choice is { } c0)
            L($"recommendation: {c0.Strategy} — remote stall p99 {ComparisonText.Us(c0.RemoteStallNs.P99)} within {Budget(rec.BudgetNs)}, "
                + $"lowest updater latency p50 {ComparisonText.Us(c0.UpdaterLatencyNs.P50)} (p99 {ComparisonText.Us(c0.UpdaterLatencyNs.P99)}) among the eligible; saves {Experiments.Scenarios.Units.FormatSize((ulong)c0.MemorySavedBytes)}");
        else
        {
            L($"recommendation: nothing meets the budget of {Budget(rec.BudgetNs)}");
            if (rec.NearestMisses.Count == 0) L("- no candidate is free of violations with complete timed runs; the notes above say why");
            else L("nearest misses (not refuted, complete timed runs, only the stall budget missed):");
            foreach (var m in rec.NearestMisses)
                L($"- {m.Row.Strategy}: remote stall p99 {ComparisonText.Us(m.Row.RemoteStallNs.P99)} "
                    + $"({Ratio(m.Row.RemoteStallNs.P99 / rec.BudgetNs)} the budget), updater p50 {ComparisonText.Us(m.Row.UpdaterLatencyNs.P50)}, "
                    + $"saves {Experiments.Scenarios.Units.FormatSize((ulong)m.Row.MemorySavedBytes)}");
        }
        if (rec.Provenance is { } p) L($"{p.Version}, scenario {p.ScenarioHash}, seeds {p.SeedText}");
        o.Write(notes.ToString());
    }
}
