using System.CommandLine;
using HvoLab.Experiments.Sweeps;

namespace HvoLab.Cli.Commands;

/// <summary>Parameter studies: sweep (and sweep merge), recommend, savings.</summary>
public static class SweepCommands
{
    public static IEnumerable<Command> Build(CliContext cli)
    {
        yield return Sweep(cli);
        yield return RecommendCommand.Build(cli);
        yield return SavingsCommand.Build(cli);
    }

    private static Command Sweep(CliContext cli)
    {
        var scenario = Options.Scenario();
        var param = new Option<string[]>("--param")
        {
            Description = "Parameter and its values (repeatable; the sweep is the cross product): cpus, granule, hugepage, batch "
                + "(true/false or pages per operation), irq_off (background IRQ-off section length), pseudo_nmi, bbm_level, tlbi_range, "
                + "strategy (names or variants NAME:VARIANT: " + HvoLab.Experiments.Comparison.StrategyVariant.AllowedText + ").",
            HelpName = "NAME=V1,V2,...", Required = true,
        };
        var output = Options.Out(required: true, "FILE.jsonl", "JSON Lines results, one row flushed per run.");
        var resume = new Option<bool>("--resume") { Description = "Skip rows already in --out." };
        var shard = new Option<string?>("--shard") { Description = "Run only shard i of n (every n-th point).", HelpName = "i/n" };
        var parallel = Options.Parallel();
        var plots = new Option<string?>("--plots") { Description = "Directory for the plots (default: beside --out).", HelpName = "DIR" };
        var strategyFile = Options.StrategyFile();
        var cmd = new Command("sweep", "Run every strategy over a grid of scenario parameters.") { scenario, strategyFile, param, output, resume, shard, parallel, plots };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            var s = CliScenario.Resolve(r.GetValue(scenario), new CliScenario.Overrides { ExtraStrategies = StrategyFiles.LoadOption(cli, r.GetValue(strategyFile)) });
            var ps = (r.GetValue(param) ?? []).Select(p => CliValues.Assignment("--param", p)).Select(a => new SweepParam(a.Name, a.Values)).ToArray();
            var sh = r.GetValue(shard) is { } t ? CliValues.Shard("--shard", t) : (0, 1);
            int threads = r.GetValue(parallel) is { } n ? CliValues.Positive("--parallel", n) : Environment.ProcessorCount;
            var grid = new SweepGrid(s, ps);
            var outPath = r.GetRequiredValue(output)!;
            cli.Stop.Observe();
            var summary = Consoles.WithProgress(cli.Err, "sweep", progress => SweepRunner.Run(grid, outPath,
                new SweepOptions { Resume = r.GetValue(resume), Shard = sh, Parallel = threads, Progress = progress, Cancel = cli.Cancel }));
            cli.Out.WriteLine($"{outPath}: {summary.Points} points, {summary.Rows} rows ({summary.Skipped} already present, {summary.Written} written)");
            var dir = r.GetValue(plots) ?? Path.GetDirectoryName(Path.GetFullPath(outPath)) ?? ".";
            foreach (var f in SweepPlots.Write(outPath, dir)) cli.Out.WriteLine($"plot: {f}");
            return CliContext.Ok;
        }));

        var files = new Argument<string[]>("FILES") { Description = "Shard outputs to merge.", Arity = ArgumentArity.OneOrMore };
        var mergeOut = Options.Out(required: true, "FILE", "Merged JSON Lines file (written atomically).");
        var merge = new Command("merge", "Merge sweep shards, dropping duplicate rows and torn last lines.") { files, mergeOut };
        merge.SetAction(r => CliErrors.Guard(cli, () =>
        {
            var outPath = r.GetRequiredValue(mergeOut)!;
            int rows = SweepMerge.Merge(r.GetRequiredValue(files)!, outPath);
            cli.Out.WriteLine($"{outPath}: {rows} rows");
            return CliContext.Ok;
        }));
        cmd.Add(merge);
        return cmd;
    }
}
