using HvoLab.Arch;

namespace HvoLab.Engine;

/// <summary>The context stack of every CPU: pushing a frame and launching its code (task, handler, fault handler,
/// preempting work), completing and popping it (exception return restores the masks it saved). Exception entry and
/// return are context synchronization events for the Arm data model (<see cref="DataLoadViews.Order"/>).</summary>
internal sealed class ContextStack(Simulator sim)
{
    public void StartFrame(Cpu c, ContextKind kind, Func<Cpu, SimTask> body)
    {
        PushFrame(c, kind);
        Launch(c, kind, body, null);
    }

    /// <summary>Runs the body of the frame just pushed until its first suspension and arranges for the frame to be
    /// popped when the body's task completes.</summary>
    public void Launch(Cpu c, ContextKind kind, Func<Cpu, SimTask>? body, Func<Cpu, SimTask<bool>>? faultBody)
    {
        var prev = sim.Running;
        sim.Running = c;
        try
        {
            ref var f = ref c.Frames[c.Depth - 1];
            if (faultBody != null)
            {
                var t = faultBody(c);
                f = ref c.Frames[c.Depth - 1];
                f.IsFault = true;
                f.BoolAwaiter = t.GetAwaiter();
                if (f.BoolAwaiter.IsCompleted) CompleteFrame(c);
                else f.BoolAwaiter.UnsafeOnCompleted(c.FrameDone);
            }
            else
            {
                var t = body!(c);
                f = ref c.Frames[c.Depth - 1];
                f.IsFault = false;
                f.VoidAwaiter = t.GetAwaiter();
                if (f.VoidAwaiter.IsCompleted) CompleteFrame(c);
                else f.VoidAwaiter.UnsafeOnCompleted(c.FrameDone);
            }
        }
        catch (Exception e) { sim.Termination.SetModelError($"CPU{c.Id} {kind}: {e}"); }
        finally { sim.Running = prev; }
    }

    public ref Cpu.Frame PushFrame(Cpu c, ContextKind kind)
    {
        if (c.Depth == Cpu.MaxDepth) throw new InvalidOperationException($"CPU{c.Id}: context stack overflow");
        ref var f = ref c.Frames[c.Depth++];
        f.Kind = kind; f.Continuation = null; f.Pending = default;
        f.SavedDaifI = c.Masks.DaifI; f.SavedPmr = c.Masks.Pmr;
        if (kind == ContextKind.Nmi) c.Masks.NmiDepth++;
        if (kind == ContextKind.Irq) c.Masks.IrqDepth++;
        c.ClearReads();
        sim.DataBuffer.Views.Order(c.Id);   // exception entry: a context synchronization event (Arm data model only)
        if (sim.Trace.Enabled) sim.Trace.Begin(c.Time, c.Id, kind);
        return ref f;
    }

    /// <summary>Called when the task of the top frame completes (synchronously or from its last continuation).</summary>
    public void CompleteFrame(Cpu c)
    {
        ref var f = ref c.Frames[c.Depth - 1];
        if (f.Kind == ContextKind.Task) sim.Termination.TaskFrameEnded();   // only a task ending can end the run
        bool retry = true;
        try
        {
            if (f.IsFault) retry = f.BoolAwaiter.GetResult();
            else f.VoidAwaiter.GetResult();
        }
        catch (Exception e) { sim.Termination.SetModelError($"CPU{c.Id} {f.Kind}: {e}"); }
        var kind = f.Kind;
        f.VoidAwaiter = default; f.BoolAwaiter = default; f.Continuation = null;
        PopFrame(c);
        if (kind == ContextKind.Task && c.Depth == 0) c.Finished = true;
        if (kind == ContextKind.Fault && !retry && sim.Violations.Count == 0)
            sim.ReportViolation("oops", [c.Id], 0, $"CPU{c.Id}: kernel fault handler gave up (oops) at {c.Time:F0} ns");
        if (kind == ContextKind.Fault && !retry) sim.Termination.Abort();
    }

    /// <summary>Leaves the top context: the masks it saved come back (exception return).</summary>
    public void PopFrame(Cpu c)
    {
        ref var f = ref c.Frames[c.Depth - 1];
        var kind = f.Kind;
        c.Masks.DaifI = f.SavedDaifI; c.Masks.Pmr = f.SavedPmr;
        if (kind == ContextKind.Nmi) c.Masks.NmiDepth--;
        if (kind == ContextKind.Irq) c.Masks.IrqDepth--;
        c.Depth--;
        c.ClearReads();
        sim.DataBuffer.Views.Order(c.Id);   // exception return: a context synchronization event (Arm data model only)
        if (sim.Trace.Enabled) sim.Trace.End(c.Time, c.Id, kind);
        sim.Exceptions.UpdateIrqsOff(c);
    }
}
