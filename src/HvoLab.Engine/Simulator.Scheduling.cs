using HvoLab.Arch;

namespace HvoLab.Engine;

/// <summary>Running a CPU's pending op: resumed by a driver, or inline when the driver allows it.</summary>
public sealed partial class Simulator
{
    /// <summary>Pending op of a CPU that an action would run (for partial-order reduction), or null.</summary>
    public PendingOp? PendingOpOf(int action)
    {
        var c = Cpus[Actions.Cpu(action)];
        if (Actions.Kind(action) is not (Actions.RunOp or Actions.RunOpAlternative) || c.Depth == 0) return null;
        return c.Frames[c.Depth - 1].Pending;
    }

    /// <summary>Executes the top context's pending op, then resumes its continuation (which may run further ops inline).</summary>
    internal void Resume(Cpu c)
    {
        if (c.Depth == 0) return;
        Driver.BeforeResume(c);
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        // Parked work that has run to its end (FinishWork) is complete: nothing left to execute.
        var outcome = op.WorkStarted && op.Ns == 0 && op.Kind is OpKind.Work or OpKind.Bulk ? Ops.CompletedWork(c, ref op) : Ops.Execute(c);
        if (outcome == ExecOutcome.Faulted) { Exceptions.StartFault(c); return; }
        if (outcome == ExecOutcome.Parked) return;
        ref var f = ref c.Frames[c.Depth - 1];
        var k = f.Continuation;
        f.Continuation = null;
        var prev = Running;
        Running = c;
        try { k!(); }
        catch (Exception e) { Termination.SetModelError($"CPU{c.Id}: {e}"); }
        finally { Running = prev; }
    }

    /// <summary>Called by <see cref="CpuOp.IsCompleted"/>: run the op now, without a switch, if the schedule allows.</summary>
    internal bool TryRunInline(Cpu c)
    {
        if (!_looping || c != Running || Termination.MustStop) return false;
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        if (!Driver.MayRunInline(c, ref op)) return false;
        if (Steps > Options.StepBudget) return false;
        var outcome = Ops.Execute(c);
        if (outcome == ExecOutcome.Completed) return true;
        if (outcome == ExecOutcome.Faulted) _forceFault = c;
        return false;
    }
}
