using System.Globalization;
using System.Text.Json;
using HvoLab.Experiments.Tests;
using Xunit.Abstractions;
using Xunit;

namespace HvoLab.Litmus.Tests;

/// <summary>
/// The engine's Arm data model on translation tests (issue #20): <c>hvolab litmus --data-model engine-arm-va</c> runs
/// the VMSA tests on the machine binding with the data words' stores buffered by VA in the engine, as the kernel
/// model's struct page stores are (docs/litmus.md "The engine's Arm model on the catalogues"). The directed tests need
/// the integration (they fail if the binding falls back to sequentially consistent data or reads a load's translation
/// candidates past the CPU's own buffer); the pin runs herd-vmsa less the NT-* family (below).
/// </summary>
public sealed class EngineArmVmsaTests(ITestOutputHelper output)
{
    /// <summary>Three small translation tests (a descriptor in the init block makes each one a VMSA test: the machine
    /// binding runs it, not EngineArmAccess), each under the engine's Arm model by VA and with SC data.</summary>
    [Theory]
    // Store buffering: each load passes its CPU's buffered store by VA. Arm allows it; SC data cannot show it.
    [InlineData("SB+pte", "Allowed", "MOV W0,#1 | MOV W0,#1 ;\n STR W0,[X1] | STR W0,[X1] ;\n LDR W2,[X3] | LDR W2,[X3] ;", "engine-arm-va", "Sometimes")]
    [InlineData("SB+pte", "Allowed", "MOV W0,#1 | MOV W0,#1 ;\n STR W0,[X1] | STR W0,[X1] ;\n LDR W2,[X3] | LDR W2,[X3] ;", "sc", "Never")]
    // A DMB SY waits for the buffer to drain: forbidden under both.
    [InlineData("SB+dmb.sys+pte", "Forbidden", "MOV W0,#1 | MOV W0,#1 ;\n STR W0,[X1] | STR W0,[X1] ;\n DMB SY | DMB SY ;\n LDR W2,[X3] | LDR W2,[X3] ;", "engine-arm-va", "Never")]
    // A load of the word its CPU just stored reads the buffered store (forwarding) through every translation candidate:
    // reading memory there instead (what ChooseLoad did before Cpu.ReadForwarded) would see 0 while the store waits.
    [InlineData("CoWR+pte", "Forbidden", "MOV W0,#1 | MOV W0,#1 ;\n STR W0,[X1] | STR W0,[X1] ;\n LDR W2,[X1] | LDR W2,[X1] ;", "engine-arm-va", "Never")]
    public void DirectedTranslationTests(string name, string kind, string code, string model, string observation)
    {
        var cond = name.StartsWith("CoWR", StringComparison.Ordinal) ? "(0:X2=0 \\/ 1:X2=0)" : "(0:X2=0 /\\ 1:X2=0)";
        var text = $"AArch64 {name}\n{{\n[PTE(z)]=(oa:PA(z));\n0:X1=x; 0:X3=y;\n1:X1=y; 1:X3=x;\n}}\n P0 | P1 ;\n {code}\nexists {cond}\n";
        Assert.Equal((model == "sc" ? "machine" : model, observation), RunOne(name, kind, text, model));
    }

    /// <summary>A store by VA made through a translation that another CPU's TLBI removes is complete when the TLBI's
    /// DSB completes (arm-arch.md §3.2; aarch64 TLBI-ob): P1 unmaps x, invalidates it and then reads x's page through
    /// z, so if P0's store did not fault P1 must see it. The engine's DSB waits for the other CPU's buffered store in
    /// the TLBI's range (DataStoreBuffers.ByVa.cs); without that wait this is Sometimes (checked by disabling it).</summary>
    [Theory]
    [InlineData("engine-arm-va")]
    [InlineData("sc")]
    public void TlbiCompletionWaitsForABufferedStore(string model)
    {
        const string name = "S+tlbi-waits-for-store";
        var text = $"AArch64 {name}\n{{\n[PTE(z)]=(oa:PA(x));\n0:X1=x;\n1:X1=(valid:0); 1:X2=PTE(x); 1:X3=x; 1:X4=z;\n}}\n" +
            " P0 | P1 ;\n MOV W0,#1 | STR X1,[X2] ;\n STR W0,[X1] | DSB ISH ;\n | LSR X9,X3,#12 ;\n | TLBI VAAE1IS,X9 ;\n" +
            " | DSB ISH ;\n | LDR W5,[X4] ;\nexists (~fault(P0,x) /\\ 1:X5=0)\n";
        Assert.Equal((model == "sc" ? "machine" : model, "Never"), RunOne(name, "Forbidden", text, model));
    }

