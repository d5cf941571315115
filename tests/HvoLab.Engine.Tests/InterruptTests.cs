using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using Xunit;
using static HvoLab.Engine.Tests.TestMachines;

namespace HvoLab.Engine.Tests;

public class InterruptTests
{
    private const int NormalSgi = 1, NmiSgi = 3;

    /// <summary>CPU1 masks (as configured) and spins until CPU0 sets the flag; CPU0 sends an SGI, then sets the flag.
    /// Returns how many interrupts CPU1 took while it was spinning masked.</summary>
    private static long Run(bool daifMask, int sgi, bool pseudoNmi)
    {
        var sim = Make(2, new TimedScheduler(), new SimOptions { PseudoNmi = pseudoNmi });
        sim.Gic.SetPriority(NmiSgi, Gic.PrioNmi);
        long takenWhileMasked = 0;
        bool masked = false;
        sim.OnSgi((cpu, s) => { if (masked && cpu.Id == 1) takenWhileMasked++; return cpu.Work(10).AsTask(); });
        sim.Spawn(1, async cpu =>
        {
            if (daifMask) await cpu.DaifMask(); else await cpu.LocalIrqDisable();
            masked = true;
            while (await cpu.LoadPhys(Flag) == 0) await cpu.Relax();
            masked = false;
            if (daifMask) await cpu.DaifRestore(); else await cpu.LocalIrqEnable();
        });
        sim.Spawn(0, async cpu =>
        {
            await cpu.Work(100);
            await cpu.SendSgi(CpuMask.Of(1), sgi);
            await cpu.Work(10_000);
            await cpu.StorePhys(Flag, 1);
        });
        var r = sim.Run();
        Assert.Equal(RunOutcome.Completed, r.Outcome);
        return takenWhileMasked;
    }

    [Theory]
    [InlineData(NormalSgi)]
    [InlineData(NmiSgi)]
    public void DaifMaskedSpinIsNotInterruptedByAnySgi(int sgi) => Assert.Equal(0, Run(daifMask: true, sgi, pseudoNmi: true));

    [Fact]
    public void PmrMaskedSpinTakesPseudoNmiButNotNormalSgi()
    {
        Assert.Equal(1, Run(daifMask: false, NmiSgi, pseudoNmi: true));
        Assert.Equal(0, Run(daifMask: false, NormalSgi, pseudoNmi: true));
    }

    [Fact]
    public void WithoutPseudoNmiIrqDisableMasksTheNmiPrioritySgiToo() => Assert.Equal(0, Run(daifMask: false, NmiSgi, pseudoNmi: false));

    [Fact]
    public void WfeSleepsUntilSev()
    {
        var sim = Make(2, new TimedScheduler(), new SimOptions(), HardwareCosts.Default with { Jitter = 0 });
        double wokeAt = 0;
        sim.Spawn(1, async cpu => { await cpu.Wfe(); wokeAt = cpu.Time; });
        sim.Spawn(0, async cpu => { await cpu.Work(5_000); await cpu.Sev(); });
        Assert.Equal(RunOutcome.Completed, sim.Run().Outcome);
        Assert.InRange(wokeAt, 5_000, 5_000 + 2 * HardwareCosts.Default.WfeWakeNs);
    }

    [Fact]
    public void WfeWithoutAnyEventIsADeadlockInTheSearch()
    {
        var result = new ExhaustiveExplorer(s =>
        {
            var sim = Make(1, s);
            sim.Spawn(0, async cpu => await cpu.Wfe());
            return sim;
        }).Explore();
        Assert.Equal(RunOutcome.Deadlock, Assert.Single(result.Failures).Run.Outcome);
    }
}

internal static class CpuOpExtensions
{
    public static async SimTask AsTask(this CpuOp op) => await op;
}
