using System.CommandLine;

namespace HvoLab.Cli.Commands;

/// <summary>Parameter studies: sweep (and sweep merge), recommend, savings. Sweep and recommend are declared; actions validate their
/// inputs and report "not yet implemented" (exit 3).</summary>
public static class SweepCommands
{
    public static IEnumerable<Command> Build(CliContext cli)
    {
        yield return Sweep(cli);
        yield return Recommend(cli);
        yield return Savings(cli);
    }

    private static Command Sweep(CliContext cli)
    {
        var scenario = Options.Scenario();
        var param = new Option<string[]>("--param")
        {
            Description = "Scenario parameter and its values, e.g. machine.cpus=8,64,256 (repeatable; the sweep is the cross product).",
            HelpName = "NAME=V1,V2,...", Required = true,
        };
        var output = Options.Out(required: true, "FILE.jsonl", "JSON Lines results, one row flushed per run.");
        var resume = new Option<bool>("--resume") { Description = "Skip rows already in --out." };
        var shard = new Option<string?>("--shard") { Description = "Run only shard i of n.", HelpName = "i/n" };
        var parallel = Options.Parallel();
        var cmd = new Command("sweep", "Run compare over a grid of scenario parameters.") { scenario, param, output, resume, shard, parallel };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            _ = CliScenario.Resolve(r.GetValue(scenario));
            foreach (var p in r.GetValue(param) ?? []) CliValues.Assignment("--param", p);
            if (r.GetValue(shard) is { } s) CliValues.Shard("--shard", s);
            if (r.GetValue(parallel) is { } n) CliValues.Positive("--parallel", n);
            return cli.NotYetImplemented("sweep");
        }));

        var files = new Argument<string[]>("FILES") { Description = "Shard outputs to merge.", Arity = ArgumentArity.OneOrMore };
        var mergeOut = Options.Out(required: true, "FILE", "Merged JSON Lines file (written atomically).");
        var merge = new Command("merge", "Merge sweep shards, dropping duplicate rows and torn last lines.") { files, mergeOut };
        merge.SetAction(_ => CliErrors.Guard(cli, () => cli.NotYetImplemented("sweep merge")));
        cmd.Add(merge);
        return cmd;
    }

    private static Command Recommend(CliContext cli)
    {
        var budget = new Option<string>("--stall-budget") { Description = "Longest acceptable stall of any other CPU, e.g. 50us.", HelpName = "DURATION", Required = true };
        var scenario = Options.Scenario();
        var cmd = new Command("recommend", "Pick the cheapest safe strategy whose worst stall fits the budget.") { budget, scenario };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            CliValues.Duration("--stall-budget", r.GetRequiredValue(budget));
            _ = CliScenario.Resolve(r.GetValue(scenario));
            return cli.NotYetImplemented("recommend");
        }));
        return cmd;
    }

    /// <summary>Implemented in <see cref="SavingsCommand"/> (same options as declared here before).</summary>
    private static Command Savings(CliContext cli) => SavingsCommand.Build(cli);
}
