using HvoLab.Arch;
using HvoLab.Engine;
using HvoLab.Kernel.Primitives;

namespace HvoLab.Kernel;

/// <summary><see cref="IKernelServices"/> on one booted <see cref="Linux"/>: each member forwards to the routine
/// that models the kernel function (PageTableOps, Locks, StopMachine, Rcu, RemoteCpuPause, SmpCallFunction).</summary>
internal sealed class KernelServices(Linux linux) : IKernelServices
{
    private PageTableOps Pt => linux.Pt;
    private Granule G => linux.Layout.Granule;

    public Granule Granule => G;
    public HvoDesign Design => linux.Config.Design;
    public bool PseudoNmi => linux.Config.PseudoNmi;
    public int NumOnlineCpus => linux.Sim.Cpus.Length;

    public SimTask SetPte(Cpu cpu, ulong ptep, ulong pte) => Pt.SetPteAt(cpu, ptep, pte);
    public SimTask PteClear(Cpu cpu, ulong ptep) => Pt.PteClear(cpu, ptep);
    public async SimTask<ulong> PtepGet(Cpu cpu, ulong ptep) => await cpu.LoadPhys(ptep);
    public async SimTask<ulong> CmpxchgRelaxed(Cpu cpu, ulong ptep, ulong old, ulong @new)
    {
        ulong found = await cpu.CasPhys(ptep, old, @new, MemOrder.Relaxed);   // cmpxchg_relaxed(): no ordering beyond the word
        if (found == old) linux.Monitors.OnPteWritten(cpu, ptep, @new);
        return found;
    }
    public SimTask<int> TryUpdateVmemmapPte(Cpu cpu, ulong addr, ulong ptep, ulong pte) => linux.Arm64.TryUpdateVmemmapPte(cpu, addr, ptep, pte);
    public SimTask<int> TryPopulateVmemmapPmd(Cpu cpu, ulong addr, ulong pmdp, ulong ptePage) => linux.Arm64.TryPopulateVmemmapPmd(cpu, addr, pmdp, ptePage);
    public SimTask PmdClear(Cpu cpu, ulong pmdp) => Pt.PmdClear(cpu, pmdp);
    public async SimTask<ulong> PmdpGet(Cpu cpu, ulong pmdp) => await cpu.LoadPhys(pmdp);
    public SimTask PmdPopulateKernel(Cpu cpu, ulong pmdp, ulong ptePage) => Pt.PmdPopulateKernel(cpu, pmdp, ptePage);
    public ulong PmdOffK(ulong va) => linux.Hvo.Walk.PmdOffK(va);
    public ulong PteOffsetKernel(ulong pmd, ulong va) => (pmd & DescBits.AddressMask(G.PageShift)) + ((ulong)G.Index(va, 3) << 3);
    public bool PmdLeaf(ulong pmd) => new Descriptor(pmd).IsBlock(G, 2);
    public bool PmdTable(ulong pmd) => new Descriptor(pmd).IsTable(G, 2);
    public bool PteValid(ulong pte) => new Descriptor(pte).IsPage(G, 3);
    public bool PteWrite(ulong pte) => (pte & DescBits.RdOnly) == 0;
    public ulong PtePfn(ulong pte) => Pt.PtePfn(pte);
    public ulong PfnPte(ulong pfn, bool readOnly = false) => Pt.MkPte(pfn, readOnly ? Prot.PAGE_KERNEL_RO : Prot.PAGE_KERNEL);

    public SimTask FlushTlbKernelRange(Cpu cpu, ulong start, ulong end) => Pt.FlushTlbKernelRange(cpu, start, end);
    public SimTask FlushTlbAll(Cpu cpu) => Pt.FlushTlbAll(cpu);
    public async SimTask Dsb(Cpu cpu, BarrierKind kind = BarrierKind.DsbIsh, string? site = null) => await cpu.Barrier(kind, site);
    public async SimTask Isb(Cpu cpu, string? site = null) => await cpu.Isb(site);

