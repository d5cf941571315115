using HvoLab.Engine;

namespace HvoLab.Kernel.Primitives;

/// <summary>
/// stop_machine() (kernel/stop_machine.c): the caller queues multi_cpu_stop() to every online CPU's stopper kthread
/// ("migration/N"); each stopper runs when its CPU next reaches a preemption point, then all step through
/// PREPARE → DISABLE_IRQ → RUN → EXIT in lock-step, acknowledging each state on a shared counter; the last to ack
/// advances the state. The callback runs on the calling CPU in RUN with every CPU's interrupts off.
/// </summary>
public sealed class StopMachine(Linux linux)
{
    private const ulong None = 0, Prepare = 1, DisableIrq = 2, Run = 3, Exit = 4;
    /// <summary>enum multi_stop_state names (kernel/stop_machine.c), for the trace.</summary>
    private static readonly string[] StateNames =
        ["", "multi_cpu_stop: PREPARE", "multi_cpu_stop: DISABLE_IRQ", "multi_cpu_stop: RUN", "multi_cpu_stop: EXIT"];

    public async SimTask Execute(Cpu caller, Func<Cpu, SimTask> fn)
    {
        // cpus_read_lock(): no hotplug writer in the model. num_threads = num_online_cpus().
        int n = caller.Sim.Cpus.Length;
        // stop_cpus_mutex serialises callers; waiting on it stays preemptible, so this CPU's stopper can still run.
        while (await caller.CasPhys(linux.Data.StopCpusMutex, 0, (ulong)caller.Id + 1, MemOrder.Acquire) != 0) await caller.WaitPhys(linux.Data.StopCpusMutex, 0);
        await SetState(caller, Prepare, n);
        await caller.StorePhys(linux.Data.StopMachineDone, 0);
        double wake = caller.Time + linux.Cost.Kernel.StopMachineBaseNs + linux.Cost.Kernel.StopMachinePerCpuNs * n;
        int label = caller.Sim.Label("stop_machine");
        // cpu_stop_queue_work(): the works are queued under stopper->lock and wake_up_process() implies a full
        // barrier when it wakes (Documentation/memory-barriers.txt, "Sleep and wake-up functions"): the stoppers see
        // the state and counters set above. The queue itself is C# state, so the barrier is explicit here; only under
        // the Arm data model, where it orders something (its cost is part of StopMachineBaseNs in timed runs).
        if (caller.Sim.HasStoreBuffers) await caller.Barrier(Arch.BarrierKind.DmbIsh);
        foreach (var other in caller.Sim.Cpus)
            if (other != caller) other.QueuePreemptWork(c => MultiCpuStop(c, null, n), wake, label);
        await caller.Work(linux.Cost.Kernel.StopMachineBaseNs, label);    // stop_cpus(): queue works, wake stoppers
        await MultiCpuStop(caller, fn, n);                         // the caller's own stopper
        // wait_for_completion(&done): every stopper has left multi_cpu_stop.
        await caller.WaitPhys(linux.Data.StopMachineDone, (ulong)n, MemOrder.Acquire);
        await caller.StorePhys(linux.Data.StopCpusMutex, 0, MemOrder.Release);   // mutex_unlock
    }

    private async SimTask SetState(Cpu cpu, ulong state, int n)
    {
        await cpu.StorePhys(linux.Data.StopMachineAck, (ulong)n);   // atomic_set(&msdata->thread_ack, num_threads)
        await cpu.Barrier(Arch.BarrierKind.DmbIshSt, "set_state: smp_wmb()");
        await cpu.StorePhys(linux.Data.StopMachineState, state);    // WRITE_ONCE(msdata->state, newstate)
    }

    /// <summary>multi_cpu_stop(): the per-CPU state machine.</summary>
    private async SimTask MultiCpuStop(Cpu cpu, Func<Cpu, SimTask>? fn, int n)
    {
        bool wasEnabled = !cpu.IrqsDisabled;
        ulong cur = None;
        double since = cpu.Time;
        do
        {
            ulong state = await cpu.WaitPhys(linux.Data.StopMachineState, cur, notEqual: true);   // spin until it moves
            {
                if (cur != None) cpu.Section(since, StateNames[cur]);   // this CPU's time in the state it leaves
                since = cpu.Time;
                cur = state;
                if (cur == DisableIrq) await cpu.LocalIrqDisable();   // local_irq_disable(); hard_irq_disable() (no-op on arm64)
                else if (cur == Run && fn is not null) await fn(cpu);
                // ack_state(): the last CPU to acknowledge moves everyone to the next state. Every other CPU has
                // acknowledged and spins on the state, so the search may take the acknowledgement and set_state() as
                // one step (Cpu.BeginRendezvousAck); timed runs run them op by op.
                cpu.BeginRendezvousAck(linux.Data.StopMachineState, cur, cur + 1);
                if (await cpu.DecAndTestPhys(linux.Data.StopMachineAck))     // atomic_dec_and_test(&msdata->thread_ack)
                    await SetState(cpu, cur + 1, n);
                cpu.EndRendezvousAck();
            }
        } while (cur != Exit);
        cpu.Section(since, StateNames[Exit]);
        if (wasEnabled) await cpu.LocalIrqEnable();
        await cpu.AtomicAddPhys(linux.Data.StopMachineDone, 1, order: MemOrder.Release);   // cpu_stop_signal_done: complete() (spin_unlock: release); the caller only waits for the count
    }
}
