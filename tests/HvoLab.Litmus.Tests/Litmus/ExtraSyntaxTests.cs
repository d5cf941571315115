using HvoLab.Litmus;
using Xunit;

namespace HvoLab.Litmus.Tests;

/// <summary>
/// The syntax the last unsupported catalogue tests use (issue #20): UDF and <c>Variant=faultToNext</c> run; LDIAPP
/// with an <c>int x[2]</c> array runs on the view-based model; instruction-fetch tests (<c>instr:"NOP"</c>,
/// <c>ins_t</c>, label values <c>1:Lself00</c>, DC/IC) parse and are classified unsupported with the reason.
/// </summary>
public sealed class ExtraSyntaxTests
{
    private static readonly LitmusRunOptions NoWall = new() { TestWallBudget = TimeSpan.MaxValue };

    private static Observation Run(string litmus)
    {
        var test = LitmusParser.Parse(litmus, "t.litmus");
        var support = SupportClassifier.Classify(test, LitmusRunner.Profile);
        Assert.True(support.Supported, support.ToString());
        var x = ViewModelExplorer.Handles(test) ? ViewModelExplorer.Explore(test, NoWall) : LitmusExplorer.Explore(test, NoWall);
        Assert.True(x.Complete && x.Error is null, x.Error ?? x.Incomplete);
        return x.Observation;
    }

    [Theory]
    // faultToNext: the thread goes on after each exception, so all three are taken; fatal stops at the first.
    [InlineData("faultToNext", "forall (fault(P0:L0,UndefinedInstruction) /\\ fault(P0:L1,x,MMU:Translation) /\\ fault(P0:L2,y,MMU:AccessFlag) /\\ 0:X9=1)", Observation.Always)]
    [InlineData("fatal", "exists (fault(P0:L1,x))", Observation.Never)]
    [InlineData("fatal", "forall (fault(P0:L0,UndefinedInstruction) /\\ fault(P0) /\\ 0:X9=0)", Observation.Always)]
    [InlineData("fatal", "exists (fault(P0,MMU:Translation))", Observation.Never)]
    public void UdfTakesAnUndefinedInstructionException(string variant, string condition, Observation expected)
    {
        var litmus = $$"""
            AArch64 T
            Variant=vmsa,{{variant}}
            {
             [PTE(x)]=(valid:0);
             [PTE(y)]=(af:0);
             0:X1=x; 0:X2=y;
            }
              P0          ;
            L0:           ;
              UDF #0      ;
            L1:           ;
              LDR W0,[X1] ;
            L2:           ;
              LDR W0,[X2] ;
              MOV W9,#1   ;
            {{condition}}
            """;
        Assert.Equal(expected, Run(litmus));
    }

    /// <summary>LDIAPP's two AcquirePC reads are ordered (herd readers-guide MP+dmb.st+LDIAPP: Forbidden); without the
    /// writer's barrier, or with two plain loads, the outcome is Allowed.</summary>
    [Theory]
    [InlineData("DMB ST", "LDIAPP W0,W1,[X2]", Observation.Never)]
    [InlineData("NOP", "LDIAPP W0,W1,[X2]", Observation.Sometimes)]
    public void LdiappReadsInOrderWithAcquirePc(string writerBarrier, string reader, Observation expected)
    {
        var litmus = $$"""
            AArch64 MP+LDIAPP
            {
             int x[2]={0,0};
             0:X0=1; 0:X1=1; 0:X2=x;
             1:X2=x;
            }
             P0             | P1                ;
             MOV W1,#1      | {{reader}} ;
             STR W1,[X2,#4] |                   ;
             {{writerBarrier}} |                ;
             MOV W0,#1      |                   ;
             STR W0,[X2]    |                   ;
            exists (1:X0=1 /\ 1:X1=0)
            """;
        Assert.Equal(expected, Run(litmus));
    }

    [Fact]
    public void PlainLoadPairReordersWhereLdiappDoesNot()
    {
        const string litmus = """
            AArch64 MP+dmb.st+po
            {
             int x[2]={0,0};
             0:X0=1; 0:X1=1; 0:X2=x;
             1:X2=x;
            }
             P0             | P1             ;
             MOV W1,#1      | LDR W0,[X2]    ;
             STR W1,[X2,#4] | LDR W1,[X2,#4] ;
             DMB ST         |                ;
             MOV W0,#1      |                ;
             STLR W0,[X2]   |                ;
            exists (1:X0=1 /\ 1:X1=0)
            """;
        Assert.Equal(Observation.Sometimes, Run(litmus));
    }

    [Fact]
    public void ArrayInitialiserFillsConsecutiveWords()
    {
        var test = LitmusParser.Parse("AArch64 A\n{\n int x[2]={1,2};\n 0:X2=x;\n}\n P0 ;\n LDIAPP W0,W1,[X2] ;\nforall (0:X0=1 /\\ 0:X1=2)\n", "a.litmus");
        Assert.Equal(new ArrayValue(4, [1, 2]), test.Init[0].Value);
        Assert.Equal(2, test.Threads[0].Code.Count);
        Assert.Equal(Observation.Always, ViewModelExplorer.Explore(test, NoWall).Observation);
        var big = Assert.Throws<LitmusParseException>(() => LitmusParser.Parse("AArch64 A\n{\n int x[3]={1,2,3};\n}\n P0 ;\n NOP ;\nforall (true)\n", "a.litmus"));
        Assert.Contains("8-byte word", big.Message, StringComparison.Ordinal);
        var same = Assert.Throws<LitmusParseException>(() => LitmusParser.Parse("AArch64 A\n{\n 0:X2=x;\n}\n P0 ;\n LDIAPP W2,W1,[X2] ;\nforall (true)\n", "a.litmus"));
        Assert.Contains("base register", same.Message, StringComparison.Ordinal);
    }

    /// <summary>Instruction-fetch tests parse; the classifier names what is missing instead of a parse error.</summary>
    [Fact]
    public void InstructionFetchTestsAreClassified()
    {
        const string litmus = """
            AArch64 MP.FF
            variant=ifetch
            CacheType=DIC
            {
             ins_t 0:X0=NOP; 0:X1=1:Lself00; 0:X2=instr:"B .+8"; 0:X3=P1:m1;
            }
             P0          | P1         ;
             STR W0,[X1] | Lself00:   ;
             DC CVAU,X1  | B m1       ;
             IC IVAU,X1  | m1:        ;
            exists (1:X10=1)
            """;
        var test = LitmusParser.Parse(litmus, "ifetch.litmus");
        Assert.Equal(new InstructionValue("NOP"), test.Init[0].Value);
        Assert.Equal(new LabelValue(1, "Lself00"), test.Init[1].Value);
        Assert.Equal(new InstructionValue("B .+8"), test.Init[2].Value);
        Assert.Equal(new LabelValue(1, "m1"), test.Init[3].Value);
        var r = SupportClassifier.Classify(test, LitmusRunner.Profile);
        Assert.False(r.Supported);
        Assert.Contains("Variant=ifetch: instruction fetch not modelled", r.Reasons);
        Assert.Contains(r.Reasons, x => x.StartsWith("CacheType=DIC", StringComparison.Ordinal));
        Assert.Contains(r.Reasons, x => x.Contains("'DC CVAU,X1' (cache maintenance)", StringComparison.Ordinal));
    }
}
