namespace HvoLab.Engine;

/// <summary>Context stack handling: tasks, interrupt entry/exit, faults, preempting work.</summary>
public sealed partial class Simulator
{
    private Func<Cpu, SimTask>? _sgiBody;   // one delegate for every interrupt taken: the SGI number is in the CPU

    internal void StartFrame(Cpu c, ContextKind kind, Func<Cpu, SimTask> body)
    {
        PushFrame(c, kind);
        Launch(c, kind, body, null);
    }

    /// <summary>Runs the body of the frame just pushed until its first suspension and arranges for the frame to be
    /// popped when the body's task completes.</summary>
    private void Launch(Cpu c, ContextKind kind, Func<Cpu, SimTask>? body, Func<Cpu, SimTask<bool>>? faultBody)
    {
        var prev = _running;
        _running = c;
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
        catch (Exception e) { _modelError = $"CPU{c.Id} {kind}: {e}"; }
        finally { _running = prev; }
    }

    private ref Cpu.Frame PushFrame(Cpu c, ContextKind kind)
    {
        if (c.Depth == Cpu.MaxDepth) throw new InvalidOperationException($"CPU{c.Id}: context stack overflow");
        ref var f = ref c.Frames[c.Depth++];
        f.Kind = kind; f.Continuation = null; f.Pending = default;
        f.SavedDaifI = c.DaifI; f.SavedPmr = c.Pmr;
        if (kind == ContextKind.Nmi) c.NmiDepth++;
        if (kind == ContextKind.Irq) c.IrqDepth++;
        c.ClearReads();
        if (Trace.Enabled) Trace.Begin(c.Time, c.Id, kind);
        return ref f;
    }

    /// <summary>Called when the task of the top frame completes (synchronously or from its last continuation).</summary>
    internal void CompleteFrame(Cpu c)
    {
        ref var f = ref c.Frames[c.Depth - 1];
        if (f.Kind == ContextKind.Task) _framesCompleted = true;   // only a task ending can end the run (UpdateStopRequested)
        bool retry = true;
        try
        {
            if (f.IsFault) retry = f.BoolAwaiter.GetResult();
            else f.VoidAwaiter.GetResult();
        }
        catch (Exception e) { _modelError = $"CPU{c.Id} {f.Kind}: {e}"; }
        var kind = f.Kind;
        f.VoidAwaiter = default; f.BoolAwaiter = default; f.Continuation = null;
        PopFrame(c);
        if (kind == ContextKind.Task && c.Depth == 0) c.Finished = true;
        if (kind == ContextKind.Fault && !retry && _violations.Count == 0)
            ReportViolation("oops", [c.Id], 0, $"CPU{c.Id}: kernel fault handler gave up (oops) at {c.Time:F0} ns");
        if (kind == ContextKind.Fault && !retry) _abort = true;
    }

    /// <summary>Leaves the top context: the masks it saved come back (exception return).</summary>
    private void PopFrame(Cpu c)
    {
        ref var f = ref c.Frames[c.Depth - 1];
        var kind = f.Kind;
        c.DaifI = f.SavedDaifI; c.Pmr = f.SavedPmr;
        if (kind == ContextKind.Nmi) c.NmiDepth--;
        if (kind == ContextKind.Irq) c.IrqDepth--;
        c.Depth--;
        c.ClearReads();
        if (Trace.Enabled) Trace.End(c.Time, c.Id, kind);
        UpdateIrqsOff(c);
    }

    /// <summary>Exception entry for an interrupt (arch/arm64/kernel/entry-common.c, irq-gic-v3.c): an NMI runs with
    /// PSTATE.I set (no nesting); a normal IRQ handler under pseudo-NMI runs with PMR = IRQOFF and I clear, so NMIs
    /// can preempt it. Charges the entry/exit cost.</summary>
    private void EnterInterruptContext(Cpu c, bool nmi)
    {
        PushFrame(c, nmi ? ContextKind.Nmi : ContextKind.Irq);
        if (nmi) c.DaifI = true;
        else if (Options.PseudoNmi) { c.Pmr = Gic.PrioIrq; c.DaifI = false; }
        else c.DaifI = true;
        UpdateIrqsOff(c);
        c.Time += Jitter(Cost.ExceptionEntryExitNs + (Options.PseudoNmi ? Cost.PseudoNmiExtraNs : 0));
    }

