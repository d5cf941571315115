using HvoLab.Experiments.Litmus;
using Xunit;
using Xunit.Abstractions;

namespace HvoLab.Experiments.Tests.Litmus;

/// <summary>Parses the whole shared catalogue; prints each failure so regressions are easy to locate.</summary>
public sealed class CorpusParseTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryLitmusFileParses()
    {
        Assert.True(LitmusCorpus.Available, "shared litmus data missing: " + LitmusCorpus.Root);
        var files = LitmusCorpus.AllTests();
        var failures = new List<string>();
        foreach (var f in files)
        {
            try { LitmusParser.ParseFile(f); }
            catch (LitmusParseException e) { failures.Add(e.Message); }
        }
        foreach (var msg in failures) output.WriteLine(msg);
        output.WriteLine($"parsed {files.Count - failures.Count} of {files.Count}");
        Assert.Equal(461, files.Count);
        Assert.Empty(failures);
    }
}
