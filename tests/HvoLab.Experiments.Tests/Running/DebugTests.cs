using HvoLab.Engine;
using HvoLab.Experiments.Checking;
using HvoLab.Experiments.Scenarios;
using Xunit;
using Xunit.Abstractions;

namespace HvoLab.Experiments.Tests.Running;

public class DebugTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void ANmi(bool dpor, bool sleep)
    {
        var s = ScenarioLoader.Load("/tmp/a-nmi.json");
        var r = new ExhaustiveExplorer(sch => CheckRunner.Build(s, "A", sch, 1), new ExplorationOptions { Dpor = dpor, SleepSets = sleep, MaxExecutions = 300000, StopAtFirstViolation = true }).Explore();
        output.WriteLine($"dpor={dpor} sleep={sleep}: complete={r.Complete} exec={r.Executions} pruned={r.Pruned} failures={r.Failures.Count} {string.Join(";", r.Failures.SelectMany(f => f.Run.Violations).Select(v => v.Kind + ":" + v.Explanation).Take(2))}");
    }
}
