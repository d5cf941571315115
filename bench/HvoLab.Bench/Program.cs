using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using HvoLab.Experiments.Scenarios;

namespace HvoLab.Bench;

public static class Program
{
    // The skeleton had no entry point, which broke "dotnet build HvoLab.sln"; the switcher lets later benchmarks
    // be added as classes without touching this file.
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}

/// <summary>Scenario loading is on the path of every sweep row; it should stay far below a simulation's cost.</summary>
[MemoryDiagnoser]
public class ScenarioParseBenchmark
{
    private readonly string _json = ScenarioLoader.DefaultJson();

    [Benchmark]
    public Scenario ParseDefault() => ScenarioLoader.Parse(_json);
}
