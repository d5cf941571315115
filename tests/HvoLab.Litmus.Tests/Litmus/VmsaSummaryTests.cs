using System.Text.Json;
using HvoLab.Experiments.Tests;
using HvoLab.Litmus;
using Xunit.Abstractions;
using Xunit;

namespace HvoLab.Litmus.Tests;

/// <summary>
/// Regression pin of HvoLab's agreement with Arm's VMSA model over the whole herd-vmsa corpus (453 tests), run the way
/// a user runs it: <c>hvolab litmus herd-vmsa --max-executions 50000</c> (about 25 s on 2 cores; the full budget of
/// 200 000 completes three more tests). A model change that moves any count fails here; update the numbers and
/// docs/litmus.md together, explaining the change. The summary is printed with the test output.
/// </summary>
public sealed class VmsaSummaryTests(ITestOutputHelper output)
{
    private const int Budget = 50_000;

    [Fact]
    public void VmsaSummaryCountsArePinned()
    {
        if (!LitmusCorpus.Available) return;
        var (code, json, err) = CliRun.Run("litmus", LitmusCorpus.Vmsa(""), "--format", "json", "--max-executions", Budget.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(json);
        var s = doc.RootElement.GetProperty("summary");
        int N(string name) => s.GetProperty(name).GetInt32();
        var line = $"herd-vmsa (max {Budget} executions per test): supported {N("supported")}, incomplete {N("incomplete")}, " +
            $"with verdict {N("withVerdict")}: agree {N("agree")}, forbidden-but-allowed {N("forbiddenButAllowed")}, " +
            $"allowed-never-seen weak memory {N("allowedNeverSeenWeakMemory")}, model gap {N("allowedNeverSeenModelGap")}, " +
            $"required-but-not-always {N("requiredButNotAlways")}";
        output.WriteLine(line);
        CiSummary.Append(line);
        foreach (var r in doc.RootElement.GetProperty("results").EnumerateArray())
            if (r.TryGetProperty("agreement", out var a) && a.GetString() == LitmusReport.AgreementText(Agreement.ForbiddenButAllowed))
                output.WriteLine("forbidden-but-allowed: " + r.GetProperty("name").GetString());
        Assert.Equal(453, N("tests"));
        Assert.Equal(445, N("supported"));
        Assert.Equal(0, N("errors"));
        Assert.Equal((PinIncomplete, PinWithVerdict, PinAgree, PinForbiddenButAllowed, PinWeak, PinGap, 0),
            (N("incomplete"), N("withVerdict"), N("agree"), N("forbiddenButAllowed"), N("allowedNeverSeenWeakMemory"),
                N("allowedNeverSeenModelGap"), N("requiredButNotAlways")));
    }

    // Re-pinned (issue #10) when walks may be made early since the CPU's last context synchronisation, loads choose
    // among every usable translation, descriptor stores become visible to other observers all at once, hardware flag
    // updates happen with their access, and spin loops wait: agree 296 -> 349, forbidden-but-allowed 10 -> 0.
    // Re-pinned (issue #20) when data-memory tests (no descriptor, TLBI, fault or variant: 5 of herd-vmsa, e.g.
    // MP+dmb.sy+addr-store-pos-addr) run on the view-based Arm model: agree 349 -> 352, weak memory 43 -> 40.
    private const int PinIncomplete = 10, PinWithVerdict = 435, PinAgree = 352, PinForbiddenButAllowed = 0, PinWeak = 40, PinGap = 43;
}
