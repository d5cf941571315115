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
        yield return CompareCommand.Build(cli);
        yield return Check(cli);
        yield return Replay(cli);
        yield return TraceCommands.Trace(cli);
        yield return TraceCommands.Strategies(cli);
    }

    private static Command Check(CliContext cli)
    {
        var strategy = Options.Strategy(required: true);
        var scenario = Options.Scenario();
        var mode = new Option<string?>("--mode") { Description = "Search: exhaustive, pct or random (default: the scenario's, or exhaustive if it is timed).", HelpName = "exhaustive|pct|random" };
        mode.AcceptOnlyFromAmong("exhaustive", "pct", "random");
        var cpus = Options.Cpus();
        var iterations = new Option<int?>("--iterations") { Description = "Executions for pct/random.", HelpName = "N" };
        var seed = new Option<ulong?>("--seed") { Description = "Root seed.", HelpName = "S" };
        var format = Options.Format("text", "json");
        var revert = new Option<string[]>("--revert-fix")
        {
            Description = "Revert a kernel fix to show what it protects (repeatable).", HelpName = "rcu-sync|pmd-split-lock|free-before-flush",
            AllowMultipleArgumentsPerToken = false,
        };
        revert.AcceptOnlyFromAmong([.. RevertibleFixes.All]);
        var cmd = new Command("check", "Model-check one strategy: explore interleavings and report the first violation with a replayable trace.")
        {
            strategy, scenario, mode, cpus, iterations, seed, format, revert,
        };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            var name = CliValues.Strategy("--strategy", r.GetRequiredValue(strategy)!);
            var fixes = r.GetValue(revert);
            _ = CliScenario.Resolve(r.GetValue(scenario), new CliScenario.Overrides
            {
                Cpus = r.GetValue(cpus), Mode = r.GetValue(mode), Iterations = r.GetValue(iterations), Seed = r.GetValue(seed),
                Strategies = [name], RevertFix = fixes is { Length: > 0 } ? fixes : null,
            });
            return cli.NotYetImplemented("check");
        }));
        return cmd;
    }

    private static Command Replay(CliContext cli)
    {
        var trace = new Argument<string>("TRACE") { Description = "Trace file written by check or trace." };
        var cmd = new Command("replay", "Re-run a recorded execution step by step and print it.") { trace };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            var path = r.GetRequiredValue(trace);
            if (!File.Exists(path)) throw new ArgumentException($"TRACE: \"{path}\" does not exist");
            return cli.NotYetImplemented("replay");
        }));
        return cmd;
    }
}
