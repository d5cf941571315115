using HvoLab.Litmus;
using Xunit;

namespace HvoLab.Litmus.Tests;

/// <summary>
/// FEAT_ETS2 / FEAT_ETS3 (<c>Variant=ets2</c> / <c>ets3</c>, <see cref="EtsOrdering"/>; herdtools7
/// aarch64hwreqs.cat DSB-ob and ets-ob). The catalogue's ETS tests are all Forbidden, so each shape also has
/// hand-written twins without the ordering the rule relies on (a barrier or release removed, the weaker feature,
/// or no feature), which Arm allows and the model must still produce: a variant that forbade every fault would fail
/// them. Verdicts of the twins are derived from the same .cat rules (comment per case).
/// </summary>
public sealed class EtsRuleTests
{
    /// <summary>ETS2.MP+poptev1l+po without the release: the descriptor store is not ordered before the flag store,
    /// so the reader may see the flag and still fault.</summary>
    private const string MpPlain = """
        AArch64 ETS2.MP+poptev1+po
        Variant=vmsa,ets2
        {
         [PTE(x)]=(oa:PA(x), valid:0);
         pteval_t 0:X0=(oa:PA(x)); 0:X1=PTE(x);
         0:X3=y; 1:X3=y;
         1:X4=x;
        }
         P0           | P1          ;
         STR X0,[X1]  | LDR W2,[X3] ;
         MOV W2,#1    |L0:          ;
         STR W2,[X3]  | LDR W5,[X4] ;
        exists (1:X2=1 /\ fault(P1:L0,x,MMU:Translation))
        """;

    /// <summary>The SB shape of ETS2.SB+dsb.sy+dmb.syptev1p with <paramref name="p0Barrier"/> between P0's store and
    /// faulting load and <paramref name="p1Barrier"/> between P1's descriptor store and load.</summary>
    private static string Sb(string variant, string p0Barrier, string p1Barrier) => $$"""
        AArch64 SB
        Variant=vmsa{{variant}}
        {
         [PTE(y)]=(oa:PA(y), valid:0);
         0:X1=x; 0:X2=y;
         1:X1=x;
         1:X3=(oa:PA(y)); 1:X0=PTE(y);
        }
         P0                | P1          ;
         MOV W0,#1         | STR X3,[X0] ;
         STR W0,[X1]       | {{p1Barrier}} ;
         {{p0Barrier}}     | LDR W4,[X1] ;
         L00: LDR W3,[X2]  |             ;
        exists (fault(P0:L00,y) /\ 1:X4=0)
        """;

    /// <summary>ETS2.CoWW without the TLBI: the DSB orders the later walk after the descriptor store, but a read-only
    /// entry cached before may still be used (only a TLBI removes it; a Permission fault is not TLBUncacheable).</summary>
    private const string CoWWNoTlbi = """
        AArch64 ETS2.CoWW+dsb.ishsptedb1p-coipptedb1
        Variant=vmsa,ets2
        {
          [PTE(x)]=(oa:PA(x), db:0);
          pteval_t 0:X0=(oa:PA(x)); 0:X1=PTE(x);
          0:X3=x;
        }
         P0              ;
         STR X0,[X1]     ;
         DSB ISH         ;
         MOV W2,#2       ;
        L0:              ;
         STR W2,[X3]     ;
        exists (fault(P0:L0,x,MMU:Permission))
        """;

    /// <summary>The ETS3.S+tlbi-sync shape, optionally without the TLBI + DSB after the descriptor store.</summary>
    private static string S(string variant, bool tlbi) => $$"""
        AArch64 S
        Variant=vmsa{{variant}}
        {
         [PTE(x)]=(oa:PA(x), db:0);
         0:X0=PTE(x); 0:X1=(oa:PA(x)); 0:X3=y; 0:X4=x;
         1:X3=y; 1:X4=x;
        }
         P0              | P1               ;
         STR X1,[X0]     | LDR W2,[X3]      ;
         DSB ISH         | MOV W5,#1        ;
         LSR X5,X4,#12   | L00: STR W5,[X4] ;
         {{(tlbi ? "TLBI VAAE1IS,X5" : "NOP")}} |                  ;
         {{(tlbi ? "DSB ISH" : "NOP")}}         |                  ;
         MOV W2,#1       |                  ;
         STR W2,[X3]     |                  ;
        exists (1:X2=1 /\ fault(P1:L00,x))
        """;