    private void StartFault(Cpu c)
    {
        var info = c.PendingFault!.Value;
        c.PendingFault = null;
        c.Stats.Faults++;
        if (Trace.Enabled) Trace.Mark(c.Time, c.Id, $"fault {info.Kind} L{info.Level} at 0x{info.Va:x}");
        if (FaultHandler is null)
        {
            ReportViolation("unhandled-fault", [c.Id], info.Va,
                $"CPU{c.Id} took a {info.Kind} fault (level {info.Level}) on VA 0x{info.Va:x} in {info.Context} context and no handler is installed");
            return;
        }
        c.Time += Jitter(Cost.ExceptionEntryExitNs + Cost.FaultHandlingNs);
        PushFrame(c, ContextKind.Fault);
        var handler = FaultHandler;
        Launch(c, ContextKind.Fault, null, cpu => handler(cpu, info));
    }

    internal void TakeInterrupt(Cpu c, int sgi)
    {
        double at = IsTimed ? Math.Max(c.Time, Gic.Arrival(c.Id, sgi)) : c.Time;
        CancelPark(c, at);
        c.Time = Math.Max(c.Time, at);
        Gic.ClearPending(c.Id, sgi);
        RearmExternal(c, sgi);
        bool nmi = Gic.IsNmi(sgi);
        var closedForm = c.PendingClosedForm[sgi];
        c.PendingClosedForm[sgi] = null;
        if (nmi && closedForm != null && IsTimed && Options.ClosedFormHandlers) { EnterClosedForm(c, sgi, closedForm, holdUntil: 0); return; }
        if (nmi) c.Stats.NmisTaken++; else c.Stats.InterruptsTaken++;
        if (Trace.Enabled) Trace.Mark(c.Time, c.Id, nmi ? $"take pseudo-NMI SGI {sgi}" : $"take IRQ SGI {sgi}");
        if (SgiHandler is null) { _modelError = "an SGI was taken but no SgiHandler is installed"; return; }
        EnterInterruptContext(c, nmi);
        c.TakenSgi = sgi;
        Launch(c, nmi ? ContextKind.Nmi : ContextKind.Irq, _sgiBody ??= cpu => SgiHandler!(cpu, cpu.TakenSgi), null);
    }

    internal void TakePreemptWork(Cpu c)
    {
        var (work, arrival, label) = c.PreemptWork.Dequeue();
        c.PreemptEnablers.Dequeue();
        double at = IsTimed ? Math.Max(c.Time, arrival) : c.Time;
        CancelPark(c, at);
        c.Time = Math.Max(c.Time, at);
        if (Trace.Enabled) Trace.Mark(c.Time, c.Id, "preempted by " + LabelName(label));
        StartFrame(c, ContextKind.Preempt, work);
    }

    /// <summary>Preempting work (a stopper kthread) runs only where the kernel could schedule: preempt_count 0,
    /// interrupts enabled, task or idle context.</summary>
    internal bool PreemptWorkDeliverable(Cpu c, double by)
    {
        if (c.PreemptWork.Count == 0 || c.PreemptCount != 0 || c.IrqsDisabled) return false;
        var ctx = c.Context;
        if (ctx != ContextKind.Task && ctx != ContextKind.Idle) return false;
        return c.PreemptWork.Peek().Arrival <= by;
    }

    internal void UpdateIrqsOff(Cpu c)
    {
        bool off = c.IrqsDisabled || c.InIrq || c.InNmi;
        if (off && c.Stats.IrqsOffSince < 0) c.Stats.IrqsOffSince = c.Time;
        else if (!off && c.Stats.IrqsOffSince >= 0) EndIrqsOff(c);
    }

    private void EndIrqsOff(Cpu c)
    {
        double stretch = c.Time - c.Stats.IrqsOffSince;
        c.Stats.TotalIrqsOffNs += stretch;
        if (stretch > c.Stats.MaxIrqsOffNs) c.Stats.MaxIrqsOffNs = stretch;
        c.Stats.IrqsOffSince = -1;
    }
}
