using HvoLab.Experiments.Checking;
using HvoLab.Experiments.Tests.Scenarios;
using Xunit;

namespace HvoLab.Experiments.Tests.Library;

/// <summary>docs/library.md's example runs (this assembly compiles it) and the page shows exactly this code.</summary>
public class LibraryExampleTests
{
    [Fact]
    public void TheDocsExampleRunsAndMatchesThePage()
    {
        var output = new StringWriter();
        var (check, compare) = MyLab.LabScript.Run(output);
        Assert.NotEqual(Verdict.Refused, check.Verdict);
        Assert.Equal(["off", "D", "stopped-range"], compare.Rows.Select(r => r.Strategy));
        Assert.All(compare.Rows, r => Assert.Equal(2, r.Runs));
        Assert.Contains("stopped-range", output.ToString());

        var root = Path.GetDirectoryName(RepoPaths.ScenariosDir())!;
        var source = File.ReadAllText(Path.Combine(root, "tests", "HvoLab.Experiments.Tests", "Library", "LibraryExample.cs"));
        int from = source.IndexOf("// <example>\n", StringComparison.Ordinal) + "// <example>\n".Length, to = source.IndexOf("// </example>", StringComparison.Ordinal);
        var code = source[from..to];
        Assert.Contains(code, File.ReadAllText(Path.Combine(root, "docs", "library.md")).ReplaceLineEndings("\n"));
    }
}
