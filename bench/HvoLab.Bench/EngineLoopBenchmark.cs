using BenchmarkDotNet.Attributes;
using HvoLab.Engine;
using HvoLab.Experiments.Bench;

namespace HvoLab.Bench;

/// <summary>The timed engine loop with a private workload (work, load, store per iteration): time and bytes per
/// simulated op (3 per iteration; the same total for every CPU count). Target ≥ 20 M ops/s (≤ 50 ns/op), 0 B/op.</summary>
[MemoryDiagnoser]
public class EngineLoopBenchmark
{
    private const int TotalOps = 3 * 256 * 400;
    private Simulator _sim = null!;

    [Params(4, 256)] public int Cpus;

    [IterationSetup] public void Setup() => _sim = BenchWorkloads.EngineLoop(Cpus, TotalOps / 3 / Cpus);

    [Benchmark(OperationsPerInvoke = TotalOps)]
    public long Run() => _sim.Run().Steps;
}