    public ulong InitMmPageTableLock => linux.Data.InitMmPageTableLock;
    public SimTask SpinLock(Cpu cpu, ulong lockp) => Locks.SpinLock(cpu, lockp);
    public SimTask SpinUnlock(Cpu cpu, ulong lockp) => Locks.SpinUnlock(cpu, lockp);
    public SimTask<bool> SpinLockIrqSave(Cpu cpu, ulong lockp) => Locks.SpinLockIrqSave(cpu, lockp);
    public SimTask SpinUnlockIrqRestore(Cpu cpu, ulong lockp, bool flags) => Locks.SpinUnlockIrqRestore(cpu, lockp, flags);
    public async SimTask LocalIrqDisable(Cpu cpu) => await cpu.LocalIrqDisable();
    public async SimTask LocalIrqEnable(Cpu cpu) => await cpu.LocalIrqEnable();
    public async SimTask<bool> LocalIrqSave(Cpu cpu)
    {
        bool wasEnabled = !cpu.IrqsDisabled;
        await cpu.LocalIrqDisable();
        return wasEnabled;
    }
    public async SimTask LocalIrqRestore(Cpu cpu, bool flags) { if (flags) await cpu.LocalIrqEnable(); }
    public async SimTask LocalDaifMask(Cpu cpu) => await cpu.DaifMask();
    public async SimTask LocalDaifRestore(Cpu cpu) => await cpu.DaifRestore();

    public SimTask StopMachine(Cpu cpu, Func<Cpu, SimTask> fn) => (_stop ??= new StopMachine(linux)).Execute(cpu, fn);
    private StopMachine? _stop;
    public SimTask SmpCallFunctionMany(Cpu cpu, CpuMask mask, Func<Cpu, SimTask> fn, bool wait) => linux.SmpCall.CallMany(cpu, mask, fn, wait);
    public SimTask SynchronizeRcu(Cpu cpu) => linux.Rcu.SynchronizeRcu(cpu);

    public ICpuPause CpuPause(PauseIpi ipi)
    {
        if (linux.CpuPause is not null) throw new InvalidOperationException("CpuPause: one CPU pause per kernel (the series has one cpu_pause_lock)");
        return linux.CpuPause = new RemoteCpuPause(linux, ipi);
    }

    public void RegisterIpi(int ipi, Func<Cpu, SimTask> handler, bool nmi)
    {
        if (ipi is not (Linux.IPI_TIMER or Linux.IPI_IRQ_WORK or Linux.IPI_KGDB_ROUNDUP))
            throw new ArgumentOutOfRangeException(nameof(ipi), ipi, $"RegisterIpi: Linux has only {Gic.LinuxSgiCount} SGIs; a strategy may take " +
                $"IPI_TIMER ({Linux.IPI_TIMER}), IPI_IRQ_WORK ({Linux.IPI_IRQ_WORK}) or IPI_KGDB_ROUNDUP ({Linux.IPI_KGDB_ROUNDUP}), " +
                "the numbers the seed series' RFC freed by configuration (seed-series.md §1.2, D-3)");
        if (!linux.IpiCases.TryAdd(ipi, handler)) throw new InvalidOperationException($"RegisterIpi: IPI {ipi} already has a case");
        linux.Sim.Gic.SetPriority(ipi, nmi && linux.Config.PseudoNmi ? Gic.PrioNmi : Gic.PrioIrq);   // ipi_should_be_nmi()
    }

    public async SimTask SmpCrossCall(Cpu cpu, CpuMask mask, int ipi) => await cpu.SendSgi(mask, ipi);

    public void RegisterVmemmapFaultFixup(Func<Cpu, FaultInfo, SimTask<bool>> fixup)
    {
        if (linux.VmemmapFaultFixup is not null) throw new InvalidOperationException("RegisterVmemmapFaultFixup: a fixup is already registered");
        linux.VmemmapFaultFixup = fixup;
    }

    public async SimTask CopyPageTime(Cpu cpu, ulong bytes, ulong lo, ulong hi) =>
        await cpu.Bulk(linux.Cost.Hardware.CopyPage4KNs * (bytes / 4096.0), cpu.Sim.Label("copy_page"), lo, hi);

    public void CopyPage(ulong toPfn, ulong fromPfn) => linux.Hvo.CopyFrame(toPfn, fromPfn);

    public async SimTask ResetStructPages(Cpu cpu, IReadOnlyCollection<ulong> pfns, ulong lo, ulong hi)
    {
        await cpu.Bulk(pfns.Count * linux.Cost.Hardware.MemAccessNs * 32, cpu.Sim.Label("reset_struct_pages"), lo, hi);
        foreach (ulong pfn in pfns) linux.Hvo.ResetStructPages(pfn);
    }
}
