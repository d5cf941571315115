namespace HvoLab.Kernel.Primitives;

/// <summary>
/// Physical addresses of the kernel globals the model shares between CPUs (one frame of simulated memory, reached
/// through the linear map, whose translation is never changed, so accessed by PA). Each lock or counter sits in its
/// own 64-byte line, as ____cacheline_aligned would place it.
/// </summary>
public sealed class KernelData
{
    private readonly ulong _base;
    private int _nextLine;

    public KernelData(ulong basePa, int cpus)
    {
        _base = basePa;
        InitMmPageTableLock = Line();
        CpuPauseLock = Line();
        CpuPaused = Line();
        NrCpusPaused = Line();
        HugetlbOptimizeVmemmapKey = Line();
        StopMachineState = Line();
        StopMachineAck = Line();
        HugetlbLock = Line();
        StopCpusMutex = Line();
        StopMachineDone = Line();
        PausedCpusMask = Line();
        ResumedCpusMask = Line();
        CallFunctionPending = Line();
        if (_nextLine > FixedLines) throw new InvalidOperationException("KernelData.FixedLines is too small");
        _nextLine = FixedLines;
        RcuNesting = new ulong[cpus];
        for (int i = 0; i < cpus; i++) RcuNesting[i] = Line();
    }

    /// <summary>Lines used before the per-CPU ones (an upper bound, checked in the constructor).</summary>
    public const int FixedLines = 24;

    private ulong Line() => _base + (ulong)(64 * _nextLine++);

    /// <summary>init_mm.page_table_lock (mm/init-mm.c).</summary>
    public ulong InitMmPageTableLock { get; }
    /// <summary>cpu_pause_lock, cpu_paused, nr_cpus_paused (seed series v2, arch/arm64/kernel/smp.c).</summary>
    public ulong CpuPauseLock { get; }
    public ulong CpuPaused { get; }
    public ulong NrCpusPaused { get; }
    /// <summary>RFC masks paused_cpus / resumed_cpus (first 64 CPUs' bits in one word each; the RFC variant).</summary>
    public ulong PausedCpusMask { get; }
    public ulong ResumedCpusMask { get; }
    /// <summary>hugetlb_optimize_vmemmap_key (a static key; modelled as a counter word).</summary>
    public ulong HugetlbOptimizeVmemmapKey { get; }
    /// <summary>multi_stop_data.state and .thread_ack (kernel/stop_machine.c).</summary>
    public ulong StopMachineState { get; }
    public ulong StopMachineAck { get; }
    public ulong HugetlbLock { get; }
    /// <summary>stop_cpus_mutex (a sleeping mutex; modelled as a lock word the caller waits on, preemptible).</summary>
    public ulong StopCpusMutex { get; }
    /// <summary>The completion the stop_machine() caller waits on (cpu_stop_done.nr_todo).</summary>
    public ulong StopMachineDone { get; }
    /// <summary>Functions queued by smp_call_function_many() not yet run by their target (SmpCallFunction).</summary>
    public ulong CallFunctionPending { get; }
    /// <summary>Per-CPU RCU read-side nesting counters.</summary>
    public ulong[] RcuNesting { get; }
}
