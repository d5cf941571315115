using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using HvoLab.Experiments.Bench;

namespace HvoLab.Bench;

/// <summary>The exhaustive search of D (3 CPUs, two reader passes: a longer search than ExhaustiveDBenchmark's) split
/// at 8 nodes and searched by 1 or 2 workers: the same executions, so the time ratio is the parallel speed-up.</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 0, iterationCount: 1)]
public class ParallelSearchBenchmark
{
    [Params(1, 2)] public int Workers;

    [Benchmark]
    public long Explore()
    {
        var r = BenchWorkloads.ExploreD(TimeSpan.FromSeconds(120), readerIterations: 2, workers: Workers, splitDepth: 8);
        Console.WriteLine($"// exhaustive D, {Workers} worker(s): complete={r.Complete} executions={r.Executions} subtrees={r.Subtrees} " +
                          $"{r.ExecutionsPerSecond:F0} exec/s, {r.StopReason}");
        return r.Executions;
    }
}
