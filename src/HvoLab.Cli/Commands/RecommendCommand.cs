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
        var cmd = new Command("recommend", "Pick the cheapest safe strategy whose remote stall p99 fits the budget.") { budget, scenario, strategyFile, parallel };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            double ns = CliValues.Duration("--stall-budget", r.GetRequiredValue(budget)!);
            if (!(ns > 0)) throw new ArgumentException($"--stall-budget: \"{r.GetValue(budget)}\" is not allowed; use a positive duration such as 50us");
            var s = CliScenario.Resolve(r.GetValue(scenario), new CliScenario.Overrides { ExtraStrategies = StrategyFiles.LoadOption(cli, r.GetValue(strategyFile)) });
            int threads = r.GetValue(parallel) is { } n ? CliValues.Positive("--parallel", n) : Environment.ProcessorCount;
            var rec = Consoles.WithProgress(cli.Err, "recommend", progress => Recommender.Recommend(s, ns, new CompareOptions { Parallel = threads, Progress = progress }));
            Print(cli.Out, s.Name, rec);
            return CliContext.Ok;
        }));
        return cmd;
    }

    private static string P99(HvoLab.Experiments.Running.Distribution d) => d.Count == 0 ? "–" : ComparisonText.Us(d.P99);

    private static void Print(TextWriter o, string scenario, Recommendation rec)
    {
        var console = Consoles.Plain(o);
        var table = new Table().AddColumns("candidate", "verdict", "updater p99", "stall p99", "irq-off p99", "saved", "standing");
        foreach (var c in rec.Candidates)
            table.AddRow(new[]
            {
                c.Row.Strategy, c.Row.VerdictText, P99(c.Row.UpdaterLatencyNs), P99(c.Row.RemoteStallNs),
                c.Row.UninterruptibleMaxNs.Count == 0 ? "–" : ComparisonText.Us(c.Row.UninterruptibleMaxNs.P99),
                Experiments.Scenarios.Units.FormatSize((ulong)c.Row.MemorySavedBytes), c.Eligible ? "within budget" : c.Reason,
            }.Select(Markup.Escape).ToArray());
        o.WriteLine($"scenario {scenario}, remote stall budget {ComparisonText.Us(rec.BudgetNs)}");
        o.WriteLine("(stall p99 over every non-updater CPU and seed; irq-off = uninterruptible max)");
        console.Write(table);
        if (rec.Baseline is { } off)
            o.WriteLine($"baseline off (no HVO): updater p50 {ComparisonText.Us(off.UpdaterLatencyNs.P50)}, remote stall p99 {ComparisonText.Us(off.RemoteStallNs.P99)}, saves nothing");
        if (rec.Choice is { } c0)
            o.WriteLine($"recommendation: {c0.Strategy} — remote stall p99 {ComparisonText.Us(c0.RemoteStallNs.P99)} within {ComparisonText.Us(rec.BudgetNs)}, "
                + $"lowest updater latency p50 {ComparisonText.Us(c0.UpdaterLatencyNs.P50)} (p99 {ComparisonText.Us(c0.UpdaterLatencyNs.P99)}) among the eligible; saves {Experiments.Scenarios.Units.FormatSize((ulong)c0.MemorySavedBytes)}");
        else
        {
            var best = rec.Candidates.Where(c => c.Row.Verdict.IsSafe() && c.Row.Runs > 0).OrderBy(c => c.Row.RemoteStallNs.P99).FirstOrDefault();
            o.WriteLine($"recommendation: nothing meets the budget of {ComparisonText.Us(rec.BudgetNs)}"
                + (best is null ? "" : $"; the lowest remote stall p99 of a safe strategy is {best.Row.Strategy} at {ComparisonText.Us(best.Row.RemoteStallNs.P99)}"));
        }
    }
}
