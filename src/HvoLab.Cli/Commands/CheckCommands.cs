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
    /// <summary>replay: the trace did not reproduce (a recorded choice was not enabled, choices were left over or
    /// missing, or the outcome differs), or its scenario/header was edited after recording. A reproduced trace exits
    /// as its execution does: 1 with the recorded violation, 0 without.</summary>
    public const int Diverged = 5, ScenarioDiffers = 6;

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
        var parallel = new Option<int?>("--parallel") { Description = "Worker threads of the exhaustive search (default: every core). Same verdict and, for a complete search, the same execution count as --parallel 1.", HelpName = "N" };
        var shard = new Option<string?>("--shard") { Description = "Search only part i of n of the exhaustive search tree and write a partial result (--out); combine the parts with 'hvolab check merge'.", HelpName = "i/n" };
        var splitDepth = new Option<int?>("--split-depth") { Description = $"Branching nodes at the top of the search tree that are fully branched so the subtrees below can be searched apart (default {CheckOptions.DefaultSplitDepth}; 0: no split). The execution count depends on it, not on --parallel or --shard.", HelpName = "K" };
        var partialOut = new Option<string?>("--out") { Description = "With --shard: the partial result file to write.", HelpName = "FILE" };
        var cmd = new Command("check", "Model-check one strategy: explore interleavings; report proved, unsafe (with a replayable trace) or not refuted. "
            + "Exit 0 proved, 1 unsafe, 2 bad input, 3 not refuted (budget reached), 4 refused, 130 interrupted.")
        {
            strategy, strategyFile, scenario, mode, cpus, iterations, seed, format, revert, traces, all, reduction, byCpu, parallel, shard, splitDepth, partialOut, memoryModel,
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
            // --memory-model, else the file's machine.memory_model, else check's default (arm); the search runs and
            // reports the scenario with the model written in.
            var model = MemoryModelChoice.ForSearch(s, r.GetValue(memoryModel));
            s = model.ApplyTo(s);
            cli.Stop.Observe();
            var m = r.GetValue(mode) is { } given ? ScenarioWords.Mode.ParseOption("--mode", given)
                : s.Scheduler.Mode == SchedulerMode.Timed ? SchedulerMode.Exhaustive : s.Scheduler.Mode;
            var sh = r.GetValue(shard) is { } t ? CliValues.Shard("--shard", t) : (0, 1);
            string? shardOut = r.GetValue(partialOut);
            if (r.GetValue(shard) is not null && shardOut is null) throw new ArgumentException("--shard: needs --out FILE for the partial result");
            if (shardOut is not null && r.GetValue(shard) is null) throw new ArgumentException("--out: only with --shard i/n");
            if (r.GetValue(shard) is not null && m != SchedulerMode.Exhaustive) throw new ArgumentException($"--shard: only for --mode exhaustive (mode is {ScenarioWords.Mode.Word(m)})");
            int split = r.GetValue(splitDepth) ?? CheckOptions.DefaultSplitDepth;
            if (split < 0) throw new ArgumentException($"--split-depth: {split} is not allowed; use an integer >= 0");
            int workers = r.GetValue(parallel) is { } p ? CliValues.Positive("--parallel", p) : Environment.ProcessorCount;
            long budget = m == SchedulerMode.Exhaustive ? s.Scheduler.MaxExecutions : s.Scheduler.Iterations;
            var result = Consoles.WithProgressDetail(cli.Err, $"check {name}", report =>
            {
                var progress = new CheckProgress($"check {name}", ScenarioWords.Mode.Word(m), budget, s.Scheduler.WallSeconds, report);
                return CheckRunner.Check(s, name, new CheckOptions
                {
                    Mode = m, Iterations = s.Scheduler.Iterations, Seed = s.Seed, PctDepth = s.Scheduler.PctDepth,
                    PreemptionBound = s.Scheduler.PreemptionBound, MaxExecutions = s.Scheduler.MaxExecutions,
                    WallSeconds = s.Scheduler.WallSeconds, TraceDirectory = r.GetValue(traces) ?? "hvolab-traces",
                    AllViolations = r.GetValue(all), Reduction = r.GetValue(reduction) ?? "dpor", Cancel = cli.Cancel,
                    Workers = workers, Shard = sh, SplitDepth = split, ShardOut = shardOut,
                    OnBuild = _ => progress.OnExecution(), MemoryModel = model,
                });
            });
            if (shardOut is not null)
                cli.Out.WriteLine($"shard {sh.Item1}/{sh.Item2}: partial result written to {shardOut}; combine every shard with: hvolab check merge FILES...");
            var run = new RunInfo(s.Machine.Cpus, s.Name, HvoLab.Experiments.Reports.Provenance.Of(s, [s.Seed], cli.Args));
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
        cmd.Subcommands.Add(Merge(cli));
        return cmd;
    }

    /// <summary>hvolab check merge: the verdict of a distributed search from its shards' partial results.</summary>
    private static Command Merge(CliContext cli)
    {
        var files = new Argument<string[]>("FILES") { Description = "Partial results of every shard (check --shard i/n --out FILE).", Arity = ArgumentArity.OneOrMore };
        var traces = new Option<string?>("--traces") { Description = "Directory for replayable traces of violations (default: ./hvolab-traces).", HelpName = "DIR" };
        var strategyFile = Options.StrategyFile();
        var format = Options.Format("text", "json");
        var merge = new Command("merge", "Combine the partial results of 'check --shard i/n' into the verdict one run gives. "
            + "Exit 0 proved, 1 unsafe, 2 bad input, 3 not refuted (a shard stopped at a budget).") { files, traces, strategyFile, format };
        merge.SetAction(r => CliErrors.Guard(cli, () =>
        {
            StrategyFiles.LoadOption(cli, r.GetValue(strategyFile));   // a strategy the shards loaded from a file
            var result = CheckShard.Merge(r.GetValue(files)!, r.GetValue(traces) ?? "hvolab-traces");
            var s = ScenarioLoader.Parse(CheckShard.Load(r.GetValue(files)![0]).Scenario.GetRawText());
            var run = new RunInfo(s.Machine.Cpus, s.Name, HvoLab.Experiments.Reports.Provenance.Of(s, [s.Seed], cli.Args));
            if (r.GetValue(format) == "json") cli.Out.WriteLine(ToJson(result, run));
            else WriteText(cli.Out, result, run, byCpu: false);
            return HvoLab.Experiments.Reports.VerdictText.ExitCode(result);
        }));
        return merge;
    }

    /// <summary>What every output of check records beside the verdict (version, command line, scenario hash, seed).</summary>
    private sealed record RunInfo(int Cpus, string Scenario, HvoLab.Experiments.Reports.Provenance Provenance)
    {
        public ulong Seed => Provenance.Seeds[0];
        public string ScenarioHash => Provenance.ScenarioHash;
        public string Version => Provenance.Version;
    }

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
                o.WriteLine(Context(r, run));
                return;
        }
        o.WriteLine($"{r.Strategy}: {word}: {HvoLab.Experiments.Reports.ComparisonText.Plural(r.Violations.Count, "distinct violation")} found by {Article(r.Mode)} {searched}");
        o.WriteLine(Context(r, run));
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

    private static string Context(CheckResult r, RunInfo run) =>
        $"  scenario {run.Scenario} ({run.ScenarioHash}), {run.Cpus} CPUs, seed {run.Seed}, {run.Version}\n  memory model {r.MemoryModel}";

    private static string Article(string word) => "aeiou".Contains(word[0]) ? "an" : "a";

    private static string ToJson(CheckResult r, RunInfo run)
    {
        var root = new JsonObject
        {
            ["scenario"] = run.Scenario, ["cpus"] = run.Cpus,
            ["strategy"] = r.Strategy, ["verdict"] = HvoLab.Experiments.Reports.VerdictText.Of(r, run.Cpus), ["mode"] = r.Mode,
            ["memory_model"] = r.MemoryModel?.ModelWord, ["memory_model_source"] = r.MemoryModel?.SourceWord, ["complete"] = r.Complete,
            ["executions"] = r.Executions, ["transitions"] = r.Transitions, ["seconds"] = Math.Round(r.Seconds, 3),
            ["stop_reason"] = r.StopReason, ["refusal"] = r.Refusal,
            ["violations"] = new JsonArray(r.Violations.Select(v => (JsonNode)new JsonObject
            {
                ["kind"] = v.Kind, ["cpus"] = new JsonArray(v.Cpus.Select(c => (JsonNode)c).ToArray()),
                ["va"] = $"0x{v.Va:x}", ["time_ns"] = v.TimeNs, ["explanation"] = v.Explanation, ["trace"] = v.TracePath,
            }).ToArray()),
        };
        root["provenance"] = run.Provenance.ToJsonNode();
        return root.ToJsonString(HvoLab.Experiments.Reports.ReportJson.Indented);
    }

    private static Command Replay(CliContext cli)
    {
        var trace = new Argument<string>("TRACE") { Description = "Trace file written by check." };
        var perfetto = new Option<string?>("--perfetto") { Description = "Also write the replayed execution as Perfetto/Chrome trace JSON.", HelpName = "FILE" };
        var strategyFile = Options.StrategyFile();
        var accesses = new Option<bool>("--accesses") { Description = "Include every memory access in the Perfetto export (off: most of the events)." };
        var format = Options.Format("text", "json");
        var cmd = new Command("replay", "Re-run a recorded execution step by step, print its events and verify it: exit 1 (or 0) reproduced, 5 diverged, 6 scenario differs, 2 bad trace.") { trace, perfetto, accesses, format, strategyFile };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            StrategyFiles.LoadOption(cli, r.GetValue(strategyFile));   // a trace of a strategy from a file needs the file
            var tracePath = r.GetRequiredValue(trace);
            var t = ScheduleTrace.Load(tracePath);
            // A trace that does not fit the model (edited, or recorded by another version) is reported as diverged or
            // "scenario differs" with its own exit code, never as success (issue #19, defect 7).
            var outcome = ReplayVerifier.Verify(t);
            if (outcome.System is { } system)
            {
                var sim = system.System.Sim;
                var sym = new Symbolizer(system.System.Linux);
                if (r.GetValue(format) == "json") cli.Out.WriteLine(ReplayJson(t, outcome, sim, sym));
                else
                {
                    if (outcome.Run is { } run0)
                        foreach (var v in run0.Violations) cli.Out.WriteLine($"{t.Strategy}: {v.Kind} on CPU{string.Join(",", v.Cpus)}: {sym.InText(v.Explanation)}");
                    cli.Out.WriteLine($"{"#",5}  {"time (ns)",12}  {"CPU",-4} {"context",-7}  what");
                    cli.Out.Write(Explainer.ReplayText(sim.Trace.Events, sym));
                    if (outcome.Run is { } run) cli.Out.WriteLine($"-- {run.Outcome}: {run.Steps} operations, {run.Choices.Count} choices");
                    cli.Out.WriteLine($"-- {outcome.Message}");
                }
                if (r.GetValue(perfetto) is { } path)
                    HvoLab.Experiments.IO.AtomicFile.WriteAllText("--perfetto", path, HvoLab.Experiments.Reports.PerfettoExport.ToJson(sim.Trace.Events, sim.Cpus.Length, sym,
                        new HvoLab.Experiments.Reports.PerfettoOptions { Accesses = r.GetValue(accesses), Title = $"hvolab replay {t.Strategy}" }));
            }
            else if (r.GetValue(format) == "json") cli.Out.WriteLine(ReplayJson(t, outcome, null, null));
            else cli.Out.WriteLine($"-- {outcome.Message}");
            if (outcome.Verdict != ReplayVerdict.Reproduced) cli.Err.WriteLine($"hvolab: {tracePath}: {outcome.Message}");
            return outcome.Verdict switch
            {
                ReplayVerdict.Reproduced => outcome.Run!.Violations.Count > 0 ? Unsafe : Safe,
                ReplayVerdict.Diverged => Diverged,
                _ => ScenarioDiffers,
            };
        }));
        return cmd;
    }

    private static string ReplayJson(ScheduleTrace t, ReplayOutcome outcome, HvoLab.Engine.Simulator? sim, Symbolizer? sym)
    {
        var run = outcome.Run;
        var root = new JsonObject
        {
            ["version"] = "hvolab " + typeof(CheckCommands).Assembly.GetName().Version, ["strategy"] = t.Strategy, ["seed"] = t.Seed,
            ["replay"] = outcome.Verdict switch { ReplayVerdict.Reproduced => "reproduced", ReplayVerdict.Diverged => "diverged", _ => "scenario differs" },
            ["message"] = outcome.Message, ["diverged_at_step"] = outcome.Step,
            ["outcome"] = run?.Outcome.ToString(), ["operations"] = run?.Steps, ["choices"] = run?.Choices.Count,
            ["violations"] = new JsonArray((run?.Violations ?? []).Select(v => (JsonNode)new JsonObject
            {
                ["kind"] = v.Kind, ["cpus"] = new JsonArray(v.Cpus.Select(c => (JsonNode)c).ToArray()), ["explanation"] = sym!.InText(v.Explanation),
            }).ToArray()),
            ["steps"] = sim is null ? new JsonArray() : new JsonArray(Explainer.AllSteps(sim.Trace.Events, sym!).Select(s => (JsonNode)new JsonObject
            {
                ["n"] = s.Number, ["cpu"] = s.Cpu, ["time_ns"] = s.TimeNs, ["context"] = s.Context, ["what"] = s.What,
            }).ToArray()),
        };
        return root.ToJsonString(HvoLab.Experiments.Reports.ReportJson.Indented);
    }
}
