using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using HvoLab.Experiments.Bench;

namespace HvoLab.Bench;

/// <summary>HVO of a whole pool under D with background load: the 1 TiB / 256 CPUs and a 8 GiB / 16 CPUs
/// version. One launch per case so VmHWM (peak RSS, printed) belongs to that case alone; capped at 120 s host time,
/// past which the printed figure is a projection.</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 0, iterationCount: 1)]
public class ScaleBenchmark
{
    [Params("16x4096", "256x524288")] public string Size = "";

    [Benchmark]
    public long Run()
    {
        var parts = Size.Split('x');
        var r = BenchWorkloads.MeasureScale(int.Parse(parts[0]), long.Parse(parts[1]), TimeSpan.FromSeconds(120));
        Console.WriteLine($"// scale {Size}: completed={r.Completed} wall={r.Run.Wall.TotalSeconds:F1}s projected={r.ProjectedSeconds:F0}s " +
                          $"peakRSS={r.Run.PeakRssBytes >> 20} MiB; {r.Run.Detail}");
        return r.Run.Operations;
    }
}
