using HvoLab.Experiments.Tests;
using HvoLab.Litmus;
using Xunit;

namespace HvoLab.Litmus.Tests;

/// <summary>
/// The 8 herd7 aarch64-BBM tests against herd's own output: HvoLab's reachable states, observation and
/// Warning-BBM-expected flag must equal herd's exactly (no missing and no extra state). The CoRR tests need a later read
/// to use the old translation after an earlier one used the new one (both stay usable after a change without
/// break-before-make); the MP+tlbi-sync tests need a walk made before the earlier read (a fault after reading y).
/// </summary>
public sealed class HerdBbmTests
{
    public static TheoryData<string> Files => new(
        "CoRR+PteGRE.litmus", "CoRR+PteNC.litmus", "CoRR+PteOA.DB0.litmus", "CoRR+PteOA.DB0.val.litmus",
        "CoRR+PteOA.DB1.val.litmus", "MP+tlbi-sync.ishsRpteaf0pte-amo.casptepteoa.af1+pos.litmus",
        "MP+tlbi-sync.ishspteaf0pteoa.af1+pos.litmus", "MP+tlbi-sync.ishsptev0pteoa.v1+pos.litmus");

    [Theory]
    [MemberData(nameof(Files))]
    public void StatesObservationAndBbmFlagEqualHerd(string file)
    {
        if (!LitmusCorpus.Available) return;
        // No wall budget: every one of these searches is complete, and a loaded machine must not cut one short.
        var r = LitmusRunner.RunFile(LitmusCorpus.Bbm(file), new LitmusRunOptions { TestWallBudget = TimeSpan.MaxValue });
        Assert.Equal(LitmusStatus.Ok, r.Status);
        var c = r.Comparison!;
        var herd = r.Expected!.Herd!;
        Assert.True(c.FlagMatches, $"BBM flag: herd {string.Join(",", herd.Flags)}, HvoLab {string.Join(",", r.Flags)}");
        Assert.Empty(c.ExtraStates);
        Assert.Empty(c.MissingStates);
        Assert.True(c.StatesMatch);
        Assert.Equal(herd.States.Count, r.Exploration!.States.Count);
        Assert.Equal(herd.Observation, r.Exploration.Observation);
        Assert.True(c.ObservationMatches);
    }

    /// <summary>The whole folder through the CLI, as CI runs it: every herd output matched, and the summary says so.</summary>
    [Fact]
    public void CliSummaryOfTheBbmFolder()
    {
        if (!LitmusCorpus.Available) return;
        var (code, text, err) = CliRun.Run("litmus", Path.Combine(LitmusCorpus.Root, "herd-bbm"), "--test-wall", "0");
        Assert.True(code == 0, err);
        var summary = text[text.LastIndexOf("Summary", StringComparison.Ordinal)..];
        CiSummary.Append("herd-bbm: " + summary.Replace(Environment.NewLine, " ").Replace("Summary ", "", StringComparison.Ordinal));
        Assert.Contains("tests 8, supported 8, unsupported 0, incomplete 0, errors 0", summary);
        Assert.Contains("herd outputs compared 8: states match 8, observation match 8, BBM flag match 8", summary);
    }

    [Fact]
    public void ReportRendersHerdLikeTextAndJson()
    {
        if (!LitmusCorpus.Available) return;
        var report = LitmusRunner.Run([LitmusCorpus.Bbm("CoRR+PteOA.DB1.val.litmus")]);
        var text = report.ToText();
        Assert.Contains("Test CoRR+PteOA.DB1.val Allowed", text);
        Assert.Contains("States 1", text);
        Assert.Contains("1:X0=1; 1:X2=1;", text);
        Assert.Contains("Flag Warning-BBM-expected", text);
        Assert.Contains("Observation CoRR+PteOA.DB1.val Always", text);
        using var doc = System.Text.Json.JsonDocument.Parse(report.ToJson());
        var res = doc.RootElement.GetProperty("results")[0];
        Assert.Equal("ok", res.GetProperty("status").GetString());
        Assert.Equal("Always", res.GetProperty("observation").GetString());
        Assert.Equal("Warning-BBM-expected", res.GetProperty("flags")[0].GetString());
        Assert.Equal(1, doc.RootElement.GetProperty("summary").GetProperty("supported").GetInt32());
    }

    /// <summary>Ctrl-C (#15): no further test starts, the tests that ran are reported, exit 130.</summary>
    [Fact]
    public void InterruptedRunReportsWhatRanAndExits130()
    {
        if (!LitmusCorpus.Available) return;
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = HvoLab.Cli.Program.Run(["litmus", Path.Combine(LitmusCorpus.Root, "herd-bbm")], stdout, stderr, stop.Token);
        Assert.Equal(130, code);
        Assert.Contains("interrupted; the report above covers 0 of 8 tests", stderr.ToString());
    }
}
