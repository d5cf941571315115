using HvoLab.Engine;

namespace HvoLab.Kernel.Primitives;

/// <summary>
/// Spinlocks as one word (0 free, 1 + cpu when held): a CAS to take it, cpu_relax() while it is held (the engine
/// parks the spinner until the word changes). arm64 uses queued spinlocks; fairness is not modelled, mutual exclusion
/// and the spin are. The owner is recorded so monitors can name who holds what.
/// </summary>
public static class Locks
{
    public static async SimTask SpinLock(Cpu cpu, ulong lockPa)
    {
        if (cpu.InNmi)
            cpu.Sim.ReportViolation(ViolationKind.LockInNmi, [cpu.Id], lockPa,
                $"CPU{cpu.Id} takes the spinlock at PA 0x{lockPa:x} in NMI context: it deadlocks if the NMI interrupted the holder on this CPU (spinlocks are not NMI-safe)");
        ulong me = (ulong)cpu.Id + 1;
        // Test-and-test-and-set: wait until the lock word reads 0, then try to take it.
        // spin_lock is an acquire (arm64 qspinlock: atomic_try_cmpxchg_acquire); the waiting reads are relaxed.
        while (await cpu.CasPhys(lockPa, 0, me, MemOrder.Acquire) != 0) await cpu.WaitPhys(lockPa, 0);
    }

    public static async SimTask<bool> SpinTryLock(Cpu cpu, ulong lockPa) => await cpu.CasPhys(lockPa, 0, (ulong)cpu.Id + 1, MemOrder.Acquire) == 0;

    /// <summary>spin_unlock: smp_store_release(&amp;lock->locked, 0).</summary>
    public static async SimTask SpinUnlock(Cpu cpu, ulong lockPa) => await cpu.StorePhys(lockPa, 0, MemOrder.Release);

    /// <summary>spin_lock_irqsave: returns whether interrupts were enabled before.</summary>
    public static async SimTask<bool> SpinLockIrqSave(Cpu cpu, ulong lockPa)
    {
        bool wasEnabled = !cpu.IrqsDisabled;
        await cpu.LocalIrqDisable();
        await SpinLock(cpu, lockPa);
        return wasEnabled;
    }

    public static async SimTask SpinUnlockIrqRestore(Cpu cpu, ulong lockPa, bool wasEnabled)
    {
        await SpinUnlock(cpu, lockPa);
        if (wasEnabled) await cpu.LocalIrqEnable();
    }

    /// <summary>Holder CPU of a lock word, or -1.</summary>
    public static int Holder(ulong word) => word == 0 ? -1 : (int)word - 1;
}
