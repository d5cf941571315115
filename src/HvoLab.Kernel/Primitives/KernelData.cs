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
        InitMmPageTableLock = Line("init_mm.page_table_lock");
        CpuPauseLock = Line("cpu_pause_lock");
        CpuPaused = Line("cpu_paused");
        NrCpusPaused = Line("nr_cpus_paused");
        HugetlbOptimizeVmemmapKey = Line("hugetlb_optimize_vmemmap_key");
        StopMachineState = Line("multi_stop_data.state");
        StopMachineAck = Line("multi_stop_data.thread_ack");
        HugetlbLock = Line("hugetlb_lock");
        StopCpusMutex = Line("stop_cpus_mutex");
        StopMachineDone = Line("cpu_stop_done.nr_todo");
        PausedCpusMask = Line("paused_cpus");
        ResumedCpusMask = Line("resumed_cpus");
        CallFunctionPending = Line("smp_call_function_many pending (model counter)");
        if (_nextLine > FixedLines) throw new InvalidOperationException("KernelData.FixedLines is too small");
        _nextLine = FixedLines;
        RcuNesting = new ulong[cpus];
        for (int i = 0; i < cpus; i++) RcuNesting[i] = NextLine();
    }

    /// <summary>Lines used before the per-CPU ones (an upper bound, checked in the constructor).</summary>
    public const int FixedLines = 24;

    private readonly List<(ulong Pa, string Name)> _symbols = new();

    /// <summary>Allocates the next 64-byte line for the global whose C name is <paramref name="name"/>.</summary>
    private ulong Line(string name)
    {
        ulong pa = NextLine();
        _symbols.Add((pa, name));
        return pa;
    }

    private ulong NextLine() => _base + (ulong)(64 * _nextLine++);

    /// <summary>Every global with its C name, in allocation order: what an oops would print for its address (the
    /// counterexample symboliser reads this, so a new global is named where it is allocated). The per-CPU names are
    /// made here, on demand, not at boot: a search boots the kernel once per execution.</summary>
    public IEnumerable<(ulong Pa, string Name)> Symbols =>
        _symbols.Concat(RcuNesting.Select((pa, cpu) => (pa, $"per_cpu(rcu_data, {cpu}).nesting")));

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
