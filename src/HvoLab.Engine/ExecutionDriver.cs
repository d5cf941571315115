namespace HvoLab.Engine;

/// <summary>
/// The rules of one scheduling mode, in one place: how a run advances (<see cref="TimedDriver"/>: virtual time decides
/// which CPU acts next; <see cref="SearchDriver"/>: the scheduler chooses among enabled actions), when an op may run
/// inline, whether costs carry jitter, when an interrupt that arrived is taken, how private work and waits are charged.
/// The rest of the engine asks the driver and never tests the mode itself.
/// </summary>
internal abstract class ExecutionDriver(Simulator sim)
{
    protected Simulator Sim { get; } = sim;

    /// <summary>Runs the execution until nothing can act, a violation, a model error or the budget.</summary>
    public abstract RunOutcome Run();

    /// <summary>May CPU <paramref name="c"/> (the one running) execute <paramref name="op"/> now, without a switch?</summary>
    public abstract bool MayRunInline(Cpu c, ref PendingOp op);

    /// <summary>A cost of CPU <paramref name="c"/> with the mode's timing jitter applied.</summary>
    public abstract double Jitter(Cpu c, double ns);

    /// <summary>When <paramref name="c"/> takes an interrupt or preempting work that arrived at <paramref name="arrival"/>.</summary>
    public abstract double TakeTime(Cpu c, double arrival);

    /// <summary>Runs (or starts) a Work/Bulk op.</summary>
    public abstract ExecOutcome ExecWork(Cpu c, ref PendingOp op);

    /// <summary>A parked CPU is woken at <paramref name="wakeTime"/>: charge the time it waited.</summary>
    public abstract void ChargeWait(Cpu c, double wakeTime);

    /// <summary>The next event of CPU <paramref name="cpu"/> may have moved.</summary>
    public abstract void MarkDirty(int cpu);

    /// <summary>CPU <paramref name="c"/>'s jitter stream as it stands (timed runs), and putting it back: a closed-form
    /// hold that is cancelled returns the draws it made, which the op-level handler makes later.</summary>
    public virtual SplitMix64 JitterStream(Cpu c) => default;
    public virtual void RestoreJitterStream(Cpu c, SplitMix64 stream) { }

    /// <summary>A CPU became runnable at its clock (after a wake-up).</summary>
    public abstract void Woken(Cpu c);

    /// <summary>An SGI was made pending on <paramref name="target"/> by the running CPU.</summary>
    public abstract void SgiPosted(Cpu target);

    /// <summary>CPU <paramref name="c"/> is about to execute its pending op and resume its code.</summary>
    public abstract void BeforeResume(Cpu c);

    /// <summary>Interrupt handlers with a closed form may be taken in closed form (timed runs, when enabled).</summary>
    public abstract bool ClosedFormHandlers { get; }

    /// <summary>The index of the search choice being performed, or -1 (timed runs; outside a step). Preempting work
    /// queued during a step records it as its enabler (<see cref="Cpu.PreemptEnablers"/>).</summary>
    public virtual int PerformingStep => -1;

    /// <summary>Times the driver picked a CPU to act (timed runs: each costs a queue update).</summary>
    public virtual long SchedulingEvents => 0;
}
