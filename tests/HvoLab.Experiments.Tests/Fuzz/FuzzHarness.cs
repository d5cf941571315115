using HvoLab.Cli;
using HvoLab.Experiments.Checking;
using HvoLab.Experiments.Running;
using HvoLab.Experiments.Scenarios;

namespace HvoLab.Experiments.Tests.Fuzz;

/// <summary>
/// Runs one fuzz input and says what went wrong, or null when it ended well: a scenario must load or fail with one
/// ScenarioException line naming a JSON path; a loaded scenario, run end to end, must give a result; a command line
/// must exit 0/1/2/3 with no "internal error", and an exit 2 must be exactly one "hvolab: error:" line. Each input
/// has a wall-clock limit: passing it is reported as a hang.
/// </summary>
public static class FuzzHarness
{
    /// <summary>Step budget forced on every end-to-end run: the run then ends (as a livelock if need be) in milliseconds.</summary>
    public const long StepCap = 20_000, ExhaustiveStepCap = 1_000;
    /// <remarks>Generous on purpose: every run is bounded in steps, so this only catches a loop outside the engine; at
    /// 30 s a loaded 2-core machine reported false hangs (input 2161).</remarks>
    public static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(120);

    /// <summary>Loads <paramref name="json"/>; if it is valid and <paramref name="execute"/>, runs its first runnable
    /// strategy in its own mode with capped budgets.</summary>
    public static string? Scenario(string json, bool execute) => WithinLimit(() =>
    {
        Scenario s;
        try { s = ScenarioLoader.Parse(json); }
        catch (ScenarioException e)
        {
            if (e.Message.Contains('\n') || e.Message.Contains('\r')) return $"validation message is not one line: {e.Message}";
            if (!e.JsonPath.StartsWith('$')) return $"validation message names no JSON path: {e.Message}";
            return null;
        }
        catch (Exception e) { return $"unhandled {e.GetType().Name} while validating: {e.Message}"; }
        if (!execute || s.RunnableStrategies.Count == 0) return null;
        try { Execute(Capped(s), s.RunnableStrategies[(int)(s.Seed % (ulong)s.RunnableStrategies.Count)]); }
        catch (Exception e) { return $"unhandled {e.GetType().Name} while running: {e.Message}\n{e.StackTrace}"; }
        return null;
    });

    /// <summary>The scenario with its step budget and repetition counts capped (the wall budget is left as written,
    /// so an absurd one still reaches the engine).</summary>
    public static Scenario Capped(Scenario s) => ScenarioEdits.Edit(s, x => x with
    {
        Scheduler = x.Scheduler with
        {
            // Exhaustive search with DPOR costs time quadratic in the execution's length and grows with the CPU count
            // (20,000 steps on 6 CPUs: 20 s of CPU, fuzz input 2161, STATUS 12:40; 5,000 steps on 64 CPUs: 19 s,
            // campaign input 7026), so its executions are capped shorter.
            StepBudget = Math.Min(s.Scheduler.StepBudget, s.Scheduler.Mode == SchedulerMode.Exhaustive ? ExhaustiveStepCap : StepCap), Seeds = 1,
            Iterations = Math.Min(s.Scheduler.Iterations, 2), MaxExecutions = Math.Min(s.Scheduler.MaxExecutions, 3),
        },
    });

    private static void Execute(Scenario s, string strategy)
    {
        if (s.Scheduler.Mode == SchedulerMode.Timed)
        {
            TimedRunner.RunOne(s, strategy, s.Seed);
            return;
        }
        CheckRunner.Check(s, strategy, new CheckOptions
        {
            Mode = s.Scheduler.Mode, Iterations = s.Scheduler.Iterations, Seed = s.Seed, PctDepth = s.Scheduler.PctDepth,
            PreemptionBound = s.Scheduler.PreemptionBound, MaxExecutions = s.Scheduler.MaxExecutions, WallSeconds = s.Scheduler.WallSeconds,
        });
    }

    /// <summary>Runs the CLI in-process on <paramref name="args"/>.</summary>
    public static string? Cli(string[] args) => WithinLimit(() =>
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code;
        try { code = Program.Run(args, o, e); }
        catch (Exception x) { return $"exception escaped Program.Run: {x.GetType().Name}: {x.Message}"; }
        var err = e.ToString();
        if (err.Contains("internal error", StringComparison.Ordinal)) return $"exit {code}: {err.Trim()}";
        if (err.Contains("   at ", StringComparison.Ordinal) || o.ToString().Contains("   at HvoLab", StringComparison.Ordinal)) return "stack trace printed";
        // 0–4 check/compare verdicts and errors, 5/6 replay diverged / scenario differs, 130 interrupted.
        if (code is < 0 or > 6 and not 130) return $"unexpected exit code {code}";
        if (code == CliContext.UserError)
        {
            var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("warning: ", StringComparison.Ordinal)).ToArray();
            if (lines.Length != 1 || !lines[0].StartsWith("hvolab: error: ", StringComparison.Ordinal))
                return $"exit 2 without exactly one error line: {err.Trim()}";
        }
        return null;
    });

    private static string? WithinLimit(Func<string?> body)
    {
        var task = Task.Factory.StartNew(body, TaskCreationOptions.LongRunning);
        return task.Wait(HangLimit) ? task.Result : $"hang: no result after {HangLimit.TotalSeconds} s";
    }
}
