namespace HvoLab.Experiments.Tests.Scenarios;

/// <summary>Finds the repository's scenarios/ folder from the test binary, so the examples are tested as shipped.</summary>
internal static class RepoPaths
{
    public static string ScenariosDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "scenarios");
            if (File.Exists(Path.Combine(candidate, "default.json")) && File.Exists(Path.Combine(dir.FullName, "HvoLab.sln"))) return candidate;
        }
        throw new DirectoryNotFoundException("scenarios/ not found above " + AppContext.BaseDirectory);
    }

    public static IEnumerable<object[]> ExampleFiles() =>
        Directory.GetFiles(ScenariosDir(), "*.json").Where(f => !f.EndsWith("expected.json", StringComparison.Ordinal)).Order().Select(f => new object[] { Path.GetFileName(f) });
}
