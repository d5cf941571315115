using BenchmarkDotNet.Attributes;
using HvoLab.Experiments.Scenarios;

namespace HvoLab.Bench;

/// <summary>Scenario loading is on the path of every sweep row; it should stay far below a simulation's cost.</summary>
[MemoryDiagnoser]
public class ScenarioParseBenchmark
{
    private readonly string _json = ScenarioLoader.DefaultJson();

    [Benchmark]
    public Scenario ParseDefault() => ScenarioLoader.Parse(_json);
}
