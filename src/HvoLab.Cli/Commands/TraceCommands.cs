using System.CommandLine;
using System.Text.Json;
using HvoLab.Experiments.IO;
using HvoLab.Experiments.Reports;
using HvoLab.Experiments.Running;
using HvoLab.Strategies;
using Spectre.Console;

namespace HvoLab.Cli.Commands;

/// <summary>`hvolab trace` (one timed run as a Perfetto trace) and `hvolab strategies` (the catalog).</summary>
public static class TraceCommands
{
    public static Command Trace(CliContext cli)
    {
        var strategy = Options.Strategy(required: true);
        var scenario = Options.Scenario();
        var output = Options.Out(required: true, "FILE.json", "Perfetto/Chrome trace JSON to write.");
        var seed = new Option<ulong?>("--seed") { Description = "Seed of the timed run (default: the scenario's).", HelpName = "S" };
        var accesses = new Option<bool>("--accesses") { Description = "Include an instant per memory access (off by default: they are most of the events)." };
        var cpuList = new Option<string?>("--cpus") { Description = "Only these CPUs' tracks, e.g. 0,2 or 0-3.", HelpName = "LIST" };
        var from = new Option<string?>("--from") { Description = "Start of the time window, with a unit (e.g. 2ms).", HelpName = "TIME" };
        var to = new Option<string?>("--to") { Description = "End of the time window, with a unit (e.g. 3ms).", HelpName = "TIME" };
        var cmd = new Command("trace", "Run one timed execution of a strategy and write a Perfetto trace.") { strategy, scenario, output, seed, accesses, cpuList, from, to };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            var name = CliValues.Strategy("--strategy", r.GetRequiredValue(strategy)!);
            var s = CliScenario.Resolve(r.GetValue(scenario), new CliScenario.Overrides { Strategies = [name] });
            if (ScenarioSystem.RefusalOf(s, name, null) is { } refusal) return cli.Refuse(name, refusal);
            var m = TimedRunner.RunOne(s, name, r.GetValue(seed) ?? s.Seed, true, out var system);
            var path = r.GetRequiredValue(output)!;
            var options = new PerfettoOptions
            {
                Accesses = r.GetValue(accesses), Causal = false, Title = $"hvolab trace {name}",
                Cpus = r.GetValue(cpuList) is { } list ? CliValues.CpuList("--cpus", list, s.Machine.Cpus) : null,
                FromNs = r.GetValue(from) is { } f ? CliValues.Duration("--from", f) : double.NegativeInfinity,
                ToNs = r.GetValue(to) is { } t ? CliValues.Duration("--to", t) : double.PositiveInfinity,
            };
            var sym = new HvoLab.Experiments.Checking.Symbolizer(system.System.Linux);
            AtomicFile.WriteAllText(path, PerfettoExport.ToJson(system.System.Sim.Trace.Events, s.Machine.Cpus, sym, options));
            cli.Out.WriteLine($"{path}: {new FileInfo(path).Length / 1e6:F1} MB from {system.System.Sim.Trace.Events.Count} recorded events, {s.Machine.Cpus} CPU tracks; open in ui.perfetto.dev");
            cli.Out.WriteLine($"{name}: {m.Outcome}, simulated {ComparisonText.Us(m.EndTimeNs)}, updater {string.Join(", ", m.OperationLatencyNs.Select(ComparisonText.Us))}, "
                + $"remote stall max {ComparisonText.Us(m.RemoteStallNs.DefaultIfEmpty(0).Max())}, IPIs {m.Ipis}, TLBIs {m.Tlbis}, faults {m.Faults}");
            foreach (var v in m.Violations) cli.Out.WriteLine($"violation {v.Kind}: {v.Explanation}");
            return CliContext.Ok;
        }));
        return cmd;
    }

    public static Command Strategies(CliContext cli)
    {
        var format = Options.Format("table", "json");
        var cmd = new Command("strategies", "List the strategies, what each needs from the machine, and where it comes from.") { format };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            if (r.GetValue(format) == "json")
            {
                var rows = StrategyRegistry.All.Select(s => new
                {
                    name = s.Name, title = s.Title, needs = s.Needs, source = s.Source, variants = s.VariantSyntax, doc = s.Doc,
                    options = s.OptionsType is { } t ? StrategyOptionFields.Of(t).Select(f => f.JsonName).ToArray() : [],
                });
                cli.Out.WriteLine(JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
                return CliContext.Ok;
            }
            var table = new Table().AddColumns("name", "title", "needs", "source");
            foreach (var s in StrategyRegistry.All) table.AddRow(new[] { s.Name, s.Title, s.Needs, s.Source }.Select(Markup.Escape).ToArray());
            Consoles.Plain(cli.Out).Write(table);
            return CliContext.Ok;
        }));
        return cmd;
    }
}
