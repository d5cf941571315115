using System.CommandLine;
using HvoLab.Experiments.Scenarios;

namespace HvoLab.Cli.Commands;

/// <summary>
/// Commands that run strategies on a scenario: compare, check, replay, trace, strategies. Options are declared
/// now so help text is final; the actions validate their inputs (user errors exit 2) and then report "not yet
/// implemented" (exit 3) until the team fills them in.
/// </summary>
public static class RunCommands
{
    public static IEnumerable<Command> Build(CliContext cli)
    {
        yield return Compare(cli);
        yield return Trace(cli);
        yield return Strategies(cli);
    }

    private static Command Compare(CliContext cli)
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
        var cmd = new Command("compare", "Run every strategy of the scenario in timed mode and compare cost, stalls and violations.")
        {
            scenario, cpus, granule, hugepage, pages, seeds, format, outDir, html, parallel,
        };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            _ = CliScenario.Resolve(r.GetValue(scenario), new CliScenario.Overrides
            {
                Cpus = r.GetValue(cpus), Granule = r.GetValue(granule), Hugepage = r.GetValue(hugepage),
                Pages = r.GetValue(pages), Seeds = r.GetValue(seeds),
            });
            if (r.GetValue(parallel) is { } p) CliValues.Positive("--parallel", p);
            return cli.NotYetImplemented("compare");
        }));
        return cmd;
    }

    private static Command Trace(CliContext cli)
    {
        var strategy = Options.Strategy(required: true);
        var scenario = Options.Scenario();
        var output = Options.Out(required: true, "FILE.json", "Perfetto/Chrome trace JSON to write.");
        var cmd = new Command("trace", "Run one timed execution of a strategy and write a Perfetto trace.") { strategy, scenario, output };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            var name = CliValues.Strategy("--strategy", r.GetRequiredValue(strategy)!);
            _ = CliScenario.Resolve(r.GetValue(scenario), new CliScenario.Overrides { Strategies = [name] });
            return cli.NotYetImplemented("trace");
        }));
        return cmd;
    }

    private static Command Strategies(CliContext cli)
    {
        var cmd = new Command("strategies", "List the strategies, what each needs from the machine, and where it comes from.");
        cmd.SetAction(_ => CliErrors.Guard(cli, () => cli.NotYetImplemented("strategies")));
        return cmd;
    }
}
