using System.CommandLine;
using System.Text.Json.Nodes;
using System.Text.Json;
using HvoLab.Engine.Schedulers;
using HvoLab.Experiments.Checking;
using HvoLab.Experiments.Scenarios;
using HvoLab.Kernel.Mm;
using HvoLab.Kernel.Primitives;
using HvoLab.Kernel.Workloads;

namespace HvoLab.Cli.Commands;

/// <summary>hvolab check and hvolab replay: the model checker's verdict and the traces that back it.</summary>
public static class CheckCommands
{
    /// <summary>Exit codes of check: 0 proved safe (complete search), 1 violation, 2 bad input, 3 not refuted (a budget
    /// stopped the search first), 4 refused (the strategy cannot run on this machine), 130 interrupted.</summary>
    public const int Safe = 0, Unsafe = 1, NotRefuted = 3, Refused = 4;

    public static IEnumerable<Command> Build(CliContext cli)
    {
        yield return Check(cli);
        yield return Replay(cli);
    }

    private static Command Check(CliContext cli)
    {
        var strategy = Options.Strategy(required: false);
        var strategyFile = Options.StrategyFile();
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
        var traces = new Option<string?>("--traces") { Description = "Directory for replayable traces of violations (default: ./hvolab-traces).", HelpName = "DIR" };
        var all = new Option<bool>("--all") { Description = "Keep searching after the first violation to list every distinct kind." };
        var reduction = new Option<string?>("--reduction") { Description = "Partial-order reduction of the exhaustive search: dpor (DPOR with sleep sets, the default), sleep (sleep sets only) or none.", HelpName = "dpor|sleep|none" };
        reduction.AcceptOnlyFromAmong("dpor", "sleep", "none");
        var memoryModel = Options.MemoryModel();
        var byCpu = new Option<bool>("--by-cpu") { Description = "Group the counterexample's steps per CPU (numbers stay those of the execution order)." };
        var cmd = new Command("check", "Model-check one strategy: explore interleavings; report proved, unsafe (with a replayable trace) or not refuted. "
            + "Exit 0 proved, 1 unsafe, 2 bad input, 3 not refuted (budget reached), 4 refused, 130 interrupted.")
        {
            strategy, strategyFile, scenario, mode, cpus, iterations, seed, format, revert, traces, all, reduction, byCpu, memoryModel,
        };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            var file = r.GetValue(strategyFile);
            var name = StrategyFiles.Choose(r.GetValue(strategy), StrategyFiles.LoadOption(cli, file), file);
            var fixes = r.GetValue(revert);
            var s = CliScenario.Resolve(r.GetValue(scenario), new CliScenario.Overrides
            {
                Cpus = r.GetValue(cpus), Iterations = r.GetValue(iterations), Seed = r.GetValue(seed),
                Strategies = [name], RevertFix = fixes is { Length: > 0 } ? fixes : null,
            }, ScenarioLoader.CheckDefaultJson());
            s = Options.WithMemoryModel(s, r.GetValue(memoryModel));
            cli.Stop.Observe();
            string m = r.GetValue(mode) ?? (s.Scheduler.Mode == SchedulerModes.Timed ? SchedulerModes.Exhaustive : s.Scheduler.Mode);
            var result = CheckRunner.Check(s, name, new CheckOptions
            {
                Mode = m, Iterations = s.Scheduler.Iterations, Seed = s.Seed, PctDepth = s.Scheduler.PctDepth,
                PreemptionBound = s.Scheduler.PreemptionBound, MaxExecutions = s.Scheduler.MaxExecutions,
                WallSeconds = s.Scheduler.WallSeconds, TraceDirectory = r.GetValue(traces) ?? "hvolab-traces",
                AllViolations = r.GetValue(all), Reduction = r.GetValue(reduction) ?? "dpor", Cancel = cli.Cancel,
            });
            var run = new RunInfo(s.Machine.Cpus, s.Seed, s.Name, ScenarioHash(s), Environment.GetCommandLineArgs());
            if (r.GetValue(format) == "json") cli.Out.WriteLine(ToJson(result, run));
            else
            {
                // Every line fits the terminal: the counterexample wraps its own; the rest wraps here.
                var text = new StringWriter();
                WriteText(text, result, run, r.GetValue(byCpu));
                foreach (var line in text.ToString().Split('\n')[..^1]) foreach (var l in Counterexample.Wrap(line, Consoles.Width(), 4)) cli.Out.WriteLine(l);
            }
            if (result.Verdict == HvoLab.Experiments.Checking.Verdict.Refused) cli.Err.WriteLine($"hvolab: {name} refused on this machine: {result.Refusal}");
            if (cli.Cancel.IsCancellationRequested && result.Verdict != HvoLab.Experiments.Checking.Verdict.Unsafe)
            {
                cli.Err.WriteLine("hvolab: interrupted; the report above is partial");
                return CliContext.Interrupted;
            }
            return HvoLab.Experiments.Reports.VerdictText.ExitCode(result);
        }));
        return cmd;
    }

    /// <summary>What every output of check records beside the verdict (version, command line, scenario hash, seed).</summary>
    private sealed record RunInfo(int Cpus, ulong Seed, string Scenario, string ScenarioHash, string[] CommandLine)
    {
        public static string Version => "hvolab " + typeof(CheckCommands).Assembly.GetName().Version;
    }

    /// <summary>SHA-256 (first 16 hex digits) of the resolved scenario, so a result names exactly what it ran.</summary>
    public static string ScenarioHash(HvoLab.Experiments.Scenarios.Scenario s) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ScenarioLoader.Serialize(s))))[..16].ToLowerInvariant();

    private static void WriteText(TextWriter o, CheckResult r, RunInfo run, bool byCpu)
    {
        string word = HvoLab.Experiments.Reports.VerdictText.Of(r, run.Cpus);
        string searched = $"{r.Mode} search, {HvoLab.Experiments.Reports.ComparisonText.Plural(r.Executions, "execution")}, "
            + $"{HvoLab.Experiments.Reports.ComparisonText.Plural(r.Transitions, "transition")} in {r.Seconds:F1} s";
        switch (r.Verdict)
        {
            case Verdict.Refused:
                o.WriteLine($"{r.Strategy}: refused: {r.Refusal}");
                return;
            case Verdict.Proved or Verdict.NotRefuted:
                o.WriteLine($"{r.Strategy}: {word}");
                o.WriteLine(r.Complete
                    ? $"  complete {searched}: no interleaving of this scenario violates a check"
                    : $"  no violation in {Article(r.Mode)} {searched}; stopped by: {r.StopReason}");
                if (!r.Complete)
                    o.WriteLine(r.Mode == "exhaustive"
                        ? "  this is not a proof: raise scheduler.max_executions / wall_seconds to complete the search"
                        : "  this is not a proof: pct and random sample interleavings; --mode exhaustive can prove");
                o.WriteLine($"  scenario {run.Scenario} ({run.ScenarioHash}), {run.Cpus} CPUs, seed {run.Seed}, {RunInfo.Version}");
                return;
        }
        o.WriteLine($"{r.Strategy}: {word}: {HvoLab.Experiments.Reports.ComparisonText.Plural(r.Violations.Count, "distinct violation")} found by {Article(r.Mode)} {searched}");
        o.WriteLine($"  scenario {run.Scenario} ({run.ScenarioHash}), {run.Cpus} CPUs, seed {run.Seed}, {RunInfo.Version}");
        foreach (var v in r.Violations)
        {
            o.WriteLine();
            if (v.TracePath is null) { o.WriteLine($"  [{v.Kind}] {v.Explanation}"); continue; }
            var cx = Explainer.Explain(ScheduleTrace.Load(v.TracePath));
            int width = Consoles.Width();
            foreach (var line in Counterexample.Wrap(cx.Headline, width, 2)) o.WriteLine(line);
            foreach (var line in Counterexample.Wrap($"  replay: hvolab replay {v.TracePath} ({v.TraceLength} choices; {cx.TotalSteps} steps, "
                         + $"the last {cx.Steps.Count} that matter below)", width, 4)) o.WriteLine(line);
            foreach (var line in cx.Lines(byCpu, width - 2)) o.WriteLine("  " + line);
        }
    }

    private static string Article(string word) => "aeiou".Contains(word[0]) ? "an" : "a";

    private static string ToJson(CheckResult r, RunInfo run)
    {
        var root = new JsonObject
        {
            ["version"] = RunInfo.Version, ["command_line"] = new JsonArray(run.CommandLine.Select(a => (JsonNode)a).ToArray()),
            ["scenario"] = run.Scenario, ["scenario_hash"] = run.ScenarioHash, ["seed"] = run.Seed, ["cpus"] = run.Cpus,
            ["strategy"] = r.Strategy, ["verdict"] = HvoLab.Experiments.Reports.VerdictText.Of(r, run.Cpus), ["mode"] = r.Mode, ["complete"] = r.Complete,
            ["executions"] = r.Executions, ["transitions"] = r.Transitions, ["seconds"] = Math.Round(r.Seconds, 3),
            ["stop_reason"] = r.StopReason, ["refusal"] = r.Refusal,
            ["violations"] = new JsonArray(r.Violations.Select(v => (JsonNode)new JsonObject
            {
                ["kind"] = v.Kind, ["cpus"] = new JsonArray(v.Cpus.Select(c => (JsonNode)c).ToArray()),
                ["va"] = $"0x{v.Va:x}", ["time_ns"] = v.TimeNs, ["explanation"] = v.Explanation, ["trace"] = v.TracePath,
            }).ToArray()),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static Command Replay(CliContext cli)
    {
        var trace = new Argument<string>("TRACE") { Description = "Trace file written by check." };
        var perfetto = new Option<string?>("--perfetto") { Description = "Also write the replayed execution as Perfetto/Chrome trace JSON.", HelpName = "FILE" };
        var strategyFile = Options.StrategyFile();
        var accesses = new Option<bool>("--accesses") { Description = "Include every memory access in the Perfetto export (off: most of the events)." };
        var format = Options.Format("text", "json");
        var cmd = new Command("replay", "Re-run a recorded execution step by step and print its events.") { trace, perfetto, accesses, format, strategyFile };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            StrategyFiles.LoadOption(cli, r.GetValue(strategyFile));   // a trace of a strategy from a file needs the file
            var tracePath = r.GetRequiredValue(trace);
            var t = ScheduleTrace.Load(tracePath);
            (HvoLab.Engine.RunResult run, HvoLab.Experiments.Running.ScenarioSystem system) replayed;
            // A trace that does not fit the model (edited, or recorded by another version) is a bad input, not a crash
            // (fuzz regression replay-diverging-trace.json).
            try { replayed = CheckRunner.ReplaySystem(t); }
            catch (HvoLab.Engine.Schedulers.ReplayDivergenceException e) { throw new InvalidDataException($"trace '{tracePath}' cannot be replayed: {e.Message}", e); }
            var (run, system) = replayed;
            var sim = system.System.Sim;
            var sym = new Symbolizer(system.System.Linux);
            if (r.GetValue(format) == "json") cli.Out.WriteLine(ReplayJson(t, run, sim, sym));
            else
            {
                foreach (var v in run.Violations) cli.Out.WriteLine($"{t.Strategy}: {v.Kind} on CPU{string.Join(",", v.Cpus)}: {sym.InText(v.Explanation)}");
                cli.Out.WriteLine($"{"#",5}  {"time (ns)",12}  {"CPU",-4} {"context",-7}  what");
                cli.Out.Write(Explainer.ReplayText(sim.Trace.Events, sym));
                cli.Out.WriteLine($"-- {run.Outcome}: {run.Steps} operations, {run.Choices.Count} choices");
            }
            if (r.GetValue(perfetto) is { } path)
                HvoLab.Experiments.IO.AtomicFile.WriteAllText(path, HvoLab.Experiments.Reports.PerfettoExport.ToJson(sim.Trace.Events, sim.Cpus.Length, sym,
                    new HvoLab.Experiments.Reports.PerfettoOptions { Accesses = r.GetValue(accesses), Title = $"hvolab replay {t.Strategy}" }));
            return run.Violations.Count > 0 ? Unsafe : Safe;
        }));
        return cmd;
    }

    private static string ReplayJson(ScheduleTrace t, HvoLab.Engine.RunResult run, HvoLab.Engine.Simulator sim, Symbolizer sym)
    {
        var root = new JsonObject
        {
            ["version"] = "hvolab " + typeof(CheckCommands).Assembly.GetName().Version, ["strategy"] = t.Strategy, ["seed"] = t.Seed,
            ["outcome"] = run.Outcome.ToString(), ["operations"] = run.Steps, ["choices"] = run.Choices.Count,
            ["violations"] = new JsonArray(run.Violations.Select(v => (JsonNode)new JsonObject
            {
                ["kind"] = v.Kind, ["cpus"] = new JsonArray(v.Cpus.Select(c => (JsonNode)c).ToArray()), ["explanation"] = sym.InText(v.Explanation),
            }).ToArray()),
            ["steps"] = new JsonArray(Explainer.AllSteps(sim.Trace.Events, sym).Select(s => (JsonNode)new JsonObject
            {
                ["n"] = s.Number, ["cpu"] = s.Cpu, ["time_ns"] = s.TimeNs, ["context"] = s.Context, ["what"] = s.What,
            }).ToArray()),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
