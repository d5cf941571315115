namespace HvoLab.Kernel;

/// <summary>
/// Cost of kernel software paths the model does not run instruction by instruction, in ns: RCU grace periods,
/// stop_machine's stopper wake-up, the page allocator, hugetlb page preparation and the fault-handling body. Defaults
/// from shared/reference/costs.md §8 (source beside each); hardware costs are <see cref="HvoLab.Arch.HardwareCosts"/>.
/// </summary>
public sealed record KernelCosts
{
    /// <summary>synchronize_rcu() on a mostly idle machine, HZ=1000. costs.md §4/§8: 6–10 ms; default 8 ms.</summary>
    public double SynchronizeRcuNs { get; init; } = 8_000_000;
    /// <summary>synchronize_rcu_expedited(). costs.md §8: 50 µs (20–500, inference).</summary>
    public double SynchronizeRcuExpeditedNs { get; init; } = 50_000;
    /// <summary>stop_machine: stopper wake (IPI + context switch). costs.md §8: T = 5 µs + N × 0.3 µs (inference).</summary>
    public double StopMachineBaseNs { get; init; } = 5_000;
    public double StopMachinePerCpuNs { get; init; } = 300;
    /// <summary>Page allocator fast path (alloc_pages order 0) (inference; part of the 5–8 µs hugetlb alloc, costs.md §8).</summary>
    public double PageAllocNs { get; init; } = 200;
    /// <summary>Allocate and prepare one 2 MiB hugetlb page without HVO. costs.md §8: 5–8 µs; default 6 µs.</summary>
    public double HugetlbPrep2MNs { get; init; } = 6_000;
    /// <summary>Minor/kernel fault handling body beyond entry/exit (inference; costs.md §8: 1.5 µs for a full minor fault).</summary>
    public double FaultHandlingNs { get; init; } = 300;

    public static KernelCosts Default { get; } = new();
}
