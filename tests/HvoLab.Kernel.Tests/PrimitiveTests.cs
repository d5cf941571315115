using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using HvoLab.Kernel.Mm;
using HvoLab.Kernel.Primitives;
using HvoLab.Kernel.Workloads;
using Xunit;

namespace HvoLab.Kernel.Tests;

/// <summary>RCU's grace period and stop_machine(), checked over every interleaving (RCU) or in timed runs.</summary>
public class PrimitiveTests
{
    private static HvoSystem Sys(IScheduler s, int cpus) =>
        HvoSystem.Create(new MachineConfig { Cpus = cpus, MemoryBytes = 256UL << 20 }, new KernelConfig(), new GenericVmemmapArch(), s,
            options: new SimOptions { StepBudget = 100_000 });

    /// <summary>The grace-period guarantee: a reader whose critical section began before synchronize_rcu() was
    /// called has finished it when synchronize_rcu() returns. The reader writes A then B inside its section; the
    /// updater reads A, waits a grace period, reads B: A = 1 with B = 0 would mean it returned mid-section.</summary>
    private static Simulator GracePeriod(IScheduler s, bool synchronize)
    {
        var sys = Sys(s, 2);
        var linux = sys.Linux;
        ulong a = linux.Buddy.Alloc(0)!.Value << 12, b = a + 64;
        sys.Sim.Spawn(1, async cpu =>
        {
            await linux.Rcu.ReadLock(cpu);
            await cpu.StorePhys(a, 1);
            await cpu.StorePhys(b, 1);
            await linux.Rcu.ReadUnlock(cpu);
        });
        sys.Sim.Spawn(0, async cpu =>
        {
            ulong va = await cpu.LoadPhys(a);
            if (synchronize) await linux.Rcu.SynchronizeRcu(cpu);
            ulong vb = await cpu.LoadPhys(b);
            if (va == 1 && vb == 0) cpu.Sim.ReportViolation("grace-period", [0, 1], 0, "synchronize_rcu returned while a pre-existing reader was inside its section");
        });
        return sys.Sim;
    }

    [Fact]
    public void SynchronizeRcuWaitsForAReaderInsideItsSection()
    {
        var r = new ExhaustiveExplorer(s => GracePeriod(s, synchronize: true)).Explore();
        Assert.True(r.Complete, r.StopReason);
        Assert.Empty(r.Failures);
        Assert.True(r.Executions > 1);
    }

    [Fact]
    public void WithoutTheGracePeriodTheSearchFindsTheRace()
    {
        var r = new ExhaustiveExplorer(s => GracePeriod(s, synchronize: false)).Explore();
        var (run, _) = Assert.Single(r.Failures);
        Assert.Equal("grace-period", run.Violations[0].Kind);
    }

    [Fact]
    public void ReadLockDisablesPreemptionAndNests()
    {
        var sys = Sys(new TimedScheduler(), 1);
        var seen = new List<(int Preempt, ulong Nesting)>();
        sys.Sim.Spawn(0, async cpu =>
        {
            await sys.Linux.Rcu.ReadLock(cpu);
            await sys.Linux.Rcu.ReadLock(cpu);
            seen.Add((cpu.PreemptCount, await cpu.LoadPhys(sys.Linux.Data.RcuNesting[0])));
            await sys.Linux.Rcu.ReadUnlock(cpu);
            await sys.Linux.Rcu.ReadUnlock(cpu);
            seen.Add((cpu.PreemptCount, await cpu.LoadPhys(sys.Linux.Data.RcuNesting[0])));
        });
        Assert.Equal(RunOutcome.Completed, sys.Sim.Run().Outcome);
        Assert.Equal([(2, 2UL), (0, 0UL)], seen);
    }

    /// <summary>stop_machine(): while fn runs on the caller, every other CPU is inside multi_cpu_stop (preempting
    /// work on top of its task) with interrupts off; afterwards their interrupts are back on and their tasks go on.</summary>
    [Fact]
    public void StopMachineRunsFnWithEveryOtherCpuStoppedWithIrqsOff()
    {
        var sys = Sys(new TimedScheduler(), 3);
        var sm = new StopMachine(sys.Linux);
        var during = new List<(int Cpu, ContextKind Ctx, bool IrqsOff)>();
        bool ran = false;
        var after = new int[3];
        sys.Sim.Spawn(0, async cpu =>
        {
            await cpu.Work(5_000);
            await sm.Execute(cpu, c =>
            {
                ran = true;
                Assert.True(c.IrqsDisabled);
                foreach (var o in c.Sim.Cpus.Where(o => o != c)) during.Add((o.Id, o.Context, o.IrqsDisabled));
                return SimTask.CompletedTask;
            });
        });
        for (int c = 1; c < 3; c++)
        {
            int id = c;
            sys.Sim.Spawn(c, async cpu =>
            {
                for (int i = 0; i < 40; i++) { await cpu.Work(500); if (ran) after[id]++; }
                Assert.False(cpu.IrqsDisabled);
            });
        }
        var r = sys.Sim.Run();
        Assert.True(r.Outcome == RunOutcome.Completed, r.Error ?? string.Join("; ", r.Violations.Select(v => v.Explanation)));
        Assert.True(ran);
        Assert.Equal([(1, ContextKind.Preempt, true), (2, ContextKind.Preempt, true)], during);
        Assert.All(after.Skip(1), n => Assert.True(n > 0, "the stopped CPU's task resumes after stop_machine"));
    }
}
