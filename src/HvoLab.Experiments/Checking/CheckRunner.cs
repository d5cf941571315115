using System.Diagnostics;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using HvoLab.Experiments.Running;
using HvoLab.Experiments.Scenarios;
using HvoLab.Kernel.Mm;
using HvoLab.Kernel.Primitives;
using HvoLab.Kernel.Workloads;

namespace HvoLab.Experiments.Checking;

public sealed record CheckOptions
{
    /// <summary>exhaustive | pct | random.</summary>
    public SchedulerMode Mode { get; init; } = SchedulerMode.Exhaustive;
    /// <summary>Executions for pct/random.</summary>
    public int Iterations { get; init; } = 1000;
    public ulong Seed { get; init; } = 1;
    public int PctDepth { get; init; } = 3;
    public int? PreemptionBound { get; init; }
    public long MaxExecutions { get; init; } = 200_000;
    public double WallSeconds { get; init; } = 60;
    /// <summary>Where replayable traces of violations are written (null: none).</summary>
    public string? TraceDirectory { get; init; }
    /// <summary>Partial-order reduction of the exhaustive search: "dpor" (DPOR + sleep sets, the default), "sleep"
    /// (sleep sets only) or "none".</summary>
    public string Reduction { get; init; } = "dpor";
    /// <summary>With a shard: where its partial result (<see cref="CheckShard"/>) is written.</summary>
    public string? ShardOut { get; init; }
    /// <summary>Keep searching after the first violation (to collect distinct kinds).</summary>
    public bool AllViolations { get; init; }
    /// <summary>Worker threads of the exhaustive search (check --parallel).</summary>
    public int Workers { get; init; } = 1;
    /// <summary>This run's part of a distributed exhaustive search (check --shard i/n).</summary>
    public (int Index, int Count) Shard { get; init; } = (0, 1);
    /// <summary>Split nodes at the top of the exhaustive search tree (<see cref="SearchSplit"/>); the execution count of
    /// a complete search depends on it, not on the workers or shards.</summary>
    public int SplitDepth { get; init; } = DefaultSplitDepth;
    public const int DefaultSplitDepth = 8;
    /// <summary>Strategy options replacing the scenario's (strategy variants such as ours' window size).</summary>
    public object? StrategyOptions { get; init; }
    /// <summary>A named barrier site to leave out of every execution (hvolab barriers), or null.</summary>
    public string? OmitBarrierSite { get; init; }
    /// <summary>Called with every simulator the search builds (e.g. to collect the barrier sites it passed).</summary>
    public Action<Simulator>? OnBuild { get; init; }
    /// <summary>Ctrl-C: the search stops between executions and reports what it explored (stop reason "interrupted").</summary>
    public CancellationToken Cancel { get; init; }
    /// <summary>The memory model to search under and where it came from (check and barriers resolve it with their
    /// default, <see cref="MemoryModelChoice.ForSearch"/>); null: the scenario's, sc when it is silent.</summary>
    public MemoryModelChoice? MemoryModel { get; init; }
}

/// <summary>One distinct violation of a search; <see cref="Kind"/> is the printed word of <see cref="Type"/>.</summary>
public sealed record CheckViolation(string Kind, int[] Cpus, ulong Va, long TimeNs, string Explanation, string? TracePath, int TraceLength)
{
    public ViolationKind Type => ViolationKinds.Parse(Kind);
}

/// <summary>The verdict of a search: proved or not refuted (what was explored and whether it was complete), unsafe
/// (each distinct violation with a replayable trace), or refused (the strategy cannot run on this machine).</summary>
public sealed record CheckResult(string Strategy, Verdict Verdict, string Mode, bool Complete, long Executions, long Transitions,
    double Seconds, IReadOnlyList<CheckViolation> Violations, string? Refusal, string StopReason)
{
    public double ExecutionsPerSecond => Seconds > 0 ? Executions / Seconds : Executions;
    /// <summary>How the workers of an exhaustive search shared it: when each ran out of work, how long each ran
    /// executions (seconds), and how many parts of subtrees were handed between them.</summary>
    public (IReadOnlyList<double> Finished, IReadOnlyList<double> Busy, int Parts) Workers { get; init; } = ([], [], 0);
    /// <summary>The memory model searched under and where it came from (null only for results built elsewhere).</summary>
    public MemoryModelChoice? MemoryModel { get; init; }
}

