using HvoLab.Experiments.Running;
using HvoLab.Experiments.Scenarios;
using Xunit;
using Xunit.Abstractions;

namespace HvoLab.Experiments.Tests.Running;

public class TimedRunnerSmokeTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("off")]
    [InlineData("unsafe")]
    [InlineData("A")]
    [InlineData("B")]
    [InlineData("D")]
    [InlineData("ours")]
    public void DefaultScenarioRuns(string strategy)
    {
        var s = ScenarioLoader.Default() with { };
        var m = TimedRunner.RunOne(s, strategy, 1);
        output.WriteLine($"{strategy}: {m.Outcome} wall={m.WallMs:F0}ms steps={m.Steps} end={m.EndTimeNs / 1e6:F2}ms lat={string.Join(",", m.OperationLatencyNs.Select(x => (x / 1e3).ToString("F0")))}us stallmax={(m.RemoteStallNs.Count > 0 ? m.RemoteStallNs.Max() : 0) / 1e3:F1}us irqoff={m.UninterruptibleMaxNs / 1e3:F1}us thr={m.ReaderThroughputPerUs:F3} saved={m.MemorySavedBytes} ipis={m.Ipis} tlbis={m.Tlbis} faults={m.Faults}");
        foreach (var v in m.Violations.Take(2)) output.WriteLine("  " + v.Kind + ": " + v.Explanation);
        // unsafe stops at its first violation (the split); every other strategy completes its operations.
        if (strategy == "unsafe") Assert.StartsWith("bbm:", m.Violations[0].Kind);
        else { Assert.Empty(m.Violations); Assert.NotEmpty(m.OperationLatencyNs); }
    }
}
