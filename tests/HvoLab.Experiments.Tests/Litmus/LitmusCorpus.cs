namespace HvoLab.Experiments.Tests.Litmus;

/// <summary>Locates the shared herd7 test data; tests that need it are skipped when absent.</summary>
internal static class LitmusCorpus
{
    public static readonly string Root = Environment.GetEnvironmentVariable("HVOLAB_LITMUS_DIR") ?? "/work/shared/litmus";
    public static bool Available => Directory.Exists(Root);

    public static IReadOnlyList<string> AllTests() =>
        Directory.GetFiles(Root, "*.litmus", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

    public static string Bbm(string name) => Path.Combine(Root, "herd-bbm", name);
    public static string Vmsa(string relative) => Path.Combine(Root, "herd-vmsa", relative);
}
