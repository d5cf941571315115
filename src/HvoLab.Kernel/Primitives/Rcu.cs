using HvoLab.Engine;

namespace HvoLab.Kernel.Primitives;

/// <summary>
/// RCU as HVO uses it (kernel/rcu/tree.c in outline): rcu_read_lock/unlock bump a per-CPU nesting counter;
/// synchronize_rcu() waits until every other CPU has been seen outside a read-side critical section after the call
/// began, which is a grace period for non-preemptible readers. Its latency in timed runs is the measured
/// synchronize_rcu() cost (KernelCosts.SynchronizeRcuNs, costs.md §4); the wait itself is real.
/// </summary>
public sealed class Rcu(Linux linux)
{
    public async SimTask ReadLock(Cpu cpu)
    {
        cpu.PreemptCount++;   // !CONFIG_PREEMPT_RCU: rcu_read_lock() disables preemption
        ulong pa = linux.Data.RcuNesting[cpu.Id];
        ulong n = await cpu.LoadPhys(pa);
        // The nesting counter stands for the grace-period machinery, whose guarantee rests on full barriers
        // (Documentation/RCU/Design/Memory-Ordering): under the Arm data model the reader's entry is fully ordered
        // before its critical section, its exit a release after it, and synchronize_rcu's check an acquire.
        await cpu.StorePhys(pa, n + 1, MemOrder.Full);
    }

    public async SimTask ReadUnlock(Cpu cpu)
    {
        ulong pa = linux.Data.RcuNesting[cpu.Id];
        ulong n = await cpu.LoadPhys(pa);
        await cpu.StorePhys(pa, n - 1, MemOrder.Release);
        cpu.PreemptCount--;
    }

    public async SimTask SynchronizeRcu(Cpu cpu, bool expedited = false)
    {
        await cpu.Work(expedited ? linux.Cost.Kernel.SynchronizeRcuExpeditedNs : linux.Cost.Kernel.SynchronizeRcuNs, cpu.Sim.Label("synchronize_rcu"));
        for (int c = 0; c < cpu.Sim.Cpus.Length; c++)
        {
            if (c == cpu.Id) continue;
            await cpu.WaitPhys(linux.Data.RcuNesting[c], 0, MemOrder.Acquire);
        }
    }
}
