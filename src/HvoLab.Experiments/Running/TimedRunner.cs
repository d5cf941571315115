using System.Diagnostics;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using HvoLab.Experiments.Scenarios;
using HvoLab.Kernel.Mm;
using HvoLab.Kernel.Primitives;
using HvoLab.Kernel.Workloads;

namespace HvoLab.Experiments.Running;

/// <summary>Runs a scenario's timed executions: one per seed per strategy, each on a fresh system.</summary>
public static class TimedRunner
{
    public static RunMetrics RunOne(Scenario scenario, string strategy, ulong seed, bool recordEvents = false) =>
        RunOne(scenario, strategy, seed, recordEvents, out _);

    public static RunMetrics RunOne(Scenario scenario, string strategy, ulong seed, bool recordEvents, out ScenarioSystem system,
        object? strategyOptions = null, long maxEvents = long.MaxValue)
    {
        var sw = Stopwatch.StartNew();
        system = new ScenarioSystem(scenario, strategy, new TimedScheduler(), seed, recordEvents, strategyOptions: strategyOptions);
        system.System.Sim.Trace.MaxEvents = maxEvents;
        var result = system.System.Sim.Run();
        return RunMetrics.From(system, result, sw.Elapsed.TotalMilliseconds);
    }

    /// <summary>Seeds scenario.Seed … scenario.Seed + seeds − 1, for one strategy.</summary>
    public static IReadOnlyList<RunMetrics> RunSeeds(Scenario scenario, string strategy, int seeds)
    {
        var list = new List<RunMetrics>(seeds);
        for (int i = 0; i < seeds; i++) list.Add(RunOne(scenario, strategy, scenario.Seed + (ulong)i));
        return list;
    }
}
