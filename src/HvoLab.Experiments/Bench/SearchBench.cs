using System.Diagnostics;
using HvoLab.Experiments.Checking;
using HvoLab.Experiments.Scenarios;

namespace HvoLab.Experiments.Bench;

/// <summary>
/// The exhaustive-search figures of <c>hvolab bench</c> (issue #18): the searches that must complete within 60 s, the
/// speed-up of the searches that completed before over their DPOR figures at e9e538c (docs/performance.md, "The
/// exhaustive search": D check-default 1.5 s, D + NMI reader 18 s, C check-bbm2 21 s, measured on this machine when it
/// was quiet), and the speed-up of two workers over one on E check-nmi-reader under the Arm data model (a complete
/// search of ≥ 20 s: 361,406 executions), with when each worker ran out of work and how long it ran
/// executions (the load-robust part of that figure). Every search is built from the embedded check-default
/// scenario, so the figures need no files. Long: only with a budget of tens of seconds (not in CI).
/// </summary>
public static class SearchBench
{
    public const double CompleteTargetSeconds = 60, SpeedupTarget = 5, ParallelTarget = 1.7;

    /// <summary>DPOR figures of the complete searches at e9e538c (docs/performance.md).</summary>
    private static readonly (string Name, string Strategy, Func<Scenario> Scenario, double OldSeconds)[] Improved =
    [
        ("D, check-default", "D", () => Build(s => s), 1.5),
        ("D, check-default + NMI reader on CPU2", "D", WithNmiReader, 18),
        ("C, check-bbm2", "C", () => Build(s => s with { Machine = s.Machine with { BbmLevel = 2 } }), 21),
    ];

    public static IEnumerable<BenchFigure> Run(TimeSpan budget, int workers)
    {
        var b = Check("B", Build(s => s), budget, workers);
        yield return Figure("check B, check-default", b, workers);
        var two = Check("D", TwoUpdaters(), budget, workers);
        yield return Figure("check D, two updaters + PFN walker", two, workers);
        foreach (var (name, strategy, scenario, old) in Improved)
        {
            var r = Check(strategy, scenario(), budget, workers);
            double speedup = r.Complete ? old / r.Seconds : 0;
            yield return new($"check {name}: speed-up over e9e538c ({old} s)", speedup, "×", $"≥ {SpeedupTarget}× (complete)",
                r.Complete && speedup >= SpeedupTarget, Detail(r, workers));
        }
        var one = Check("E", ArmNmiReader(), budget, 1);
        var many = Check("E", ArmNmiReader(), budget, 2);
        double parallel = one.Complete && many.Complete ? one.Seconds / many.Seconds : 0;
        yield return new("check E, check-nmi-reader, memory model arm: --parallel 2 over --parallel 1", parallel, "×", $"≥ {ParallelTarget}× (≥ 20 s search)",
            one.Complete && many.Complete && one.Executions == many.Executions && one.Seconds >= 20 && parallel >= ParallelTarget,
            $"--parallel 1: {Detail(one, 1)} ({one.Memory.BytesPerExecution / 1024:F1} KB allocated per execution, GC paused it {one.Memory.GcPauseSeconds:F1} s); "
            + $"--parallel 2: {Detail(many, 2)}; {Sharing(many)}");
    }

    /// <summary>When each worker ran out of work and how long it ran executions (an idle worker shows as a gap; the
    /// busy fraction does not depend on the machine's load the way the wall time does), and what each execution
    /// allocates and the GC pauses that stop every worker at once.</summary>
    private static string Sharing(CheckResult r) =>
        $"workers finished at {string.Join(" / ", r.Workers.Finished.Select(s => s.ToString("F1")))} s, ran executions "
        + $"{string.Join(" / ", r.Workers.Busy.Select(s => s.ToString("F1")))} s ({Busy(r):P0} busy), {r.Workers.Parts} parts shared; "
        + $"{r.Memory.BytesPerExecution / 1024:F1} KB allocated per execution, GC paused the search {r.Memory.GcPauseSeconds:F1} s";

    private static double Busy(CheckResult r) => r.Workers.Finished.Count == 0 ? 0 : r.Workers.Busy.Sum() / r.Workers.Finished.Sum();

    private static BenchFigure Figure(string name, CheckResult r, int workers) =>
        new(name + ": time" + (r.Complete ? "" : " (not complete)"), r.Seconds, "s", $"complete ≤ {CompleteTargetSeconds} s",
            r.Complete && r.Seconds <= CompleteTargetSeconds, Detail(r, workers));

    private static string Detail(CheckResult r, int workers) =>
        $"{r.Strategy}: {r.Verdict}, {r.Executions:N0} executions, {r.Transitions:N0} transitions in {r.Seconds:F1} s with {workers} worker(s), {r.StopReason}";

    private static CheckResult Check(string strategy, Scenario scenario, TimeSpan budget, int workers) =>
        CheckRunner.Check(scenario, strategy, new CheckOptions
        {
            MaxExecutions = long.MaxValue, WallSeconds = budget.TotalSeconds, Workers = workers, AllViolations = false,
        });

    /// <summary>A typed edit of scenarios/check-default.json.</summary>
    private static Scenario Build(Func<ScenarioSpec, ScenarioSpec> edit) => ScenarioResolver.Resolve(edit(ScenarioLoader.ParseSpec(ScenarioLoader.CheckDefaultJson())));

    /// <summary>scenarios/check-default-nmi.json.</summary>
    private static Scenario WithNmiReader() => Build(s => s with
    {
        Workload = [.. s.Workload!, new WorkloadSpec { CpusText = "2", Kind = WorkloadKind.NmiReader, PeriodNs = 200 }],
    });

    /// <summary>scenarios/check-nmi-reader.json with machine.memory_model arm (check --memory-model arm): the ≥ 20 s
    /// complete search of the --parallel figure (361,406 executions). D on check-default under arm was that search
    /// until the value rules held under arm (docs/engine.md item 15) cut it from 288,264 executions to about 2,000.</summary>
    private static Scenario ArmNmiReader() => Build(s => s with
    {
        Machine = s.Machine with { Cpus = 2, MemoryModel = Engine.DataMemoryModel.Arm },
        Workload = [new WorkloadSpec { CpusText = "1", Kind = WorkloadKind.NmiReader, PeriodNs = 200 }],
    });

    /// <summary>scenarios/check-two-updaters.json.</summary>
    private static Scenario TwoUpdaters() => Build(s => s with
    {
        Operations = [.. s.Operations, new OperationSpec { Cpu = 1, Op = OperationKind.Alloc, Count = 1, HugepageBytes = 2UL << 20, Batched = true }],
        Workload = [new WorkloadSpec { CpusText = "2", Kind = WorkloadKind.PfnWalker, PeriodNs = 200 }],
    });
}
