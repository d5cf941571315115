using HvoLab.Arch;
using HvoLab.Engine;
using HvoLab.Kernel;
using HvoLab.Strategies;
using Xunit;
using Xunit.Abstractions;

namespace HvoLab.Strategies.Tests;

public class Smoke(ITestOutputHelper output)
{
    [Theory]
    [InlineData("unsafe")]
    [InlineData("D")]
    [InlineData("A")]
    [InlineData("B")]
    [InlineData("ours")]
    [InlineData("off")]
    public void TimedRun(string strategy)
    {
        var sys = DeterminismPin.Build(strategy, cpus: 4, seed: 1);
        var linux = sys.Linux;
        var r = sys.Sim.Run();
        output.WriteLine($"{strategy}: {r.Outcome} steps={r.Steps} end={r.EndTimeNs:F0}ns freed={linux.VmemmapPagesFreed} alloc={linux.VmemmapPagesAllocated}");
        foreach (var v in r.Violations.Take(3)) output.WriteLine($"  {v.Kind}: {v.Explanation}");
        if (r.Error != null) output.WriteLine(r.Error);
        foreach (var c in sys.Sim.Cpus) output.WriteLine($"  cpu{c.Id} finished={c.Finished} ctx={c.Context} t={c.Time:F0} stop={sys.Sim.StopRequested} bg={c.IsBackground}");
        Assert.Null(r.Error);
    }
}
