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
    public const long DefaultMaxEvents = 2_000_000;

    public static Command Trace(CliContext cli)
    {
        var strategy = Options.Strategy(required: false);
        var strategyFile = Options.StrategyFile();
        var scenario = Options.Scenario();
        var output = Options.Out(required: true, "FILE.json", "Perfetto/Chrome trace JSON to write.");
        var seed = new Option<ulong?>("--seed") { Description = "Seed of the timed run (default: the scenario's).", HelpName = "S" };
        var accesses = new Option<bool>("--accesses") { Description = "Include an instant per memory access (off by default: they are most of the events)." };
        var cpuList = new Option<string?>("--cpus") { Description = "Only these CPUs' tracks, e.g. 0,2 or 0-3.", HelpName = "LIST" };
        var from = new Option<string?>("--from") { Description = "Start of the time window, with a unit (e.g. 2ms).", HelpName = "TIME" };
        var to = new Option<string?>("--to") { Description = "End of the time window, with a unit (e.g. 3ms).", HelpName = "TIME" };
        var maxEvents = new Option<long?>("--max-events")
        {
            Description = $"Stop the run after this many recorded events (default {DefaultMaxEvents:N0}; memory grows with the events kept).", HelpName = "N",
        };
        var cmd = new Command("trace", "Run one timed execution of a strategy and write a Perfetto trace.") { strategy, strategyFile, scenario, output, seed, accesses, cpuList, from, to, maxEvents };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            var file = r.GetValue(strategyFile);
            var name = StrategyFiles.Choose(r.GetValue(strategy), StrategyFiles.LoadOption(cli, file), file);
            var s = CliScenario.Resolve(r.GetValue(scenario), new CliScenario.Overrides { Strategies = [name] });
            if (ScenarioSystem.RefusalOf(s, name, null) is { } refusal) return cli.Refuse(name, refusal);
            long cap = r.GetValue(maxEvents) is { } n ? (n >= 1 ? n : throw new ArgumentException($"--max-events: {n} is not allowed; use an integer >= 1")) : DefaultMaxEvents;
            var path = r.GetRequiredValue(output)!;
            var options = new PerfettoOptions
            {
                Accesses = r.GetValue(accesses), Causal = false, Title = $"hvolab trace {name}",
                Cpus = r.GetValue(cpuList) is { } list ? CliValues.CpuList("--cpus", list, s.Machine.Cpus) : null,
                FromNs = r.GetValue(from) is { } f ? CliValues.Duration("--from", f) : double.NegativeInfinity,
                ToNs = r.GetValue(to) is { } t ? CliValues.Duration("--to", t) : double.PositiveInfinity,
            };
            // One run has no known end before it ends: the bar names the phase and the elapsed time runs beside it.
            var (m, system) = Consoles.WithProgressDetail(cli.Err, $"trace {name}", report =>
            {
                report(0, $"trace {name}: simulating (at most {cap:N0} events)");
                var run = TimedRunner.RunOne(s, name, r.GetValue(seed) ?? s.Seed, true, out var sys, maxEvents: cap);
                report(0.5, $"trace {name}: writing {sys.System.Sim.Trace.Events.Count:N0} events");
                var sym = new HvoLab.Experiments.Checking.Symbolizer(sys.System.Linux);
                // Streamed to the file: the JSON is never held in memory as a whole.
                AtomicFile.Write("--out", path, stream => PerfettoExport.Write(stream, sys.System.Sim.Trace.Events, s.Machine.Cpus, sym, options));
                return (run, sys);
            });
            if (m.Outcome == HvoLab.Engine.RunOutcome.EventCapReached)
                throw new ArgumentException($"--max-events: the run reached {cap:N0} events at {ComparisonText.Us(m.EndTimeNs)} simulated and was stopped; " +
                    $"{path} holds the events up to there; give a larger --max-events or a shorter scenario");
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
        var cpu = new Option<string?>("--cpu") { Description = "Say which strategies the kernel's gates allow on this CPU profile (hvolab cpus) and why not.", HelpName = "NAME" };
        var cmd = new Command("strategies", "List the strategies, what each needs from the machine, and where it comes from.") { format, cpu };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            if (r.GetValue(cpu) is { } cpuName)
            {
                var gates = CpuCommands.Gates(cpuName);
                if (r.GetValue(format) == "json")
                    cli.Out.WriteLine(JsonSerializer.Serialize(gates.Select(g => new { name = g.Strategy, runs = g.Refusal is null, refused = g.Refusal }),
                        new JsonSerializerOptions { WriteIndented = true }));
                else
                    foreach (var (name, why) in gates) cli.Out.WriteLine($"{name,-7} {(why is null ? "runs" : "refused: " + why)}");
                return CliContext.Ok;
            }
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
