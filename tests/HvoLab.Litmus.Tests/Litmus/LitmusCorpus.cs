namespace HvoLab.Litmus.Tests;

/// <summary>Locates the shared herd7 test data; tests that need it are skipped when absent.</summary>
internal static class LitmusCorpus
{
    public static readonly string Root = Environment.GetEnvironmentVariable("HVOLAB_LITMUS_DIR") ?? Find();
    public static bool Available => Directory.Exists(Root);

    /// <summary>The corpus beside the repository (`../shared/litmus` from the clone, as the README runs it), found by
    /// walking up from the test binaries; else the workplace's fixed path.</summary>
    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HvoLab.sln")) && dir.Parent is { } up
                && Directory.Exists(Path.Combine(up.FullName, "shared", "litmus")))
                return Path.Combine(up.FullName, "shared", "litmus");
        return "/work/shared/litmus";
    }

    /// <summary>herdtools7's AArch64 data-memory catalogues (half of each; `../shared/litmus-aarch64`), beside the VMSA
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
