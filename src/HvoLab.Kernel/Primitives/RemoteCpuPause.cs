using HvoLab.Arch;
using HvoLab.Engine;

namespace HvoLab.Kernel.Primitives;

/// <summary>How the pause IPI is delivered: IPI_CPU_STOP_NMI as a pseudo-NMI (the series), or IPI_CPU_STOP as an
/// ordinary IRQ (a what-if for machines without pseudo-NMI).</summary>
public enum PauseIpi { Nmi, Irq }

/// <summary>pause_remote_cpus() / resume_remote_cpus() as a strategy sees them (<see cref="IKernelServices.CpuPause"/>);
/// each remote CPU runs pause_local_cpu() in the IPI_CPU_STOP(_NMI) case of do_handle_IPI().</summary>
public interface ICpuPause
{
    /// <summary>The IPI the pause is sent with.</summary>
    int Ipi { get; }
    /// <summary>Completed pause_remote_cpus() calls.</summary>
    long Pauses { get; }
    /// <summary>pause_remote_cpus(): with interrupts (preemption) off; returns when every other CPU spins in pause_local_cpu().</summary>
    SimTask PauseRemoteCpus(Cpu cpu);
    /// <summary>resume_remote_cpus(): returns when every paused CPU has left pause_local_cpu().</summary>
    SimTask ResumeRemoteCpus(Cpu cpu);
}

/// <summary>
/// pause_remote_cpus / resume_remote_cpus / pause_local_cpu of the seed series v2 (patch 4,
/// 20241107202033.2721681-5-yuzhao@google.com; arch/arm64/kernel/smp.c; seed-series.md §2.4): a raw spinlock,
/// a cpu_paused flag and a counter of paused CPUs; the pause is IPI_CPU_STOP_NMI (a pseudo-NMI under priority
/// masking, else an ordinary IRQ) to every online CPU but self, via the GICv3 broadcast (patch 3).
/// </summary>
public sealed class RemoteCpuPause(Linux kernel, PauseIpi ipi) : ICpuPause
{
    private KernelData D => kernel.Data;
    public int Ipi => ipi == PauseIpi.Nmi ? Linux.IPI_CPU_STOP_NMI : Linux.IPI_CPU_STOP;
    public long Pauses { get; private set; }

    /// <summary>pause_remote_cpus(): called with cpus_read_lock held and preemption (here: interrupts) disabled.</summary>
    public async SimTask PauseRemoteCpus(Cpu cpu)
    {
        int n = cpu.Sim.Cpus.Length - 1;                                     // num_online_cpus() - 1
        if (cpu.PreemptCount == 0 && !cpu.IrqsDisabled)
            cpu.Sim.ReportViolation(ViolationKind.Lockdep, [cpu.Id], 0, $"CPU{cpu.Id}: pause_remote_cpus() with preemption enabled (lockdep_assert_preemption_disabled)");
        if (n == 0) return;
        var mask = new CpuMask();
        for (int c = 0; c < cpu.Sim.Cpus.Length; c++) if (c != cpu.Id) mask.Set(c);
        double start = cpu.Time;
        await Locks.SpinLock(cpu, D.CpuPauseLock);                          // raw_spin_lock(&cpu_pause_lock)
        if (await cpu.LoadPhys(D.CpuPaused) != 0 || await cpu.LoadPhys(D.NrCpusPaused) != 0)
            cpu.Sim.ReportViolation(ViolationKind.WarnOn, [cpu.Id], 0, $"CPU{cpu.Id}: WARN_ON_ONCE(cpu_paused || nr_cpus_paused) in pause_remote_cpus (a pause is still in progress)");
        await cpu.StorePhys(D.CpuPaused, 1);                                // cpu_paused = true (plain store)
        await cpu.Barrier(BarrierKind.DsbIshSt, "gic_ipi_send_mask: wmb()");
        await cpu.SendSgi(mask, Ipi, broadcast: true, closedForm: ClosedForm);    // smp_cross_call(IPI_CPU_STOP_NMI)
        await cpu.WaitPhys(D.NrCpusPaused, (ulong)n);                       // spin until every CPU has paused
        await Locks.SpinUnlock(cpu, D.CpuPauseLock);
        cpu.Section(start, "pause_remote_cpus");
        Pauses++;
    }

    /// <summary>resume_remote_cpus(): clear cpu_paused, then wait until every paused CPU has left the pause loop.</summary>
    public async SimTask ResumeRemoteCpus(Cpu cpu)
    {
        if (await cpu.LoadPhys(D.CpuPaused) == 0) return;
        double start = cpu.Time;
        await Locks.SpinLock(cpu, D.CpuPauseLock);
        await cpu.StorePhys(D.CpuPaused, 0);                                // WRITE_ONCE(cpu_paused, false)
        await cpu.WaitPhys(D.NrCpusPaused, 0);                              // until every CPU has left the loop
        await Locks.SpinUnlock(cpu, D.CpuPauseLock);
        cpu.Section(start, "resume_remote_cpus");
    }

    /// <summary>pause_local_cpu(), in the IPI handler of every remote CPU: its steps, written once. The engine runs
    /// them op by op or, in timed runs, in closed form from this same list (<see cref="SpinHandler"/>).</summary>
    private SpinHandler PauseLocalCpuSteps => _pauseLocalCpu ??= new SpinHandler(kernel.Sim, "paused",
        SpinHandlerStep.AtomicAdd(D.NrCpusPaused, 1),                        // atomic_inc(&nr_cpus_paused)
        SpinHandlerStep.SpinUntil(D.CpuPaused, 0),                           // while (READ_ONCE(cpu_paused)) cpu_relax();
        SpinHandlerStep.AtomicAdd(D.NrCpusPaused, ulong.MaxValue),           // atomic_dec(&nr_cpus_paused)
        SpinHandlerStep.Isb("pause_local_cpu: isb()"));                      // see the updater's table changes
    private SpinHandler? _pauseLocalCpu;

    /// <summary>The closed form of pause_local_cpu() the pause IPI is sent with.</summary>
    internal IClosedFormHandler ClosedForm => PauseLocalCpuSteps;

    /// <summary>pause_local_cpu(), in the IPI handler of every remote CPU.</summary>
    public async SimTask PauseLocalCpu(Cpu cpu)
    {
        double t0 = cpu.Time;
        await PauseLocalCpuSteps.Run(cpu);
        cpu.Stats.TimeByLabel.Add(PauseLocalCpuSteps.Label, cpu.Time - t0);
        cpu.Section(t0, "paused");
    }
}
