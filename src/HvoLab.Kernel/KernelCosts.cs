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
    /// <summary>One order-0 allocation (alloc_pages_node: per-CPU lists, refilled from the zone), which
    /// alloc_vmemmap_page_list and vmemmap_remap_free make once per vmemmap page. Published figures (neither on arm64;
    /// none found for arm64): 94 ns per 4 KiB allocation with one core allocating (Wrenger et al., "LLFree", USENIX
    /// ATC '23, introduction; https://www.usenix.org/conference/atc23/presentation/wrenger); 54–58 ns for an alloc+free
    /// pair that stays in the per-CPU list (Brouer, page_bench04_bulk, Xeon E5-1650 v4 3.6 GHz; lore
    /// 20210322130446.0a505db0@carbon). The default is the allocation-only figure, the larger: the vmemmap paths
    /// allocate pages in a row and free none in between, so the per-CPU list drains and refills. Was 200 ns, uncited.</summary>
    public double PageAllocNs { get; init; } = 94;
    /// <summary>Freeing one hugetlb folio to the buddy (__free_pages of the whole folio) beyond the struct-page stores
    /// <c>DestroyCompound</c> charges. Inference, no figure found: the 200 ns it cost when it shared PageAllocNs.</summary>
    public double HugetlbFreeNs { get; init; } = 200;
    /// <summary>Allocate and prepare one 2 MiB hugetlb page without HVO. costs.md §8: 5–8 µs; default 6 µs.</summary>
    public double HugetlbPrep2MNs { get; init; } = 6_000;
    /// <summary>Minor/kernel fault handling body beyond entry/exit (inference; costs.md §8: 1.5 µs for a full minor fault).</summary>
    public double FaultHandlingNs { get; init; } = 300;

    public static KernelCosts Default { get; } = new();
}
