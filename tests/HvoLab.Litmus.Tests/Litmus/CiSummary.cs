namespace HvoLab.Litmus.Tests;

/// <summary>Where the litmus tests leave the summaries of their <c>hvolab litmus</c> runs for CI to print (.ci/run sets
/// HVOLAB_LITMUS_SUMMARY to a file; test output of passing tests is not shown by <c>dotnet test</c>).</summary>
internal static class CiSummary
{
    private static readonly object Gate = new();

    public static void Append(string text)
    {
        if (Environment.GetEnvironmentVariable("HVOLAB_LITMUS_SUMMARY") is not { Length: > 0 } path) return;
        lock (Gate) File.AppendAllText(path, text.TrimEnd() + Environment.NewLine);
    }
}
