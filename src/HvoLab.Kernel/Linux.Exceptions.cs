using HvoLab.Arch;
using HvoLab.Engine;
using HvoLab.Kernel.Primitives;

namespace HvoLab.Kernel;

/// <summary>IPI dispatch (arch/arm64/kernel/smp.c do_handle_IPI) and the kernel fault path for kernel addresses
/// (arch/arm64/mm/fault.c __do_kernel_fault).</summary>
public sealed partial class Linux
{
    // enum ipi_msg_type (arch/arm64/kernel/smp.c; kernel-hvo.md §5).
    public const int IPI_RESCHEDULE = 0, IPI_CALL_FUNC = 1, IPI_CPU_STOP = 2, IPI_CPU_STOP_NMI = 3, IPI_TIMER = 4,
        IPI_IRQ_WORK = 5, IPI_CPU_BACKTRACE = 6, IPI_KGDB_ROUNDUP = 7;

    /// <summary>What an IPI_CPU_BACKTRACE NMI does on the target (the nmi-reader workload installs a struct page dump).</summary>
    public Func<Cpu, SimTask>? BacktraceHandler { get; set; }

    /// <summary>ipi_should_be_nmi(): with priority masking, CPU_STOP_NMI, CPU_BACKTRACE and KGDB_ROUNDUP are pseudo-NMIs.</summary>
    public void ConfigureIpiPriorities(params int[] extraNmis)
    {
        if (!Config.PseudoNmi) return;
        foreach (int ipi in new[] { IPI_CPU_STOP_NMI, IPI_CPU_BACKTRACE, IPI_KGDB_ROUNDUP }.Concat(extraNmis))
            Sim.Gic.SetPriority(ipi, Gic.PrioNmi);
    }

    /// <summary>The CPU pause of the seed series, once a strategy asked for it (<see cref="IKernelServices.CpuPause"/>).</summary>
    internal RemoteCpuPause? CpuPause { get; set; }
    /// <summary>smp_call_function_many()'s queues, created on first use.</summary>
    internal SmpCallFunction SmpCall => _smpCall ??= new SmpCallFunction(this);
    private SmpCallFunction? _smpCall;
    /// <summary>IPI numbers a strategy added to do_handle_IPI()'s switch (<see cref="IKernelServices.RegisterIpi"/>).</summary>
    internal readonly Dictionary<int, Func<Cpu, SimTask>> IpiCases = new();
    /// <summary>The vmemmap fault fixup a strategy registered (approach A), or null.</summary>
    internal Func<Cpu, FaultInfo, SimTask<bool>>? VmemmapFaultFixup { get; set; }

    /// <summary>do_handle_IPI(): one case per IPI number. IPI_CPU_STOP / IPI_CPU_STOP_NMI pause the CPU while a
    /// pause is set up (seed series v2 patch 4: pause_local_cpu() unless a stop is in progress; no stop is modelled).</summary>
    private async SimTask DoHandleIpi(Cpu cpu, int ipi)
    {
        switch (ipi)
        {
            case IPI_CPU_STOP or IPI_CPU_STOP_NMI when CpuPause is { } pause && pause.Ipi == ipi: await pause.PauseLocalCpu(cpu); break;
            case IPI_CALL_FUNC when _smpCall is { } calls && calls.HasWork(cpu.Id): await calls.HandleIpi(cpu); break;
            case IPI_CPU_BACKTRACE when BacktraceHandler is not null: await BacktraceHandler(cpu); break;
            case var n when IpiCases.TryGetValue(n, out var handler): await handler(cpu); break;
            default: await cpu.Work(100, Sim.Label("ipi " + ipi)); break;
        }
    }

    /// <summary>__do_kernel_fault() for a fault on a kernel address: the registered vmemmap fixup (approach A), then
    /// is_spurious_el1_translation_fault() (re-walk the tables; retry if the address now translates), else oops.</summary>
    private async SimTask<bool> DoKernelFault(Cpu cpu, FaultInfo f)
    {
        bool vmemmap = Layout.IsVmemmap(f.Va);
        if (vmemmap && f.Kind == FaultKind.Translation && VmemmapFaultFixup is { } fixup && await fixup(cpu, f)) return true;
        if (f.Kind == FaultKind.Translation)
        {
            await cpu.Work(Cost.Kernel.FaultHandlingNs, Sim.Label("is_spurious_el1_translation_fault"));
            var now = Arch.Translate(f.Va);   // AT S1E1R + PAR_EL1 (a walk of the current tables)
            if (now.Fault == FaultKind.None) return true;
        }
        string what = vmemmap && f.Kind == FaultKind.Permission && f.Access != AccessKind.Read
            ? $"write to a read-only vmemmap page ({(f.Access == AccessKind.Rmw ? "atomic RMW" : "store")} on struct page 0x{f.Va:x}, PFN 0x{Layout.PageToPfn(f.Va & ~63UL):x})"
            : $"unable to handle kernel paging request at virtual address 0x{f.Va:x} ({f.Kind} fault, level {f.Level}, {f.Access})";
        var kind = vmemmap && f.Kind == FaultKind.Permission ? ViolationKind.WriteToRoVmemmap : ViolationKind.KernelFault;
        Sim.ReportViolation(kind, [cpu.Id], f.Va, $"CPU{cpu.Id} in {f.Context} context (interrupts {(cpu.IrqsDisabled ? "masked" : "enabled")}): {what}; Oops");
        return false;
    }

    // ---- the engine's view of the kernel (IGuest): where interrupts and faults enter it ----
    private ulong _privateDataLo, _privateDataHi;
    SimTask IGuest.HandleSgi(Cpu cpu, int sgi) => DoHandleIpi(cpu, sgi);
    SimTask<bool> IGuest.HandleFault(Cpu cpu, FaultInfo fault) => DoKernelFault(cpu, fault);
    double IGuest.FaultHandlingNs => Cost.Kernel.FaultHandlingNs;
    /// <summary>Kernel globals (one line each, reached through the linear map) that no modelled VA can alias.</summary>
    bool IGuest.IsPrivateKernelData(ulong pa) => pa >= _privateDataLo && pa < _privateDataHi;
    /// <summary>Under the Arm data model no kernel global is read at an older value (the engine's default,
    /// <see cref="IGuest.MayReadOlderValue"/>). The only plain loads of globals whose order could matter are
    /// pause_remote_cpus' READ_ONCE(cpu_paused) / atomic_read(nr_cpus_paused) right after the lock's acquire, which no
    /// store of another CPU can follow before the lock holder's own pause (cpu_paused is written only by the holder;
    /// resume_remote_cpus waits for nr_cpus_paused to reach 0 before it unlocks); the others are waits, RMWs, the RCU
    /// nesting counter its own CPU alone writes, or the static key (an instruction, patched under stop_machine).
    /// Declaring those two words costs each ordering point a dependency with every paused CPU's atomic_inc/dec:
    /// D on check-default went from 308,696 executions (proved) to more than 1,003,767 (not complete in 300 s), for no
    /// behaviour the lock leaves possible (docs/arch.md).</summary>
    bool IGuest.MayReadOlderValue(ulong pa) => false;
}
