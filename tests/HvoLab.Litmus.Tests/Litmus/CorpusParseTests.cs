using HvoLab.Litmus;
using Xunit.Abstractions;
using Xunit;

namespace HvoLab.Litmus.Tests;

/// <summary>Parses the whole herdtools7 catalogue in testdata/litmus; prints each failure so regressions are easy to locate.</summary>
public sealed class CorpusParseTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryLitmusFileParses()
    {
        Assert.True(LitmusCorpus.Available, "litmus data missing (testdata/litmus): " + LitmusCorpus.Root);
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

/// <summary>herd7 outputs, kinds.txt, and the support classification over the catalogue.</summary>
public sealed class CorpusResultTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryExpectedFileParsesAndMatchesItsTest()
    {
        var files = Directory.GetFiles(Path.Combine(LitmusCorpus.Root, "herd-bbm"), "*.expected");
        Assert.Equal(8, files.Length);
        foreach (var f in files)
        {
            var e = ExpectedReader.ReadFile(f);
            var t = LitmusParser.ParseFile(f[..^".expected".Length]);
            Assert.Equal(t.Name, e.TestName);
            Assert.True(e.Positive + e.Negative > 0);
            Assert.NotEmpty(e.States);
            Assert.Equal(t.Final.ToString(), e.Condition!.ToString());
            Assert.Equal(e.Positive > 0, e.Ok);
        }
    }

    [Fact]
    public void BbmExpectedOutcomeIsReadExactly()
    {
        var e = ExpectedReader.ReadFile(LitmusCorpus.Bbm("CoRR+PteOA.DB0.litmus.expected"));
        Assert.Equal("CoRR+PteOA.DB0", e.TestName);
        Assert.Equal(Verdict.Allowed, e.Kind);
        Assert.Equal(4, e.States.Count);
        Assert.Equal("1:X0=2; 1:X2=1;", e.States[2].ToString());
        Assert.True(e.Ok);
        Assert.Equal((1L, 3L), (e.Positive, e.Negative));
        Assert.Equal(["Warning-BBM-expected"], e.Flags);
        Assert.Equal(Observation.Sometimes, e.Observation);
        Assert.Equal(Quantifier.Exists, e.Condition!.Quantifier);

        var never = ExpectedReader.ReadFile(LitmusCorpus.Bbm("MP+tlbi-sync.ishspteaf0pteoa.af1+pos.litmus.expected"));
        Assert.Empty(never.Flags);
        Assert.False(never.Ok);
        Assert.Equal(Observation.Never, never.Observation);
    }

    [Fact]
    public void KindsCoverEveryVmsaTest()
    {
        var kinds = ExpectedReader.ReadKinds(LitmusCorpus.Vmsa("kinds.txt"));
        Assert.Equal(453, kinds.Count);
        Assert.Equal(Verdict.Forbidden, kinds["coWR-pte"]);
        Assert.Equal(Verdict.Allowed, kinds["2+2W+rel+rel-mmufault_db-po"]); // spelled "Allow"
        Assert.Equal(Verdict.Forbidden, kinds["2+2W+shoot+acqrel_mmufault_db"]); // spelled "Forbid"
        var counts = kinds.Values.GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(210, counts[Verdict.Allowed]);
        Assert.Equal(230, counts[Verdict.Forbidden]);
        Assert.Equal(13, counts[Verdict.Required]);
        var names = Directory.GetFiles(Path.Combine(LitmusCorpus.Root, "herd-vmsa"), "*.litmus", SearchOption.AllDirectories)
            .Select(f => LitmusParser.ParseFile(f).Name).ToHashSet();
        var missing = kinds.Keys.Where(k => !names.Contains(k)).ToList();
        foreach (var m in missing) output.WriteLine("kinds entry without a test whose header has that name: " + m);
        Assert.True(missing.Count <= 10, $"{missing.Count} kinds entries have no test");
    }

    [Fact]
    public void SupportClassificationIsTotalAndExplained()
    {
        var byReason = new Dictionary<string, int>();
        var supported = 0;
        var files = LitmusCorpus.AllTests();
        foreach (var f in files)
        {
            var r = SupportClassifier.Classify(LitmusParser.ParseFile(f));
            if (r.Supported) { supported++; continue; }
            Assert.NotEmpty(r.Reasons);
            foreach (var why in r.Reasons) byReason[why] = byReason.GetValueOrDefault(why) + 1;
        }
        output.WriteLine($"supported by the bare interpreter: {supported} of {files.Count}");
        foreach (var (why, n) in byReason.OrderByDescending(kv => kv.Value)) output.WriteLine($"{n,4}  {why}");
        var all = new LitmusSupportProfile(true, true, true, true, true);
        Assert.All(files, f => Assert.True(SupportClassifier.Classify(LitmusParser.ParseFile(f), all).Supported, f));
        Assert.True(supported > 200, $"only {supported} supported");
    }
}
