namespace HvoLab.Engine;

/// <summary>
/// The exception and interrupt model: taking an SGI (exception entry as arch/arm64/kernel/entry-common.c does it, the
/// masks of <see cref="HvoLab.Arch.InterruptMasks"/>, the guest's handler in an IRQ or NMI frame, or the handler's
/// closed form), taking a fault (the guest's fault handler in a fault frame), running preempting work where the kernel
/// could schedule, external interrupt sources, and the irqs-off statistics. When an interrupt that arrived is taken is
/// the driver's rule (<see cref="ExecutionDriver.TakeTime"/>).
/// </summary>
internal sealed class ExceptionModel(Simulator sim)
{
    private readonly Simulator _sim = sim;
    private Func<Cpu, SimTask>? _sgiBody;   // one delegate for every interrupt taken: the SGI number is in the CPU

    private readonly Dictionary<(int Cpu, int Sgi), (double Period, int Remaining)> _external = new();

    /// <summary>An interrupt source outside the CPUs (a PMU overflow, a watchdog): raises <paramref name="sgi"/> on
    /// <paramref name="cpu"/> every <paramref name="periodNs"/> of virtual time, <paramref name="count"/> times at most
    /// (null = until the run stops). In a search the arrival time is ignored: the interrupt may be taken at any point.</summary>
    internal void AddExternalInterrupt(int cpu, int sgi, double periodNs, int? count = null)
    {
        HvoLab.Arch.Gic.CheckSgi(sgi);
        int n = count ?? int.MaxValue;
        if (n <= 0) return;
        _external[(cpu, sgi)] = (periodNs, n - 1);
        _sim.Gic.MakePending(cpu, sgi, (long)periodNs);
    }

    internal void RearmExternal(Cpu c, int sgi)
    {
        if (!_external.TryGetValue((c.Id, sgi), out var e) || e.Remaining <= 0 || _sim.StopRequested) return;
        _external[(c.Id, sgi)] = (e.Period, e.Remaining - 1);
        _sim.Ops.MakePending(c, sgi, (long)(c.Time + e.Period));
    }


    /// <summary>Exception entry for an interrupt (arch/arm64/kernel/entry-common.c, irq-gic-v3.c): an NMI runs with
    /// PSTATE.I set (no nesting); a normal IRQ handler under pseudo-NMI runs with PMR = IRQOFF and I clear, so NMIs
    /// can preempt it. Charges the entry/exit cost.</summary>
    internal void EnterInterruptContext(Cpu c, bool nmi)
    {
        _sim.Contexts.PushFrame(c, nmi ? ContextKind.Nmi : ContextKind.Irq);
        c.Masks.EnterInterrupt(nmi, _sim.Options.PseudoNmi);
        UpdateIrqsOff(c);
        c.Time += _sim.Jitter(c, EntryNs);
    }

    /// <summary>Cost of taking an interrupt (entry and exit), before jitter.</summary>
    internal double EntryNs => _sim.Cost.ExceptionEntryExitNs + (_sim.Options.PseudoNmi ? _sim.Cost.PseudoNmiExtraNs : 0);

    internal void StartFault(Cpu c)
    {
        var info = c.PendingFault!.Value;
        c.PendingFault = null;
        c.Stats.Faults++;
        if (_sim.Trace.Enabled) _sim.Trace.Mark(c.Time, c.Id, $"fault {info.Kind} L{info.Level} at 0x{info.Va:x}");
        if (_sim.Guest is null)
        {
            _sim.ReportViolation("unhandled-fault", [c.Id], info.Va,
                $"CPU{c.Id} took a {info.Kind} fault (level {info.Level}) on VA 0x{info.Va:x} in {info.Context} context and no handler is installed");
            return;
        }
        var guest = _sim.Guest;
        c.Time += _sim.Jitter(c, _sim.Cost.ExceptionEntryExitNs + guest.FaultHandlingNs);
        _sim.Contexts.PushFrame(c, ContextKind.Fault);
        _sim.Contexts.Launch(c, ContextKind.Fault, null, cpu => guest.HandleFault(cpu, info));
    }

    internal void TakeInterrupt(Cpu c, int sgi)
    {
        double at = _sim.Driver.TakeTime(c, _sim.Gic.Arrival(c.Id, sgi));
        _sim.Ops.CancelPark(c, at);
        c.Time = Math.Max(c.Time, at);
        _sim.Gic.ClearPending(c.Id, sgi);
        RearmExternal(c, sgi);
        bool nmi = _sim.Gic.IsNmi(sgi);
        var closedForm = c.PendingClosedForm[sgi];
        c.PendingClosedForm[sgi] = null;
        if (nmi && closedForm != null && _sim.Driver.ClosedFormHandlers) { _sim.ClosedForm.EnterClosedForm(c, sgi, closedForm, holdUntil: 0); return; }
        if (nmi) c.Stats.NmisTaken++; else c.Stats.InterruptsTaken++;
        if (_sim.Trace.Enabled) _sim.Trace.Mark(c.Time, c.Id, nmi ? $"take pseudo-NMI SGI {sgi}" : $"take IRQ SGI {sgi}");
        if (_sim.Guest is null) { _sim.Termination.SetModelError("an SGI was taken but no guest is attached"); return; }
        EnterInterruptContext(c, nmi);
        c.TakenSgi = sgi;
        _sim.Contexts.Launch(c, nmi ? ContextKind.Nmi : ContextKind.Irq, _sgiBody ??= cpu => _sim.Guest!.HandleSgi(cpu, cpu.TakenSgi), null);
    }

    internal void TakePreemptWork(Cpu c)
    {
        var (work, arrival, label) = c.PreemptWork.Dequeue();
        c.PreemptEnablers.Dequeue();
        double at = _sim.Driver.TakeTime(c, arrival);
        _sim.Ops.CancelPark(c, at);
        c.Time = Math.Max(c.Time, at);
        if (_sim.Trace.Enabled) _sim.Trace.Mark(c.Time, c.Id, "preempted by " + _sim.LabelName(label));
        _sim.Contexts.StartFrame(c, ContextKind.Preempt, work);
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
        bool off = c.Masks.IrqsOffOrInHandler;
        if (off && c.Stats.IrqsOffSince < 0) c.Stats.IrqsOffSince = c.Time;
        else if (!off && c.Stats.IrqsOffSince >= 0) EndIrqsOff(c);
    }

    internal void EndIrqsOff(Cpu c)
    {
        double stretch = c.Time - c.Stats.IrqsOffSince;
        c.Stats.TotalIrqsOffNs += stretch;
        if (stretch > c.Stats.MaxIrqsOffNs) c.Stats.MaxIrqsOffNs = stretch;
        c.Stats.IrqsOffSince = -1;
    }
}