/// <summary>Runs the chosen search over a scenario with one strategy (hvolab check).</summary>
public static class CheckRunner
{
    public static CheckResult Check(Scenario scenario, string strategy, CheckOptions options)
    {
        // The model is written into the scenario the search runs, so every system, trace and shard of it says which.
        var model = options.MemoryModel ?? MemoryModelChoice.Resolve(scenario.Machine.MemoryModel, null, MemoryModelChoice.OtherwiseDefault);
        scenario = model.ApplyTo(scenario);
        options = options with { MemoryModel = model };
        // The strategy's refusal rule, asked before anything runs (with the options this check runs with).
        if (ScenarioSystem.RefusalOf(scenario, strategy, options.StrategyOptions) is { } refusal)
            return new CheckResult(strategy, Verdict.Refused, ScenarioWords.Mode.Word(options.Mode), false, 0, 0, 0, [], refusal, "refused") { MemoryModel = model };
        var sw = Stopwatch.StartNew();
        var failures = new List<(RunResult Run, IReadOnlyList<int> Choices, ulong Seed)>();
        long executions = 0, transitions = 0;
        bool complete = false;
        string stop;
        (IReadOnlyList<double>, IReadOnlyList<double>, int) workers = ([], [], 0);
        if (options.Mode == SchedulerMode.Exhaustive)
        {
            var explorer = new ExhaustiveExplorer(s => Build(scenario, strategy, s, options),
                new ExplorationOptions
                {
                    MaxExecutions = options.MaxExecutions, WallBudget = TimeSpan.FromSeconds(options.WallSeconds),
                    PreemptionBound = options.PreemptionBound, StopAtFirstViolation = !options.AllViolations,
                    Dpor = options.Reduction == "dpor", SleepSets = options.Reduction != "none", Cancel = options.Cancel,
                    Workers = options.Workers, Shard = options.Shard, SplitDepth = options.SplitDepth,
                });
            var r = explorer.Explore();
            executions = r.Executions; transitions = r.Transitions; complete = r.Complete; stop = r.StopReason;
            workers = ([.. r.WorkersFinished.Select(t => t.TotalSeconds)], [.. r.WorkersBusy.Select(t => t.TotalSeconds)], r.SharedParts);
            failures.AddRange(r.Failures.Select(f => (f.Run, f.Choices, options.Seed)));
            if (options.ShardOut is { } partial) CheckShard.From(scenario, strategy, options, r).Save(partial);
        }
        else
        {
            stop = "iterations done";
            for (int i = 0; i < options.Iterations; i++)
            {
                if (options.Cancel.IsCancellationRequested) { stop = "interrupted"; break; }
                if (sw.Elapsed.TotalSeconds > options.WallSeconds) { stop = "wall-clock budget reached"; break; }
                ulong seed = options.Seed + (ulong)i;
                IScheduler sched = options.Mode == SchedulerMode.Pct
                    ? new PctScheduler(seed, options.PctDepth, estimatedSteps: 4000)
                    : new RandomScheduler(seed);
                var run = Build(scenario, strategy, sched, options).Run();
                executions++; transitions += run.Steps;
                if (run.Outcome is RunOutcome.Violation or RunOutcome.Deadlock or RunOutcome.BudgetExceeded or RunOutcome.ModelError)
                {
                    failures.Add((run, run.Choices.ToArray(), options.Seed));
                    if (!options.AllViolations) { stop = "violation found"; break; }
                }
            }
        }
        var violations = Distinct(scenario, strategy, options, failures);
        var verdict = violations.Count > 0 ? Verdict.Unsafe : complete ? Verdict.Proved : Verdict.NotRefuted;
        return new CheckResult(strategy, verdict, ScenarioWords.Mode.Word(options.Mode), complete && violations.Count == 0, executions, transitions,
            sw.Elapsed.TotalSeconds, violations, null, stop) { Workers = workers, MemoryModel = model };
    }

