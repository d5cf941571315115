using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using HvoLab.Kernel.Mm;
using HvoLab.Kernel.Primitives;
using HvoLab.Kernel.Workloads;
using HvoLab.Kernel;

namespace HvoLab.Strategies.Tests;

/// <summary>
/// Small configurations (2 CPUs, 4K, 256 MiB, one or two 2 MiB folios) for the historical fixes of
/// <see cref="RevertedFix"/>, built fresh for every execution of a search.
/// </summary>
public static class HistoricalSetups
{
    public const ulong Memory = 256UL << 20;
    public const int Order2M = 9;

    public static HvoSystem Build(IScheduler s, string strategy, RevertedFix reverted, bool stopOnViolation = true,
        DataMemoryModel model = DataMemoryModel.Sc) =>
        HvoSystem.Create(new MachineConfig { Cpus = 2, Granule = Granule.K4, MemoryBytes = Memory },
            new KernelConfig { Reverted = reverted }, StrategyRegistry.Get(strategy).Create(), s,
            options: new SimOptions { StopOnViolation = stopOnViolation, StepBudget = 200_000, RecordEvents = Trace, MemoryModel = model });

    public static bool Trace;

    /// <summary>PFN the buddy hands out for the n-th 2 MiB allocation on a fresh machine (the allocator is
    /// deterministic), so readers can target struct pages of a folio that does not exist yet.</summary>
    public static ulong NthFolioPfn(int n)
    {
        var sys = Build(new TimedScheduler(), "off", RevertedFix.None);
        ulong pfn = 0;
        for (int i = 0; i <= n; i++) pfn = sys.Linux.Buddy.Alloc(Order2M)!.Value;
        return pfn;
    }

    /// <summary>bd225530a4c7: CPU0 releases an in-use LRU page (the owner's last put_page: 1 → 0; if a walker holds
    /// a reference, the page is freed only when the walker drops it, so CPU0 waits for 0), then allocates it as part
    /// of a hugetlb folio and optimizes it (single-folio path, VMEMMAP_SYNCHRONIZE_RCU). CPU1 is one
    /// get_page_unless_zero/put_page by a speculative PFN walker on a tail struct page in vmemmap page 1.
    /// The release is part of the harness: the model's buddy does not track struct-page refcounts.</summary>
    public static Simulator RcuSync(IScheduler s, string strategy, RevertedFix reverted, DataMemoryModel model = DataMemoryModel.Sc)
    {
        var sys = Build(s, strategy, reverted, model: model);
        var linux = sys.Linux;
        ulong target = NthFolioPfnCached + 65;
        linux.MarkInUseLruPage(target);
        sys.Sim.Spawn(0, async cpu =>
        {
            await linux.ReleaseLruPage(cpu, target);
            await linux.Hugetlb.AllocFreshFolio(cpu, Order2M);
        });
        sys.Sim.Spawn(1, Workload.Create(linux, new WorkloadSpec { Kind = "pfn-walker", TargetPfns = [target], Iterations = 1, PeriodNs = 0 }).Run);
        return sys.Sim;
    }

    private static readonly ulong NthFolioPfnCached = NthFolioPfn(0);

    /// <summary>July 2023 pmd split race: CPU0 and CPU1 each allocate and optimize one 2 MiB folio; both folios'
    /// vmemmap lies in the same vmemmap PMD block, so both walk and try to split it.</summary>
    public static Simulator PmdSplit(IScheduler s, string strategy, RevertedFix reverted, DataMemoryModel model = DataMemoryModel.Sc)
    {
        var sys = Build(s, strategy, reverted, model: model);
        var linux = sys.Linux;
        for (int c = 0; c < 2; c++)
            sys.Sim.Spawn(c, async cpu => { await linux.Hugetlb.AllocFreshFolio(cpu, Order2M); });
        return sys.Sim;
    }

    /// <summary>Free after flush: CPU0 optimizes one folio; CPU1 reads a tail struct page once (memory-failure).
    /// Violations do not stop the run (the generic hooks also trip the BBM oracle), so each execution reports every
    /// kind it met.</summary>
    public static Simulator FreeBeforeFlush(IScheduler s, string strategy, RevertedFix reverted, DataMemoryModel model = DataMemoryModel.Sc)
    {
        var sys = Build(s, strategy, reverted, stopOnViolation: strategy != "unsafe", model: model);
        var linux = sys.Linux;
        sys.Sim.Spawn(0, async cpu => { await linux.Hugetlb.AllocFreshFolio(cpu, Order2M); });
        sys.Sim.Spawn(1, Workload.Create(linux, new WorkloadSpec { Kind = "memory-failure", TargetPfns = [NthFolioPfnCached + 65], Iterations = 1, PeriodNs = 0 }).Run);
        return sys.Sim;
    }
}
