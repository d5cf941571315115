using HvoLab.Experiments.Scenarios;

namespace HvoLab.Experiments.Tests.Comparison;

/// <summary>A scenario small enough for unit tests (8 CPUs, 4 × 2MiB alloc then free, 2 seeds) with every kind of
/// reader, so every strategy does real work and the suite stays fast.</summary>
public static class SmallScenario
{
    public const string Json = """
    {
      "name": "small-compare",
      "machine": { "cpus": 8, "granule": "4k", "pseudo_nmi": true, "memory": "2GiB" },
      "operations": [
        { "cpu": 0, "op": "alloc", "count": 4, "hugepage": "2MiB" },
        { "cpu": 0, "op": "free", "count": 4, "hugepage": "2MiB" }
      ],
      "workload": [
        { "cpus": "1-2", "kind": "pfn-walker", "period_ns": 1000 },
        { "cpus": "3-4", "kind": "gup-fast", "period_ns": 1000 },
        { "cpus": [5], "kind": "nmi-reader", "period_ns": 1000 },
        { "cpus": "others", "kind": "background", "period_ns": 1000, "irq_off_ns": { "min": 1000, "max": 5000 } }
      ],
      "scheduler": { "mode": "timed", "seeds": 2 }
    }
    """;

    public static Scenario Load() => ScenarioLoader.Parse(Json);

    /// <summary>Writes the scenario to a fresh temp directory and returns its path.</summary>
    public static string WriteFile(string dir)
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "small.json");
        File.WriteAllText(path, Json);
        return path;
    }

    public static string TempDir() => Directory.CreateTempSubdirectory("hvolab-cmp-").FullName;
}
