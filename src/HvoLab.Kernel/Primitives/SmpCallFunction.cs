using HvoLab.Arch;
using HvoLab.Engine;

namespace HvoLab.Kernel.Primitives;

/// <summary>
/// smp_call_function_many() (kernel/smp.c): queue the function on every target CPU, send IPI_CALL_FUNC, and with
/// <c>wait</c> spin until every target has run it (generic_smp_call_function_interrupt in do_handle_IPI()).
/// Simplification: the per-CPU call queues are host-side lists (the csd structures are not in simulated memory; the
/// SGI orders the enqueue before the handler anyway) and completion is one shared counter in simulated memory
/// (KernelData.CallFunctionPending), so a waiting caller also waits for another caller's targets — more waiting,
/// never less, than the kernel's per-csd locks.
/// </summary>
public sealed class SmpCallFunction(Linux kernel)
{
    private readonly Queue<Func<Cpu, SimTask>>[] _queues = Enumerable.Range(0, kernel.Sim.Cpus.Length).Select(_ => new Queue<Func<Cpu, SimTask>>()).ToArray();

    /// <summary>smp_call_function_many(mask, func, wait): every CPU of <paramref name="mask"/> except the caller.</summary>
    public async SimTask CallMany(Cpu cpu, CpuMask mask, Func<Cpu, SimTask> fn, bool wait)
    {
        if (cpu.IrqsDisabled)
            cpu.Sim.ReportViolation(ViolationKind.WarnOn, [cpu.Id], 0, $"CPU{cpu.Id}: smp_call_function_many() with interrupts disabled (WARN_ON_ONCE(irqs_disabled()); it can deadlock)");
        var targets = new CpuMask();
        ulong n = 0;
        for (int c = 0; c < _queues.Length; c++)
            if (c != cpu.Id && mask.Test(c)) { targets.Set(c); _queues[c].Enqueue(fn); n++; }
        if (n == 0) return;
        await cpu.FetchAddPhys(kernel.Data.CallFunctionPending, n, MemOrder.Relaxed);   // csd_lock(): flags set, ordered by the wmb below
        await cpu.Barrier(BarrierKind.DsbIshSt);                              // smp_cross_call: wmb() before the SGI
        await cpu.SendSgi(targets, Linux.IPI_CALL_FUNC);
        if (wait) await cpu.WaitPhys(kernel.Data.CallFunctionPending, 0, MemOrder.Acquire);   // csd_lock_wait(): smp_cond_load_acquire
    }

    internal bool HasWork(int cpu) => _queues[cpu].Count > 0;

    /// <summary>generic_smp_call_function_interrupt(): run every queued function, then mark each one done.</summary>
    internal async SimTask HandleIpi(Cpu cpu)
    {
        while (_queues[cpu.Id].TryDequeue(out var fn))
        {
            await fn(cpu);
            await cpu.FetchAddPhys(kernel.Data.CallFunctionPending, ulong.MaxValue, MemOrder.Release);   // csd_unlock(): smp_store_release
        }
    }
}