    /// <summary>A fresh system for one execution under a search scheduler.</summary>
    public static Simulator Build(Scenario scenario, string strategy, IScheduler scheduler, ulong seed, bool recordEvents = false,
        object? strategyOptions = null, string? omitBarrierSite = null) =>
        new ScenarioSystem(scenario, strategy, scheduler, seed, recordEvents, strategyOptions: strategyOptions, omitBarrierSite: omitBarrierSite).System.Sim;

    private static Simulator Build(Scenario scenario, string strategy, IScheduler scheduler, CheckOptions options)
    {
        var sim = Build(scenario, strategy, scheduler, options.Seed, strategyOptions: options.StrategyOptions, omitBarrierSite: options.OmitBarrierSite);
        options.OnBuild?.Invoke(sim);
        return sim;
    }

    internal static List<CheckViolation> Distinct(Scenario scenario, string strategy, CheckOptions options,
        List<(RunResult Run, IReadOnlyList<int> Choices, ulong Seed)> failures)
    {
        var seen = new HashSet<string>();
        var list = new List<CheckViolation>();
        foreach (var (run, choices, seed) in failures)
        {
            if (run.Error is { } err && run.Violations.Count == 0)
            {
                if (seen.Add(ViolationKind.ModelError.Word())) list.Add(new CheckViolation(ViolationKind.ModelError.Word(), [], 0, 0, err, null, choices.Count));
                continue;
            }
            foreach (var v in run.Violations)
            {
                if (!seen.Add(v.Kind)) continue;
                string? path = null;
                if (options.TraceDirectory is { } dir)
                {
                    try { Directory.CreateDirectory(dir); }
                    catch (Exception e) when (HvoLab.Engine.Host.HostFile.IsIo(e)) { throw HvoLab.Engine.Host.HostFile.Wrap("--traces", dir, "cannot create the directory", e); }
                    path = Path.Combine(dir, $"{Sanitize(strategy)}-{Sanitize(v.Kind)}.trace.json");
                    ScheduleTrace.Create(scenario, strategy, options.Mode, seed, choices, v.Kind, TraceOptions(options), options.OmitBarrierSite).Save(path);
                }
                list.Add(new CheckViolation(v.Kind, v.Cpus, v.Va, v.TimeNs, v.Explanation, path, choices.Count));
            }
        }
        return list;
    }

    /// <summary>The search options a trace records (the seed is a field of its own).</summary>
    private static Dictionary<string, string> TraceOptions(CheckOptions o) => new(StringComparer.Ordinal)
    {
        ["iterations"] = o.Iterations.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["pct_depth"] = o.PctDepth.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["preemption_bound"] = o.PreemptionBound?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none",
        ["max_executions"] = o.MaxExecutions.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["reduction"] = o.Reduction,
    };

    private static string Sanitize(string s) => string.Concat(s.Select(ch => char.IsLetterOrDigit(ch) || ch == '-' ? ch : '_'));

    /// <summary>Re-runs a trace: the same events, byte for byte, as the execution that recorded it.</summary>
    public static (RunResult Run, Simulator Sim) Replay(ScheduleTrace trace)
    {
        var (run, system) = ReplaySystem(trace);
        return (run, system.System.Sim);
    }

    /// <summary>As <see cref="Replay"/>, keeping the whole booted system (for symbolising addresses).</summary>
    public static (RunResult Run, ScenarioSystem System) ReplaySystem(ScheduleTrace trace)
    {
        var system = new ScenarioSystem(trace.LoadScenario(), trace.Strategy, new ReplayScheduler(trace.Choices), trace.Seed, recordEvents: true, omitBarrierSite: trace.OmitBarrier);
        return (system.System.Sim.Run(), system);
    }
}
