using HvoLab.Arch;
using HvoLab.Engine;
using Xunit;

namespace HvoLab.Engine.Tests;

/// <summary>SpinHandler (#17): one list of steps gives the op-level handler and its closed form.</summary>
public class SpinHandlerTests
{
    private static Simulator Sim() => new(new ArchMachine(new MachineConfig { Cpus = 2, MemoryBytes = 16UL << 20 }),
        HardwareCosts.Default with { Jitter = 0 }, new HvoLab.Engine.Schedulers.TimedScheduler(), new SimOptions());

    [Fact]
    public void ClosedFormChargesWhatTheOpsCost()
    {
        var sim = Sim();
        var c = HardwareCosts.Default;
        var h = new SpinHandler(sim, "paused",
            SpinHandlerStep.AtomicAdd(0x1000, 1), SpinHandlerStep.SpinUntil(0x1008, 0),
            SpinHandlerStep.AtomicAdd(0x1000, ulong.MaxValue), SpinHandlerStep.Isb("test: isb()"));
        var enter = h.Enter(sim.Cpus[0], 100);
        Assert.Equal(100 + c.AtomicNs, enter.End);
        Assert.Equal((0x1000UL, 1UL, 100 + c.AtomicNs), (enter.Pa, enter.Delta, enter.VisibleAt));
        Assert.Equal((0x1008UL, 0UL), (h.WaitPa, h.WaitValue));
        var leave = h.Leave(sim.Cpus[0], 1000);
        double added = 1000 + c.MemAccessNs + c.AtomicNs;
        Assert.Equal(added + c.IsbNs, leave.End);
        Assert.Equal((0x1000UL, ulong.MaxValue, added), (leave.Pa, leave.Delta, leave.VisibleAt));
        Assert.Equal(4, h.Ops);
        Assert.Equal("paused", sim.LabelName(h.Label));
    }

    [Fact]
    public void ShapesTheClosedFormCannotCarryAreRefused()
    {
        var sim = Sim();
        Assert.Throws<ArgumentException>(() => new SpinHandler(sim, "x", SpinHandlerStep.AtomicAdd(0x1000, 1)));
        Assert.Throws<ArgumentException>(() => new SpinHandler(sim, "x",
            SpinHandlerStep.SpinUntil(0x1008, 0), SpinHandlerStep.SpinUntil(0x1010, 0)));
        Assert.Throws<ArgumentException>(() => new SpinHandler(sim, "x",
            SpinHandlerStep.AtomicAdd(0x1000, 1), SpinHandlerStep.AtomicAdd(0x1000, 1), SpinHandlerStep.SpinUntil(0x1008, 0)));
    }
}
