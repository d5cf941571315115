using HvoLab.Engine;
using HvoLab.Engine.Schedulers;
using HvoLab.Experiments.Checking;
using HvoLab.Experiments.Scenarios;
using Xunit;

namespace HvoLab.Experiments.Tests.Checking;

/// <summary>Work sharing on the kernel model itself (the engine's WorkSharingTests use tiny programs): parts cut off a
/// running search of a check scenario — after every execution, or handed between two threads with no static split, so
/// every piece of parallelism comes from parts — give the executions, transitions, verdict and violation kinds (and
/// the first violation's choices) of one unbroken search.</summary>
public class ParallelCheckTests
{
    private static Scenario Load(string name, DataMemoryModel model) => ScenarioEdits.Edit(
        ScenarioLoader.Load(Path.Combine(Scenarios.RepoPaths.ScenariosDir(), name + ".json")),
        s => s with { Machine = s.Machine with { MemoryModel = model } });

    private static ExplorationResult Explore(Scenario scenario, string strategy, ExplorationOptions options) =>
        new ExhaustiveExplorer(s => CheckRunner.Build(scenario, strategy, s, scenario.Seed), options).Explore();

    private static string[] Kinds(ExplorationResult r) =>
        [.. r.Failures.SelectMany(f => f.Run.Violations.Select(v => v.Kind)).Distinct().Order()];

    [Theory]
    [InlineData("check-default", "D", DataMemoryModel.Sc, false)]
    [InlineData("check-nmi-reader", "D", DataMemoryModel.Arm, false)]
    [InlineData("check-nmi-reader", "A", DataMemoryModel.Sc, true)]
    public void PartsGiveTheSearchOfOneWorker(string scenario, string strategy, DataMemoryModel model, bool all)
    {
        var s = Load(scenario, model);
        var plain = new ExplorationOptions { Dpor = true, SplitDepth = 0, StopAtFirstViolation = !all, WallBudget = TimeSpan.FromMinutes(5) };
        var one = Explore(s, strategy, plain);
        Assert.True(one.Complete || one.Failures.Count > 0, one.StopReason);
        foreach (var variant in new[] { plain with { CutPartsEvery = 1 }, plain with { Workers = 2 } })
        {
            var other = Explore(s, strategy, variant);
            Assert.Equal(one.Complete, other.Complete);
            Assert.Equal(one.Executions, other.Executions);
            Assert.Equal(one.Transitions, other.Transitions);
            Assert.Equal(Kinds(one), Kinds(other));
            if (one.Failures.Count > 0) Assert.Equal(one.Failures[0].Choices, other.Failures[0].Choices);
            if (variant.CutPartsEvery > 0) Assert.True(other.SharedParts > 0, "no part was cut");
        }
    }
}
