using BenchmarkDotNet.Attributes;
using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using HvoLab.Kernel.Mm;
using HvoLab.Kernel.Primitives;
using HvoLab.Kernel.Workloads;
using HvoLab.Kernel;
using HvoLab.Strategies;

namespace HvoLab.Bench;

/// <summary>Allocate + optimize one 2 MiB folio, then restore + free it, under D on 4 idle CPUs (boot excluded).</summary>
[MemoryDiagnoser]
public class FolioOptimizeBenchmark
{
    private HvoSystem _sys = null!;

    [IterationSetup]
    public void Setup()
    {
        _sys = HvoSystem.Create(new MachineConfig { Cpus = 4, MemoryBytes = 256UL << 20 }, new KernelConfig(),
            StrategyRegistry.Get("D").Create(), new TimedScheduler(), options: new SimOptions { RecordEvents = false });
        var linux = _sys.Linux;
        int order = linux.Hugetlb.OrderOf(2UL << 20);
        _sys.Sim.Spawn(0, async cpu =>
        {
            await linux.Hugetlb.AllocPool(cpu, order, 1, batched: false);
            await linux.Hugetlb.FreePool(cpu, order, 1, batched: false);
        });
    }

    [Benchmark] public long OptimizeAndRestore() => _sys.Sim.Run().Steps;
}
