namespace HvoLab.Litmus.Tests;

/// <summary>Locates the herdtools7 test data kept in the repository (testdata/litmus, refreshed from the workplace
/// copy by scripts/refresh-litmus.sh). HVOLAB_LITMUS_DIR points the tests at another copy.</summary>
internal static class LitmusCorpus
{
    public static readonly string Root = Environment.GetEnvironmentVariable("HVOLAB_LITMUS_DIR") ?? InRepository("litmus");

    /// <summary>Always true in a clone; <c>CorpusParseTests</c> fails if the data is missing, so the guards that use
    /// this cannot hide a broken checkout.</summary>
    public static bool Available => Directory.Exists(Root);

    /// <summary>testdata/<paramref name="corpus"/> of the repository holding the test binaries, found by walking up to HvoLab.sln.</summary>
    public static string InRepository(string corpus)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HvoLab.sln")))
                return Path.Combine(dir.FullName, "testdata", corpus);
        throw new DirectoryNotFoundException($"no HvoLab.sln above {AppContext.BaseDirectory}; set HVOLAB_LITMUS_DIR");
    }

    /// <summary>herdtools7's AArch64 data-memory catalogues (half of each; testdata/litmus-aarch64), beside the VMSA
    /// corpus; HVOLAB_LITMUS_AARCH64_DIR overrides.</summary>
    public static readonly string Aarch64Root = Environment.GetEnvironmentVariable("HVOLAB_LITMUS_AARCH64_DIR")
        ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(Root))!, "litmus-aarch64");
    public static bool Aarch64Available => Directory.Exists(Aarch64Root);
    public static string Aarch64(string relative) => Path.Combine(Aarch64Root, relative);

    public static IReadOnlyList<string> AllTests() =>
        Directory.GetFiles(Root, "*.litmus", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

    public static string Bbm(string name) => Path.Combine(Root, "herd-bbm", name);
    public static string Vmsa(string relative) => Path.Combine(Root, "herd-vmsa", relative);
}
