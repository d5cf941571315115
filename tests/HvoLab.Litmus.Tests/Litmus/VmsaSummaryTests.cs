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
        var (code, json, err) = CliRun.Run("litmus", LitmusCorpus.Vmsa(""), "--format", "json", "--max-executions", Budget.ToString(System.Globalization.CultureInfo.InvariantCulture), "--test-wall", "0");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(json);
        var s = doc.RootElement.GetProperty("summary");
        int N(string name) => s.GetProperty(name).GetInt32();
        var line = $"herd-vmsa (max {Budget} executions per test): supported {N("supported")}, incomplete {N("incomplete")}, " +
            $"with verdict {N("withVerdict")}: agree {N("agree")}, forbidden-but-allowed {N("forbiddenButAllowed")}, " +
            $"allowed-never-seen weak memory {N("allowedNeverSeenWeakMemory")}, model gap {N("allowedNeverSeenModelGap")}, " +
            $"required-but-not-always {N("requiredButNotAlways")}; Allowed reproduced {AllowedReproduced(doc.RootElement)} of {Allowed(doc.RootElement)}";
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
        Assert.Equal((210, PinAllowedReproduced), (Allowed(doc.RootElement), AllowedReproduced(doc.RootElement)));
    }

    private static IEnumerable<JsonElement> AllowedResults(JsonElement root) => root.GetProperty("results").EnumerateArray()
        .Where(r => r.TryGetProperty("expected", out var e) && e.GetString() == "Allowed");

    private static int Allowed(JsonElement root) => AllowedResults(root).Count();

    private static int AllowedReproduced(JsonElement root) => AllowedResults(root)
        .Count(r => r.TryGetProperty("agrees", out var a) && a.ValueKind == JsonValueKind.True);

    // Re-pinned (issue #10) when walks may be made early since the CPU's last context synchronisation, loads choose
    // among every usable translation, descriptor stores become visible to other observers all at once, hardware flag
    // updates happen with their access, and spin loops wait: agree 296 -> 349, forbidden-but-allowed 10 -> 0.
    // Re-pinned (issue #20) when data-memory tests (no descriptor, TLBI, fault or variant: 5 of herd-vmsa, e.g.
    // MP+dmb.sy+addr-store-pos-addr) run on the view-based Arm model: agree 349 -> 352, weak memory 43 -> 40.
    // Re-pinned (issue #20, VMSA bound) when hardware updates may become visible late (until a full DSB), walkers make
    // spurious AF updates (herd spurious_setaf), an HA access may evict a cached entry to walk a newer descriptor, and
    // faults are ordered only by barriers, acquires and context synchronisation: agree 352 -> 400, weak memory
    // 40 -> 20, model gap 43 -> 11, incomplete 10 -> 14 (NT-20-tlbi, NT-30-tlbi+dsb, NT-33-dsb+dsb, NT-33-tlbi-isb, whose
    // helper now has more steps, need more than 50 000 executions), Allowed reproduced 167 of 210 (170 with the default
    // budget of 200 000).
    // Then dirty updates made ahead of earlier accesses (rule 4): agree 400 -> 406, weak memory 20 -> 16, model gap
    // 11 -> 9, Allowed reproduced 167 -> 173 (coRWExpNExp, coRmwWExpNExp, coWWExpNExp, LB+dmb.sy+acq-HU,
    // LB+dmb.sy+dsb.sy-HU, S+dmb.st+data-HUdb).
    private const int PinIncomplete = 14, PinWithVerdict = 431, PinAgree = 406, PinForbiddenButAllowed = 0, PinWeak = 16, PinGap = 9;
    private const int PinAllowedReproduced = 173;
}
