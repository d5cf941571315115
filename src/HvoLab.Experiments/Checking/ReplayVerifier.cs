using HvoLab.Engine;
using HvoLab.Engine.Schedulers;
using HvoLab.Experiments.Running;
using HvoLab.Experiments.Scenarios;
using HvoLab.Strategies;

namespace HvoLab.Experiments.Checking;

/// <summary>How a replay compares with what the trace recorded.</summary>
public enum ReplayVerdict
{
    /// <summary>Every recorded choice was enabled and used, and the run ended in the recorded violation (or none).</summary>
    Reproduced,
    /// <summary>A recorded choice was not enabled, choices were left over or missing, or the outcome differs.</summary>
    Diverged,
    /// <summary>The embedded scenario or the header (strategy, seed, options, violation) was changed after recording.</summary>
    ScenarioDiffers,
}

/// <param name="Step">The choice index where the replay left the recording (Diverged only).</param>
/// <param name="System">The replayed system (null when the trace was refused before running).</param>
public sealed record ReplayOutcome(ReplayVerdict Verdict, string Message, int? Step, RunResult? Run, ScenarioSystem? System);

/// <summary>
/// Replays a trace and says whether it reproduces: the hashes are checked first (an edited scenario or header is
/// "scenario differs", whatever the replay would do), then the choices are replayed one by one, and the outcome is
/// compared with the recorded violation.
/// </summary>
public static class ReplayVerifier
{
    public static ReplayOutcome Verify(ScheduleTrace t)
    {
        Scenario scenario;
        try { scenario = t.LoadScenario(); }
        catch (ScenarioException e) { return Differs($"the embedded scenario is not valid any more ({e.Message})"); }
        var hash = ContentHash.Of(scenario);
        if (hash != t.ScenarioHash)
            return Differs($"the embedded scenario hashes to {hash}, the trace recorded {t.ScenarioHash}: it was edited after recording");
        var header = ScheduleTrace.HeaderHashOf(t.Strategy, t.Mode, t.Seed, t.Options, t.Violation, t.ScenarioHash, t.OmitBarrier);
        if (header != t.HeaderHash)
            return Differs($"the header (strategy, mode, seed, options or violation) hashes to {header}, the trace recorded {t.HeaderHash}: it was edited after recording");
        if (!StrategyRegistry.TryGet(t.Strategy, out var strategy))
            return Differs($"strategy '{t.Strategy}' is not one of {StrategyRegistry.AllowedText} (a strategy from a file needs --strategy-file)");

        var scheduler = new ReplayScheduler(t.Choices);
        var system = new ScenarioSystem(scenario, strategy.Name, scheduler, t.Seed, recordEvents: true, omitBarrierSite: t.OmitBarrier);
        var sim = system.System.Sim;
        RunResult run;
        try { run = sim.Run(); }
        catch (ReplayDivergenceException e)
        {
            return new ReplayOutcome(ReplayVerdict.Diverged,
                $"diverged at step {e.Step} (expected '{e.Expected}', got only: {string.Join("; ", e.Enabled)})", e.Step, null, system);
        }
        string recorded = t.Violation ?? "no violation";
        string got = run.Violations.Count > 0 ? string.Join(", ", run.Violations.Select(v => v.Kind).Distinct()) : $"no violation ({run.Outcome})";
        if (scheduler.Consumed < t.Choices.Length)
            return new ReplayOutcome(ReplayVerdict.Diverged,
                $"diverged at step {scheduler.Consumed} (expected {t.Choices.Length - scheduler.Consumed} more recorded choices, got the end of the execution: {got})",
                scheduler.Consumed, run, system);
        bool same = t.Violation is null ? run.Violations.Count == 0 : run.Violations.Any(v => v.Kind == t.Violation);
        if (!same)
            return new ReplayOutcome(ReplayVerdict.Diverged,
                $"diverged at step {scheduler.Consumed} (expected {recorded}, got {got})", scheduler.Consumed, run, system);
        return new ReplayOutcome(ReplayVerdict.Reproduced, $"reproduced: {recorded} after {t.Choices.Length} choices", null, run, system);
    }

    private static ReplayOutcome Differs(string why) => new(ReplayVerdict.ScenarioDiffers, "scenario differs: " + why, null, null, null);
}
