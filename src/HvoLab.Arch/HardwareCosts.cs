namespace HvoLab.Arch;

/// <summary>
/// Cost of every hardware operation in ns (memory accesses, barriers, TLB maintenance, SGIs, exception entry, interrupt
/// masking, WFE, page copies). Defaults are the "Suggested default cost model" of shared/reference/costs.md §8 (each an
/// inference there from the measurements it cites); the source is given next to each value. Kernel software costs
/// (RCU, stop_machine, allocators, fault handling) are <c>HvoLab.Kernel.KernelCosts</c>; a scenario overrides either
/// by name through <c>HvoLab.Kernel.CostModel</c>. Nothing here is tuned to reproduce a published total.
/// </summary>
public sealed record HardwareCosts
{
    /// <summary>Load or store that hits in cache and TLB. costs.md §8 has no figure; one core cycle order (inference).</summary>
    public double MemAccessNs { get; init; } = 1;
    /// <summary>Atomic RMW on a contended line ≈ one cache-line transfer. costs.md §3: Graviton2/3 46–47 ns medians; §8 default 50.</summary>
    public double AtomicNs { get; init; } = 50;
    /// <summary>Cache-line transfer core→core, same die. costs.md §8 (50 ns, range 30–90).</summary>
    public double CacheLineNs { get; init; } = 50;
    /// <summary>One translation-table walk step on a TLB miss (inference: one cache-hitting load per level).</summary>
    public double WalkLevelNs { get; init; } = 5;
    /// <summary>PTE write (set_pte + dsb ishst). costs.md §8: 20 ns (5–50).</summary>
    public double PteWriteNs { get; init; } = 20;
    /// <summary>DSB ISH with no outstanding maintenance. costs.md §8: 20 ns (5–50).</summary>
    public double DsbNs { get; init; } = 20;
    /// <summary>ISB. costs.md §8: 10 ns (5–30).</summary>
    public double IsbNs { get; init; } = 10;
    /// <summary>Broadcast TLBI + DSB ISH completion: base. costs.md §8: 0.5 µs base (0.2–2 µs).</summary>
    public double TlbiBaseNs { get; init; } = 500;
    /// <summary>Broadcast TLBI completion: per core in the domain. costs.md §8: 10 ns × N_cores (2–30 ns).</summary>
    public double TlbiPerCpuNs { get; init; } = 10;
    /// <summary>Issue cost of one TLBI instruction before the DSB (inference: an uncached system op).</summary>
    public double TlbiIssueNs { get; init; } = 5;
    /// <summary>IPI delivery, sender write → handler entry, bare metal. costs.md §8: 1.0 µs (0.5–2 µs).</summary>
    public double IpiDeliveryNs { get; init; } = 1000;
    /// <summary>SGI send: base cost of gic_ipi_send_mask. costs.md §8 smp_call_function: 1.5 µs base is the round trip;
    /// the send share is taken as the per-target term below plus this small base (inference).</summary>
    public double IpiSendBaseNs { get; init; } = 100;
    /// <summary>Per-target SGI write cost with a per-cluster loop. costs.md §8: 0.08 µs × N.</summary>
    public double IpiSendPerTargetNs { get; init; } = 80;
    /// <summary>Per-target cost with GICv3 broadcast (IRM). costs.md §8: 0.02 µs × N.</summary>
    public double IpiSendPerTargetBroadcastNs { get; init; } = 20;
    /// <summary>Exception entry + exit pair (IRQ, NMI, fault). costs.md §5/§8: ≥178 ns syscall round trip (Grace).</summary>
    public double ExceptionEntryExitNs { get; init; } = 180;
    /// <summary>Extra per exception with pseudo-NMI (PMR) masking. costs.md §1/§8: +74 ns on Grace.</summary>
    public double PseudoNmiExtraNs { get; init; } = 75;
    /// <summary>local_irq_disable/enable with DAIF: ~1 ns; with PMR ~5 ns relaxed sync (costs.md §8, inference).</summary>
    public double IrqMaskNs { get; init; } = 1;
    public double IrqMaskPmrNs { get; init; } = 5;
    /// <summary>WFE wake after SEV ≈ one cache-line transfer. costs.md §8: 100 ns (50–200).</summary>
    public double WfeWakeNs { get; init; } = 100;
    /// <summary>Event stream period: a WFE with no event wakes within 100 µs (ARCH_TIMER_EVT_STREAM_PERIOD_US, costs.md §3).</summary>
    public double EventStreamPeriodNs { get; init; } = 100_000;
    /// <summary>One cpu_relax() iteration of a spin loop (inference: a YIELD plus a cache-hitting reload).</summary>
    public double RelaxNs { get; init; } = 5;
    /// <summary>Spinlock handoff ≈ one cache-line transfer. costs.md §8: 50 ns.</summary>
    public double SpinlockHandoffNs { get; init; } = 50;
    /// <summary>Copy of one 4 KiB frame, cache hot. costs.md §8: 150 ns (80–400); scaled by page size.</summary>
    public double CopyPage4KNs { get; init; } = 150;
    /// <summary>Relative timing jitter applied to each cost in timed runs (±fraction), drawn from the seed.</summary>
    public double Jitter { get; init; } = 0.1;

    public static HardwareCosts Default { get; } = new();

    /// <summary>Completion of broadcast TLB maintenance at a DSB on a machine of <paramref name="cpus"/> CPUs.</summary>
    public double TlbiCompletionNs(int cpus) => TlbiBaseNs + TlbiPerCpuNs * cpus;
}
