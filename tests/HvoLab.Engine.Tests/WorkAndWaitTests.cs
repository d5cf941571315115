using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using Xunit;
using static HvoLab.Engine.Tests.TestMachines;

namespace HvoLab.Engine.Tests;

/// <summary>Timed semantics of private work (interruptible at any instant) and of WaitPhys (woken once, when its
/// condition holds), and the allocation-free task builder they rely on.</summary>
public class WorkAndWaitTests
{
    private static readonly HardwareCosts NoJitter = HardwareCosts.Default with { Jitter = 0 };

    /// <summary>CPU1 runs one 100 µs Work op; CPU0 sends it an SGI at t = 0. The handler must start at the SGI's
    /// arrival (send + delivery + exception entry), not when the work ends, and the rest of the work runs after it.</summary>
    [Fact]
    public void AnInterruptArrivingInsideWorkIsTakenAtItsArrival()
    {
        var sim = Make(2, new TimedScheduler(), new SimOptions { Seed = 1 }, NoJitter);
        double handlerStart = -1, workDone = -1;
        sim.OnSgi(async (cpu, sgi) => { handlerStart = cpu.Time; await cpu.Work(1_000); });
        sim.Spawn(0, async cpu => { var m = new CpuMask(); m.Set(1); await cpu.SendSgi(m, 1); });
        sim.Spawn(1, async cpu => { await cpu.Work(100_000, sim.Label("long work")); workDone = cpu.Time; });
        var r = sim.Run();

        Assert.Equal(RunOutcome.Completed, r.Outcome);
        var c = NoJitter;
        double arrival = c.IpiSendBaseNs + c.IpiSendPerTargetNs + c.IpiDeliveryNs;
        Assert.Equal(arrival + c.ExceptionEntryExitNs + c.PseudoNmiExtraNs, handlerStart);
        // The whole 100 µs of work still runs, plus the handler's entry and its 1 µs body.
        Assert.Equal(100_000 + c.ExceptionEntryExitNs + c.PseudoNmiExtraNs + 1_000, workDone);
        Assert.Equal(100_000, sim.Cpus[1].Stats.TimeByLabel[sim.Label("long work")]);
        Assert.Equal(1, sim.Cpus[1].Stats.InterruptsTaken);
    }

    /// <summary>Work the CPU cannot be interrupted in (interrupts masked) keeps the interrupt pending to its end.</summary>
    [Fact]
    public void MaskedWorkDefersTheInterruptToItsEnd()
    {
        var sim = Make(2, new TimedScheduler(), new SimOptions { Seed = 1, PseudoNmi = false }, NoJitter);
        double handlerStart = -1;
        sim.OnSgi((cpu, sgi) => { handlerStart = cpu.Time; return SimTask.CompletedTask; });
        sim.Spawn(0, async cpu => { var m = new CpuMask(); m.Set(1); await cpu.SendSgi(m, 1); });
        sim.Spawn(1, async cpu => { await cpu.LocalIrqDisable(); await cpu.Work(50_000); await cpu.LocalIrqEnable(); });
        Assert.Equal(RunOutcome.Completed, sim.Run().Outcome);
        Assert.Equal(NoJitter.IrqMaskNs + 50_000 + NoJitter.IrqMaskNs + NoJitter.ExceptionEntryExitNs, handlerStart);
    }

    /// <summary>A long Work op is one step however it is split, and one scheduling event when nothing interrupts it.</summary>
    [Fact]
    public void LongWorkIsOneStep()
    {
        var sim = Make(2, new TimedScheduler(), new SimOptions { Seed = 3 });
        sim.Spawn(0, async cpu => { for (int i = 0; i < 10; i++) await cpu.Work(1_000_000); });
        sim.Spawn(1, async cpu => { for (int i = 0; i < 10; i++) await cpu.Work(700_000); });
        var r = sim.Run();
        Assert.Equal(20, r.Steps);
        Assert.True(sim.SchedulingEvents <= 22, $"{sim.SchedulingEvents} events");
    }

    /// <summary>A CPU waiting for N others to check in (pause_remote_cpus) wakes once, when the count is reached,
    /// at the last writer's time plus one cache-line transfer; the failed checks in between cost no steps.</summary>
    [Fact]
    public void WaitPhysWakesOnceWhenItsConditionHolds()
    {
        const int others = 6;
        var sim = Make(others + 1, new TimedScheduler(), new SimOptions { Seed = 1 }, NoJitter);
        double woke = -1;
        sim.Spawn(0, async cpu => { await cpu.WaitPhys(Counter, others); woke = cpu.Time; });
        for (int c = 1; c <= others; c++)
        {
            int id = c;
            sim.Spawn(c, async cpu => { await cpu.Work(1_000 * id); await cpu.FetchAddPhys(Counter, 1); });
        }
        var r = sim.Run();
        Assert.Equal(RunOutcome.Completed, r.Outcome);
        Assert.Equal(1_000.0 * others + NoJitter.AtomicNs + NoJitter.CacheLineNs + NoJitter.MemAccessNs, woke);
        Assert.Equal(1 + 2 * others, r.Steps);
        // Each of the others: start, work end; CPU0: its first op and one wake-up (not one per increment).
        Assert.Equal(2 * others + 2, sim.SchedulingEvents);
    }

    /// <summary>Many CPUs inside the same routine at once (every remote CPU in the pause handler) reuse pooled
    /// boxes: a second run of the same system allocates (almost) nothing for its suspended routines.</summary>
    [Fact]
    public void SuspendedRoutinesAreReusedNotReallocated()
    {
        static long Allocated()
        {
            var sim = Make(64, new TimedScheduler(), new SimOptions { Seed = 1, RecordEvents = false });
            for (int c = 0; c < 64; c++) sim.Spawn(c, Nested);
            long before = GC.GetAllocatedBytesForCurrentThread();
            sim.Run();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Allocated();                                   // warm the pools and the JIT
        long second = Allocated();
        // 64 CPUs × 200 iterations × 3 nested suspending routines: a box each would be > 1 MB.
        Assert.True(second < 64 * 1024, $"{second} bytes allocated");
    }

    private static async SimTask Nested(Cpu cpu)
    {
        for (int i = 0; i < 200; i++) await Outer(cpu);
    }

    private static async SimTask Outer(Cpu cpu) => await Inner(cpu, await Leaf(cpu));

    private static async SimTask Inner(Cpu cpu, ulong v) { await cpu.StorePhys(Counter + 8 * (ulong)cpu.Id, v + 1); await cpu.Work(10); }

    private static async SimTask<ulong> Leaf(Cpu cpu) { await cpu.Work(5); return await cpu.LoadPhys(Counter + 8 * (ulong)cpu.Id); }

    [Fact]
    public void AnExceptionInASuspendedRoutineReachesItsAwaiter()
    {
        var sim = Make(1, new TimedScheduler());
        string? caught = null;
        sim.Spawn(0, async cpu =>
        {
            try { await Throws(cpu); }
            catch (InvalidOperationException e) { caught = e.Message; }
        });
        Assert.Equal(RunOutcome.Completed, sim.Run().Outcome);
        Assert.Equal("boom", caught);
    }

    private static async SimTask Throws(Cpu cpu)
    {
        await cpu.Work(10);
        throw new InvalidOperationException("boom");
    }
}
