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
    public const int Safe = 0, Unsafe = 1;

    public static IEnumerable<Command> Build(CliContext cli)
    {
        yield return Check(cli);
        yield return Replay(cli);
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
        var traces = new Option<string?>("--traces") { Description = "Directory for replayable traces of violations (default: ./hvolab-traces).", HelpName = "DIR" };
        var all = new Option<bool>("--all") { Description = "Keep searching after the first violation to list every distinct kind." };
        var reduction = new Option<string?>("--reduction") { Description = "Partial-order reduction of the exhaustive search: dpor (DPOR with sleep sets, the default), sleep (sleep sets only) or none.", HelpName = "dpor|sleep|none" };
        reduction.AcceptOnlyFromAmong("dpor", "sleep", "none");
        var parallel = new Option<int?>("--parallel") { Description = "Worker threads of the exhaustive search (default: every core). Same verdict and, for a complete search, the same execution count as --parallel 1.", HelpName = "N" };
        var shard = new Option<string?>("--shard") { Description = "Search only part i of n of the exhaustive search tree and write a partial result (--out); combine the parts with 'hvolab check merge'.", HelpName = "i/n" };
        var splitDepth = new Option<int?>("--split-depth") { Description = $"Branching nodes at the top of the search tree that are fully branched so the subtrees below can be searched apart (default {CheckOptions.DefaultSplitDepth}; 0: no split). The execution count depends on it, not on --parallel or --shard.", HelpName = "K" };
        var partialOut = new Option<string?>("--out") { Description = "With --shard: the partial result file to write.", HelpName = "FILE" };
        var cmd = new Command("check", "Model-check one strategy: explore interleavings; report safe, or each violation with a replayable trace. Exit 0 safe, 1 unsafe, 2 bad input.")
        {
            strategy, scenario, mode, cpus, iterations, seed, format, revert, traces, all, reduction, parallel, shard, splitDepth, partialOut,
        };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            var name = CliValues.Strategy("--strategy", r.GetRequiredValue(strategy)!);
            var fixes = r.GetValue(revert);
            var s = CliScenario.Resolve(r.GetValue(scenario), new CliScenario.Overrides
            {
                Cpus = r.GetValue(cpus), Iterations = r.GetValue(iterations), Seed = r.GetValue(seed),
                Strategies = [name], RevertFix = fixes is { Length: > 0 } ? fixes : null,
            }, ScenarioLoader.CheckDefaultJson());
            string m = r.GetValue(mode) ?? (s.Scheduler.Mode == SchedulerModes.Timed ? SchedulerModes.Exhaustive : s.Scheduler.Mode);
            var sh = r.GetValue(shard) is { } t ? CliValues.Shard("--shard", t) : (0, 1);
            string? shardOut = r.GetValue(partialOut);
            if (r.GetValue(shard) is not null && shardOut is null) throw new ArgumentException("--shard: needs --out FILE for the partial result");
            if (shardOut is not null && r.GetValue(shard) is null) throw new ArgumentException("--out: only with --shard i/n");
            if (r.GetValue(shard) is not null && m != SchedulerModes.Exhaustive) throw new ArgumentException($"--shard: only for --mode exhaustive (mode is {m})");
            int split = r.GetValue(splitDepth) ?? CheckOptions.DefaultSplitDepth;
            if (split < 0) throw new ArgumentException($"--split-depth: {split} is not allowed; use an integer >= 0");
            var result = CheckRunner.Check(s, name, new CheckOptions
            {
                Mode = m, Iterations = s.Scheduler.Iterations, Seed = s.Seed, PctDepth = s.Scheduler.PctDepth,
                PreemptionBound = s.Scheduler.PreemptionBound, MaxExecutions = s.Scheduler.MaxExecutions,
                WallSeconds = s.Scheduler.WallSeconds, TraceDirectory = r.GetValue(traces) ?? "hvolab-traces",
                AllViolations = r.GetValue(all), Reduction = r.GetValue(reduction) ?? "dpor",
                Workers = r.GetValue(parallel) is { } p ? CliValues.Positive("--parallel", p) : Environment.ProcessorCount,
                Shard = sh, SplitDepth = split, ShardOut = shardOut,
            });
            if (shardOut is not null)
                cli.Out.WriteLine($"shard {sh.Item1}/{sh.Item2}: partial result written to {shardOut}; combine every shard with: hvolab check merge FILES...");
            if (result.Verdict == "refused") return cli.Fail($"--strategy {name}: refused on this machine: {result.Refusal}");
            if (r.GetValue(format) == "json") cli.Out.WriteLine(ToJson(result));
            else WriteText(cli.Out, result);
            return result.Verdict == "safe" ? Safe : Unsafe;
        }));
        cmd.Subcommands.Add(Merge(cli));
        return cmd;
    }

    /// <summary>hvolab check merge: the verdict of a distributed search from its shards' partial results.</summary>
    private static Command Merge(CliContext cli)
    {
        var files = new Argument<string[]>("FILES") { Description = "Partial results of every shard (check --shard i/n --out FILE).", Arity = ArgumentArity.OneOrMore };
        var traces = new Option<string?>("--traces") { Description = "Directory for replayable traces of violations (default: ./hvolab-traces).", HelpName = "DIR" };
        var format = Options.Format("text", "json");
        var merge = new Command("merge", "Combine the partial results of 'check --shard i/n' into the verdict one run gives. Exit 0 safe, 1 unsafe, 2 bad input.") { files, traces, format };
        merge.SetAction(r => CliErrors.Guard(cli, () =>
        {
            var result = CheckShard.Merge(r.GetValue(files)!, r.GetValue(traces) ?? "hvolab-traces");
            if (r.GetValue(format) == "json") cli.Out.WriteLine(ToJson(result));
            else WriteText(cli.Out, result);
            return result.Verdict == "safe" ? Safe : Unsafe;
        }));
        return merge;
    }

    private static void WriteText(TextWriter o, CheckResult r)
    {
        string what = $"{r.Mode} search, {r.Executions:N0} executions, {r.Transitions:N0} transitions in {r.Seconds:F1} s ({r.ExecutionsPerSecond:N0} executions/s)";
        if (r.Verdict == "safe")
        {
            o.WriteLine($"{r.Strategy}: SAFE — {what}; " + (r.Complete ? "the search is complete" : $"the search is NOT complete ({r.StopReason})"));
            return;
        }
        o.WriteLine($"{r.Strategy}: UNSAFE — {r.Violations.Count} distinct violation(s) found by a {what}");
        foreach (var v in r.Violations)
        {
            o.WriteLine();
            o.WriteLine($"  [{v.Kind}] CPUs {string.Join(",", v.Cpus)} at {v.TimeNs} ns, VA 0x{v.Va:x}");
            o.WriteLine($"    {v.Explanation}");
            if (v.TracePath is null) continue;
            o.WriteLine($"    trace: {v.TracePath}  ({v.TraceLength} choices; replay: hvolab replay {v.TracePath})");
            o.WriteLine("    what led to it (page-table writes, TLB maintenance, interrupts, faults, and the CPU's own accesses):");
            foreach (var line in Explainer.KeyEvents(ScheduleTrace.Load(v.TracePath))) o.WriteLine("      " + line);
        }
    }

    private static string ToJson(CheckResult r)
    {
        var root = new JsonObject
        {
            ["strategy"] = r.Strategy, ["verdict"] = r.Verdict, ["mode"] = r.Mode, ["complete"] = r.Complete,
            ["executions"] = r.Executions, ["transitions"] = r.Transitions, ["seconds"] = Math.Round(r.Seconds, 3),
            ["stop_reason"] = r.StopReason,
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
        var cmd = new Command("replay", "Re-run a recorded execution step by step and print its events.") { trace, perfetto };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            var tracePath = r.GetRequiredValue(trace);
            var t = ScheduleTrace.Load(tracePath);
            (HvoLab.Engine.RunResult run, HvoLab.Engine.Simulator sim) replayed;
            // A trace that does not fit the model (edited, or recorded by another version) is a bad input, not a crash
            // (fuzz regression replay-diverging-trace.json).
            try { replayed = CheckRunner.Replay(t); }
            catch (HvoLab.Engine.Schedulers.ReplayDivergenceException e) { throw new InvalidDataException($"trace '{tracePath}' cannot be replayed: {e.Message}", e); }
            var (run, sim) = replayed;
            cli.Out.Write(sim.Trace.ToText());
            cli.Out.WriteLine($"-- {run.Outcome}: {run.Steps} operations, {run.Choices.Count} choices");
            foreach (var v in run.Violations) cli.Out.WriteLine($"-- violation [{v.Kind}] {v.Explanation}");
            if (r.GetValue(perfetto) is { } path) HvoLab.Experiments.IO.AtomicFile.WriteAllText(path, sim.Trace.ToPerfettoJson(sim.Cpus.Length));
            return run.Violations.Count > 0 ? Unsafe : Safe;
        }));
        return cmd;
    }
}
