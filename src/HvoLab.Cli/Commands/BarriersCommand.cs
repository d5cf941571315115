using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using HvoLab.Engine.Schedulers;
using HvoLab.Experiments.Checking;
using HvoLab.Experiments.Scenarios;

namespace HvoLab.Cli.Commands;

/// <summary>hvolab barriers: which barrier on a strategy's path earns its place (docs/strategies.md, "Barriers").</summary>
public static class BarriersCommand
{
    public static Command Build(CliContext cli)
    {
        var strategy = Options.Strategy(required: false);
        var strategyFile = Options.StrategyFile();
        var scenario = Options.Scenario();
        var format = Options.Format("text", "json");
        var traces = new Option<string?>("--traces") { Description = "Directory for replayable traces (one sub-directory per barrier; default: ./hvolab-traces/barriers).", HelpName = "DIR" };
        var memoryModel = Options.MemoryModel();
        var cmd = new Command("barriers", "For every named barrier on the strategy's path, check again without it: needed (violation, with a replayable trace) or redundant (safe; complete search or not). Exit 0, 2 bad input, 4 refused on this machine.")
        {
            strategy, strategyFile, scenario, format, traces, memoryModel,
        };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            var file = r.GetValue(strategyFile);
            var name = StrategyFiles.Choose(r.GetValue(strategy), StrategyFiles.LoadOption(cli, file), file);
            var s = CliScenario.Resolve(r.GetValue(scenario), new CliScenario.Overrides { Strategies = [name] }, ScenarioLoader.CheckDefaultJson());
            var model = MemoryModelChoice.ForSearch(s, r.GetValue(memoryModel));   // as check: the option, the file, then arm
            var mode = s.Scheduler.Mode == SchedulerMode.Timed ? SchedulerMode.Exhaustive : s.Scheduler.Mode;
            var result = BarrierAudit.Run(s, name, new CheckOptions
            {
                Mode = mode, Iterations = s.Scheduler.Iterations, Seed = s.Seed, PctDepth = s.Scheduler.PctDepth,
                PreemptionBound = s.Scheduler.PreemptionBound, MaxExecutions = s.Scheduler.MaxExecutions,
                WallSeconds = s.Scheduler.WallSeconds, MemoryModel = model, TraceDirectory = r.GetValue(traces) ?? Path.Combine("hvolab-traces", "barriers"),
            });
            if (result.Baseline.Verdict == Verdict.Refused) return cli.Refuse(name, result.Baseline.Refusal!);
            if (r.GetValue(format) == "json") cli.Out.WriteLine(ToJson(result));
            else WriteText(cli.Out, result);
            return 0;
        }));
        return cmd;
    }

    private static void WriteText(TextWriter o, BarrierAuditResult a)
    {
        var b = a.Baseline;
        o.WriteLine($"{a.Strategy}: {a.Findings.Count} named barrier(s) on the path (memory model: {a.MemoryModel}); with all of them: "
            + $"{b.Verdict.Word()}{(b.Complete ? ", complete" : "")} ({b.Executions:N0} executions)");
        var width = a.Findings.Select(f => f.Site.Length).DefaultIfEmpty(10).Max();
        foreach (var f in a.Findings)
        {
            var c = f.Check;
            var detail = f.Verdict == "needed"
                ? $"{c.Violations[0].Kind}; trace {c.Violations[0].TracePath ?? "(not written)"}"
                : $"{c.Executions:N0} executions{(c.Complete ? ", complete" : $", not complete ({c.StopReason})")}";
            o.WriteLine($"  {f.Site.PadRight(width)}  {f.Verdict,-16}  {detail}");
        }
        if (a.MemoryModel.Model == HvoLab.Engine.DataMemoryModel.Sc)
            o.WriteLine("  (data accesses are sequentially consistent here: a barrier that only orders data accesses cannot be shown needed; try --memory-model arm)");
    }

    private static string ToJson(BarrierAuditResult a) => new JsonObject
    {
        ["strategy"] = a.Strategy,
        ["memory_model"] = a.MemoryModel.ModelWord,
        ["memory_model_source"] = a.MemoryModel.SourceWord,
        ["baseline"] = new JsonObject { ["verdict"] = a.Baseline.Verdict.Word(), ["complete"] = a.Baseline.Complete, ["executions"] = a.Baseline.Executions },
        ["barriers"] = new JsonArray(a.Findings.Select(f => (JsonNode)new JsonObject
        {
            ["site"] = f.Site, ["verdict"] = f.Verdict, ["complete"] = f.Check.Complete, ["executions"] = f.Check.Executions,
            ["stop_reason"] = f.Check.StopReason,
            ["violations"] = new JsonArray(f.Check.Violations.Select(v => (JsonNode)new JsonObject
            {
                ["kind"] = v.Kind, ["explanation"] = v.Explanation, ["trace"] = v.TracePath,
            }).ToArray()),
        }).ToArray()),
    }.ToJsonString(HvoLab.Experiments.Reports.ReportJson.Indented);
}