    /// <summary>Runs one test written to a temporary folder through the CLI: its model and herd-style observation.</summary>
    internal static (string Model, string Observation) RunOne(string name, string kind, string text, string model)
    {
        var dir = Directory.CreateTempSubdirectory("hvolab-vmsabind-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, name + ".litmus"), text);
            File.WriteAllText(Path.Combine(dir.FullName, "kinds.txt"), $"{name} {kind}\n");
            var (code, json, err) = CliRun.Run("litmus", dir.FullName, "--data-model", model, "--format", "json", "--test-wall", "0");
            Assert.True(code == 0, err);
            using var doc = JsonDocument.Parse(json);
            var r = doc.RootElement.GetProperty("results")[0];
            Assert.Equal("ok", r.GetProperty("status").GetString());
            return (r.GetProperty("model").GetString()!, r.GetProperty("observation").GetString()!);
        }
        finally { dir.Delete(recursive: true); }
    }

    private const int Budget = 50_000;

    /// <summary>
    /// herd-vmsa without the 93 NT-* tests (hardware AF/dirty updates against TLBIs: half of all executions, and 28 of
    /// them do not complete within 50 000 under the buffers, so they would pin their budget, not the model), at the
    /// budget of <see cref="VmsaSummaryTests"/> (about 80 s of user CPU on the shared machine, 1.2 times the SC pin). The whole corpus is
    /// docs/litmus.md's command. Forbidden-but-allowed must stay 0; the other counts are pinned so that a change of
    /// the engine's model or of the binding shows here (update docs/litmus.md with them).
    /// </summary>
    [Fact]
    public void VmsaWithoutNtHasNoForbiddenButAllowedOutcome()
    {
        Assert.True(LitmusCorpus.Available, "litmus data missing: " + LitmusCorpus.Root);
        var files = Directory.GetFiles(LitmusCorpus.Vmsa(""), "*.litmus", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith("NT-", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        var (code, json, err) = CliRun.Run(["litmus", .. files, "--data-model", "engine-arm-va", "--format", "json",
            "--max-executions", Budget.ToString(CultureInfo.InvariantCulture), "--test-wall", "0"]);
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(json);
        var s = doc.RootElement.GetProperty("summary");
        int N(string p) => s.GetProperty(p).GetInt32();
        var allowed = doc.RootElement.GetProperty("results").EnumerateArray()
            .Where(r => r.TryGetProperty("expected", out var e) && e.GetString() == "Allowed").ToList();
        var reproduced = allowed.Count(r => r.TryGetProperty("agrees", out var a) && a.ValueKind == JsonValueKind.True);
        foreach (var r in doc.RootElement.GetProperty("results").EnumerateArray())
            if (r.TryGetProperty("agreement", out var a) && a.GetString() == LitmusReport.AgreementText(Agreement.ForbiddenButAllowed))
                output.WriteLine("forbidden-but-allowed: " + r.GetProperty("name").GetString());
        var line = $"herd-vmsa without NT-* engine-arm-va (max {Budget}): supported {N("supported")}, incomplete {N("incomplete")}, " +
            $"agree {N("agree")}, forbidden-but-allowed {N("forbiddenButAllowed")}, Allowed reproduced {reproduced} of {allowed.Count}";
        output.WriteLine(line);
        CiSummary.Append(line);
        Assert.Equal(0, N("forbiddenButAllowed"));
        Assert.Equal((360, 352, 15, 0, 314, 0), (N("tests"), N("supported"), N("incomplete"), N("errors"), N("agree"), N("requiredButNotAlways")));
        Assert.Equal((16, 7, 126, 158), (N("allowedNeverSeenWeakMemory"), N("allowedNeverSeenModelGap"), reproduced, allowed.Count));
    }
}