    public static TheoryData<string, string, bool> Cases => new()
    {
        // ets-ob alone (no DSB on P0): the Translation fault's walk is ordered after the earlier store, and it is
        // coherence-before the descriptor store (TLBuncacheable-ca), which P1's DMB orders before its read: a cycle.
        { "SB+po+dmb.sy, ets2 (ets-ob)", Sb(",ets2", "NOP", "DMB SY"), false },
        // Twins Arm allows.
        { "MP+po+po, ets2 (no release: the descriptor store may become visible late)", MpPlain, true },
        { "SB+dsb.sy+po, ets2 (no DMB on the descriptor writer)", Sb(",ets2", "DSB SY", "NOP"), true },
        { "SB+dsb.sy+dmb.sy without ETS (the walk may be made before the DSB)", Sb("", "DSB SY", "DMB SY"), true },
        { "CoWW+dsb without TLBI, ets2 (stale read-only entry)", CoWWNoTlbi, true },
        { "S+tlbi-sync+po, ets2 (a Permission fault is not ordered by ETS2)", S(",ets2", tlbi: true), true },
        { "S+dsb+po, ets3 (no TLBI: the stale entry may be used)", S(",ets3", tlbi: false), true },
        { "S+tlbi-sync+po, ets3", S(",ets3", tlbi: true), false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesArm(string name, string litmus, bool allowed)
    {
        var test = LitmusParser.Parse(litmus, "ets.litmus");
        Assert.True(SupportClassifier.Classify(test, LitmusRunner.Profile).Supported, name);
        var x = LitmusExplorer.Explore(test, new LitmusRunOptions { TestWallBudget = TimeSpan.MaxValue });
        Assert.True(x.Complete && x.Error is null, $"{name}: {x.Error ?? x.Incomplete}");
        var seen = x.States.Any(s => s.ConditionHolds);
        Assert.True(seen == allowed, $"{name}: Arm {(allowed ? "allows" : "forbids")} the outcome; states: {string.Join(" | ", x.States.Select(s => s.Text))}");
    }

    /// <summary>The catalogue's ETS tests agree (all Forbidden), and each is Allowed once the variant is dropped, so
    /// the verdict comes from the feature.</summary>
    [Theory]
    [InlineData("aarch64-ETS2/ETS2.CoWR0+posptev1p-fripptev1.litmus")]
    [InlineData("aarch64-ETS2/ETS2.CoWW+tlbi-sync.ishsptedb1p-coipptedb1.litmus")]
    [InlineData("aarch64-ETS2/ETS2.MP+poptev1l+po.litmus")]
    [InlineData("aarch64-ETS2/ETS2.SB+dsb.sy+dmb.syptev1p.litmus")]
    [InlineData("aarch64-ETS3/ETS3.S+tlbi-sync.ishptedb1p+po.litmus")]
    public void CatalogueTestAgreesAndNeedsTheFeature(string file)
    {
        if (!LitmusCorpus.Aarch64Available) return;
        var path = LitmusCorpus.Aarch64(file);
        var r = LitmusRunner.RunFile(path, new LitmusRunOptions { TestWallBudget = TimeSpan.MaxValue });
        Assert.True(r.Status == LitmusStatus.Ok && r.Comparison!.Agreement == Agreement.Agree, $"{file}: {r.Status} {r.Reason} {r.Exploration?.Observation}");

        var text = File.ReadAllText(path).Replace(",ets2", "", StringComparison.Ordinal).Replace(",ets3", "", StringComparison.Ordinal);
        var x = LitmusExplorer.Explore(LitmusParser.Parse(text, path), new LitmusRunOptions { TestWallBudget = TimeSpan.MaxValue });
        Assert.True(x.Complete && x.States.Any(s => s.ConditionHolds), $"{file} without the feature: expected the outcome to be observable");
    }
}
