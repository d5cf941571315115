using System.Diagnostics;

namespace HvoLab.Engine;

/// <summary>
/// Whether and how an execution ends, the same in both modes: every main task has finished (the stop flag the
/// background loops poll, then the final checks), no CPU can act (a deadlock, each blocked CPU described) or a budget
/// ran out (a livelock); or it must stop at once (a violation that stops it, an exception in the model's code). The
/// drivers ask it between steps; the context stack tells it when a task frame ends.
/// </summary>
internal sealed class RunTermination(Simulator sim)
{
    private readonly Stopwatch _wall = new();
    private bool _taskFrameEnded = true, _abort;

    /// <summary>An exception thrown by the simulated code (a bug of the model, not a verdict), or null.</summary>
    public string? ModelError { get; private set; }

    /// <summary>Set when every non-background task has finished: background loops poll it and return.</summary>
    public bool StopRequested { get; private set; }

    /// <summary>The run ended with every CPU done and the final checks run (not a deadlock, budget or abort).</summary>
    public bool RanToEnd { get; private set; }

    public void Start() => _wall.Start();

    /// <summary>The run stops before its next step as a violation (StopOnViolation, an oops).</summary>
    public void Abort() => _abort = true;

    /// <summary>The run stops before its next step as a model error (the latest one is reported).</summary>
    public void SetModelError(string error) => ModelError = error;

    /// <summary>Nothing more may run, not even inline.</summary>
    public bool MustStop => _abort || ModelError != null;

    /// <summary>Why the run must stop before its next step (a model error or a violation that stops it), or null.</summary>
    public RunOutcome? StopReason()
    {
        if (ModelError != null) return RunOutcome.ModelError;
        if (_abort) return RunOutcome.Violation;
        return null;
    }

    /// <summary>A task frame (not an interrupt handler) completed: the next <see cref="UpdateStopRequested"/> looks.</summary>
    public void TaskFrameEnded() => _taskFrameEnded = true;

    public void UpdateStopRequested()
    {
        // Only a task frame completing can end a main task; skip the O(CPUs) check otherwise (an interrupt handler
        // returning on every CPU of a 256-CPU pause would otherwise cost 256 × 256 checks).
        if (StopRequested || !_taskFrameEnded) return;
        _taskFrameEnded = false;
        foreach (var c in sim.Cpus) if (!c.IsBackground && !c.Finished && c.Depth > 0 && IsMainTaskAlive(c)) return;
        StopRequested = true;
    }

    public static bool IsMainTaskAlive(Cpu c) => c.Frames[0].Kind == ContextKind.Task && !c.Finished;

    public bool OverBudget()
    {
        if (sim.Steps > sim.Options.StepBudget) return true;
        return (sim.Steps & 0xFFFF) == 0 && _wall.Elapsed > sim.Options.WallBudget;
    }

    public RunOutcome ReportBudget()
    {
        var busy = sim.Cpus.Where(c => c.Depth > 0).Select(c => c.Id).ToArray();
        sim.ReportViolation("livelock", busy, 0,
            $"no end after {sim.Steps} operations ({_wall.Elapsed.TotalSeconds:F1} s): CPUs {string.Join(",", busy)} keep running " +
            $"but the execution does not finish (step budget {sim.Options.StepBudget}, wall budget {sim.Options.WallBudget})");
        return RunOutcome.BudgetExceeded;
    }

    /// <summary>No CPU has an action: the run is over, completed (final checks) or deadlocked.</summary>
    public RunOutcome EndWithoutActions()
    {
        var stuck = sim.Cpus.Where(c => c.Depth > 0).ToArray();
        if (stuck.Length == 0)
        {
            foreach (var check in sim.FinalChecks) check(sim);
            RanToEnd = true;
            return sim.Violations.Count > 0 ? RunOutcome.Violation : RunOutcome.Completed;
        }
        var why = string.Join("; ", stuck.Select(DescribeBlocked));
        sim.ReportViolation("deadlock", stuck.Select(c => c.Id).ToArray(), 0, "no CPU can make progress: " + why);
        return RunOutcome.Deadlock;
    }

    private static string DescribeBlocked(Cpu c)
    {
        string where = $"CPU{c.Id} in {c.Context} context";
        return c.Park switch
        {
            Cpu.ParkKind.Spin => $"{where} spins on {string.Join(",", c.ReadSet.Take(c.ReadCount).Select(a => $"PA 0x{a:x}"))} which no CPU will write",
            Cpu.ParkKind.Wfe => $"{where} waits in WFE for an event no CPU will send",
            Cpu.ParkKind.Held => $"{where} waits in a closed-form handler for PA 0x{c.Held!.WaitPa:x} == 0x{c.Held.WaitValue:x}, which no CPU will write",
            _ => where + (c.DaifI || c.IrqsDisabled ? " with interrupts masked" : ""),
        };
    }
}
