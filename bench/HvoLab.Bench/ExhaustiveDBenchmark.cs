using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using HvoLab.Experiments.Bench;

namespace HvoLab.Bench;

/// <summary>The exhaustive search of D on 3 CPUs with one reader, capped at 60 s (the target); prints whether it
/// completed and the executions per second.</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 0, iterationCount: 1)]
public class ExhaustiveDBenchmark
{
    [Benchmark]
    public long Explore()
    {
        var r = BenchWorkloads.ExploreD(TimeSpan.FromSeconds(60));
        Console.WriteLine($"// exhaustive D: complete={r.Complete} executions={r.Executions} pruned={r.Pruned} transitions={r.Transitions} " +
                          $"{r.ExecutionsPerSecond:F0} exec/s, {r.StopReason}");
        return r.Executions;
    }
}
