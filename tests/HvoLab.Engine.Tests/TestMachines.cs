using HvoLab.Arch;
using HvoLab.Engine;

namespace HvoLab.Engine.Tests;

/// <summary>Small machines for engine tests: memory accessed by physical address, so no page tables are needed.</summary>
internal static class TestMachines
{
    public const ulong Counter = 0x1000, LockA = 0x2000, LockB = 0x3000, Flag = 0x4000;

    public static Simulator Make(int cpus, IScheduler scheduler, SimOptions? options = null, HardwareCosts? cost = null) =>
        new(new ArchMachine(new MachineConfig { Cpus = cpus }), cost ?? HardwareCosts.Default, scheduler, options);

    /// <summary>Attaches a guest whose SGI handler is <paramref name="handler"/> (and that takes no faults).</summary>
    public static void OnSgi(this Simulator sim, Func<Cpu, int, SimTask> handler) => sim.AttachGuest(new SgiGuest(handler));

    private sealed class SgiGuest(Func<Cpu, int, SimTask> handler) : IGuest
    {
        public SimTask HandleSgi(Cpu cpu, int sgi) => handler(cpu, sgi);
        public SimTask<bool> HandleFault(Cpu cpu, FaultInfo fault) => throw new InvalidOperationException($"CPU{cpu.Id}: unexpected fault at 0x{fault.Va:x}");
    }


    public static async SimTask IncrementWithLoadStore(Cpu cpu)
    {
        ulong v = await cpu.LoadPhys(Counter);
        await cpu.StorePhys(Counter, v + 1);
    }

    public static async SimTask IncrementAtomically(Cpu cpu) => await cpu.FetchAddPhys(Counter, 1);

    public static async SimTask SpinLock(Cpu cpu, ulong lockPa)
    {
        while (await cpu.CasPhys(lockPa, 0, 1) != 0) await cpu.Relax();
    }

    public static async SimTask SpinUnlock(Cpu cpu, ulong lockPa) => await cpu.StorePhys(lockPa, 0);

    public static Action<Simulator> CounterEquals(ulong expected) => sim =>
    {
        ulong v = sim.Arch.ReadPhys(Counter);
        if (v != expected) sim.ReportViolation("lost-update", [0, 1], Counter, $"counter is {v}, expected {expected}");
    };
}
