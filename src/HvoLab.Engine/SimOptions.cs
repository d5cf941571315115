namespace HvoLab.Engine;

public sealed record SimOptions
{
    /// <summary>GICv3 pseudo-NMI in use (irqchip.gicv3_pseudo_nmi=1): local_irq_disable masks by PMR.</summary>
    public bool PseudoNmi { get; init; } = true;
    /// <summary>Maximum operations in one execution before it is stopped as a possible livelock.</summary>
    public long StepBudget { get; init; } = 200_000_000;
    /// <summary>Timed runs: simulated time without progress (every live main task parked, no main task woken) after
    /// which the run ends as a livelock (<see cref="ProgressWatch"/>). 0 turns the check off.</summary>
    public double LivelockWindowNs { get; init; } = 100e6;
    /// <summary>Wall-clock budget for one execution.</summary>
    public TimeSpan WallBudget { get; init; } = TimeSpan.FromMinutes(5);
    public bool StopOnViolation { get; init; } = true;
    /// <summary>Record readable events (needed for text/Perfetto traces; off for speed).</summary>
    public bool RecordEvents { get; init; }
    /// <summary>Timed runs: let CPUs busy with private work take an interrupt whose handler has a closed form
    /// (the D pause) without running it op by op. Same times as the op-level handler (a test holds them equal with
    /// jitter off); with jitter the draws come in another order. Off: every handler runs op by op.</summary>
    public bool ClosedFormHandlers { get; init; } = true;

    /// <summary>Timed runs: a background CPU may run its purely local ops (Work, interrupt masking) inline past the
    /// horizon by up to the shortest SGI delivery latency, since nothing another CPU does from the horizon on can reach
    /// it sooner (TimedDriver.MayRunInline). Same simulated behaviour, fewer scheduling events; a background loop may then
    /// see the end of the run at another iteration. Valid only when no preempting work is queued (stop_machine queues it
    /// with no latency), so off by default; the 1 TiB bench workload (D, no stop_machine) turns it on.</summary>
    public bool BackgroundLookahead { get; init; }
    /// <summary>The named barrier site (<see cref="Cpu.Barrier"/>) to omit in this run (hvolab barriers): it is issued as
    /// a DMB LD, which orders nothing the model tracks (docs/arch.md), so the schedule keeps its shape. Null: none.</summary>
    public string? OmitBarrierSite { get; init; }
    /// <summary>Ordering of data accesses in a search: SC, or Arm (<see cref="DataStoreBuffers"/>: stores to kernel
    /// globals are buffered per CPU and become visible later, as the accesses' <see cref="MemOrder"/> and the barriers
    /// allow). Timed runs are always SC.</summary>
    public DataMemoryModel MemoryModel { get; init; }
    /// <summary>Seed for timing jitter in timed runs; every random choice flows from it.</summary>
    public ulong Seed { get; init; } = 1;
}

/// <summary>How an execution ended. EventCapReached: the recorded trace reached <see cref="TraceLog.MaxEvents"/>
/// (hvolab trace --max-events) and the timed run was stopped there.</summary>
public enum RunOutcome { Completed, Violation, Deadlock, BudgetExceeded, ModelError, Pruned, EventCapReached }

public sealed record RunResult(RunOutcome Outcome, IReadOnlyList<Violation> Violations, long Steps, double EndTimeNs,
    IReadOnlyList<int> Choices, string? Error)
{
    /// <summary>Every task finished (with or without violations, which a run continues past when
    /// <see cref="SimOptions.StopOnViolation"/> is off): the timings cover the whole run, not a prefix.</summary>
    public bool RanToEnd { get; init; }
    /// <summary>Violations beyond the first <see cref="Simulator.MaxKeptViolations"/>, counted, not kept.</summary>
    public long ViolationsDropped { get; init; }
}
