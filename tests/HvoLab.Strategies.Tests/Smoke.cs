using HvoLab.Arch;
using HvoLab.Engine;
using HvoLab.Kernel;
using HvoLab.Strategies;
using Xunit;
using Xunit.Abstractions;

namespace HvoLab.Strategies.Tests;

public class Smoke(ITestOutputHelper output)
{
    [Theory]
    [InlineData("unsafe")]
    [InlineData("D")]
    [InlineData("A")]
    [InlineData("B")]
    [InlineData("ours")]
    [InlineData("off")]
    public void TimedRun(string strategy)
    {
        var sys = HvoSystem.Create(new MachineConfig { Cpus = 4, MemoryBytes = 256UL << 20 }, new KernelConfig(),
            StrategyCatalog.Get(strategy).Create(new StrategyOptions()), new TimedScheduler(), options: new SimOptions { RecordEvents = false, StepBudget = 2_000_000 });
        var linux = sys.Linux;
        int order = linux.Hugetlb.OrderOf(2UL << 20);
        sys.Sim.Spawn(0, async cpu =>
        {
            await linux.Hugetlb.AllocPool(cpu, order, 4, batched: true);
            await linux.Hugetlb.FreePool(cpu, order, 4, batched: true);
        });
        var targets = new ulong[] { 0, 64, 100, 512, 512 + 64 };
        sys.Sim.Spawn(1, Workload.Create(linux, new WorkloadSpec { Kind = "pfn-walker", TargetPfns = targets, PeriodNs = 500 }).Run, background: true);
        sys.Sim.Spawn(2, Workload.Create(linux, new WorkloadSpec { Kind = "gup-fast", TargetPfns = targets, PeriodNs = 700 }).Run, background: true);
        sys.Sim.Spawn(3, Workload.Create(linux, new WorkloadSpec { Kind = "background", PeriodNs = 1000, IrqOffNs = new NsRange(100, 2000) }).Run, background: true);
        var r = sys.Sim.Run();
        output.WriteLine($"{strategy}: {r.Outcome} steps={r.Steps} end={r.EndTimeNs:F0}ns freed={linux.VmemmapPagesFreed} alloc={linux.VmemmapPagesAllocated}");
        foreach (var v in r.Violations.Take(3)) output.WriteLine($"  {v.Kind}: {v.Explanation}");
        if (r.Error != null) output.WriteLine(r.Error);
        foreach (var c in sys.Sim.Cpus) output.WriteLine($"  cpu{c.Id} finished={c.Finished} ctx={c.Context} t={c.Time:F0} stop={sys.Sim.StopRequested} bg={c.IsBackground}");
        Assert.Null(r.Error);
    }
}
