using HvoLab.Litmus;
using Xunit;

namespace HvoLab.Litmus.Tests;

public sealed class InterpreterTests
{
    private static (LitmusInterpreter I, SymbolicAddressMap Map, FakeMemoryPort Port, IReadOnlyList<LitmusThreadState> S) Setup(LitmusTest t)
    {
        var map = new SymbolicAddressMap(t);
        var port = new FakeMemoryPort();
        foreach (var (loc, v) in LitmusValues.InitialMemory(t, map))
            port.Memory[loc is PteLocation p ? map.PteAddress(p.Symbol) : map.VirtualAddress(((MemoryLocation)loc).Symbol)] = v;
        var i = new LitmusInterpreter(t, map);
        return (i, map, port, i.InitialStates());
    }

    private static LitmusTest Src(string code, string init = "x=0;", string cond = "exists (x=0)", string meta = "") =>
        LitmusParser.Parse($"AArch64 T\n{meta}{{ {init} }}\n{code}\n{cond}\n", "inline.litmus");

    private static void Run(LitmusInterpreter i, LitmusThreadState s, FakeMemoryPort port, int max = 1000)
    {
        for (var n = 0; n < max && !s.Halted; n++) i.Step(s, port);
        Assert.True(s.Halted, "thread did not finish");
    }

    [Fact]
    public void AluAndWViews()
    {
        var t = Src(" P0 ;\n MOV X1,#-1 ;\n ADD W2,W1,#1 ;\n LSR X3,X1,#60 ;\n LSL X4,X3,12 ;\n EOR W5,W1,W1 ;\n SUB X6,X3,#16 ;\n ORR X7,XZR,X3 ;\n AND W8,W1,#6 ;\n BIC X9,X1,X3 ;");
        var (i, _, port, s) = Setup(t);
        Run(i, s[0], port);
        var st = s[0];
        Assert.Equal(ulong.MaxValue, st.X(1));
        Assert.Equal(0UL, st.X(2)); // 0xFFFFFFFF + 1 wraps in 32 bits and zero-extends
        Assert.Equal(0xFUL, st.X(3));
        Assert.Equal(0xF000UL, st.X(4));
        Assert.Equal(0UL, st.X(5));
        Assert.Equal(unchecked((ulong)-1), st.X(6));
        Assert.Equal(0xFUL, st.X(7));
        Assert.Equal(6UL, st.X(8));
        Assert.Equal(~0xFUL, st.X(9));
    }

    [Fact]
    public void BranchLoopCountsDown()
    {
        var t = Src(" P0 ;\n MOV W0,#5 ;\n MOV W1,#0 ;\n L0: ADD W1,W1,#2 ;\n SUB W0,W0,#1 ;\n CBNZ W0,L0 ;\n CMP W1,#10 ;\n B.NE Lbad ;\n CSET W2,EQ ;\n B Lend ;\n Lbad: MOV W2,#99 ;\n Lend: ;");
        var (i, _, port, s) = Setup(t);
        var steps = 0;
        while (!s[0].Halted) { i.Step(s[0], port); steps++; }
        Assert.Equal(10UL, s[0].X(1));
        Assert.Equal(1UL, s[0].X(2));
        Assert.Equal(2 + 5 * 3 + 4 + 1, steps); // last step observes the end of code
    }

    [Fact]
    public void CompareAndSwapSucceedsAndFails()
    {
        var t = Src(" P0 ;\n MOV W1,#1 ;\n MOV W2,#7 ;\n CASA W1,W2,[X5] ;\n MOV W3,#1 ;\n CASL W3,W2,[X5] ;", init: "x=1; 0:X5=x;");
        var (i, map, port, s) = Setup(t);
        Run(i, s[0], port);
        Assert.Equal(1UL, s[0].X(1)); // old value returned
        Assert.Equal(7UL, s[0].X(3)); // second CAS saw 7 != 1: no write, Rs := 7
        Assert.Equal(7UL, port.Memory[map.VirtualAddress("x")]);
        Assert.Contains(port.Log, l => l.Contains("CompareSwap") && l.EndsWith("Acquire"));
        Assert.Contains(port.Log, l => l.Contains("CompareSwap") && l.EndsWith("Release"));
    }

    [Fact]
    public void AtomicsExclusivesBarriersAndTlbi()
    {
        var t = Src(" P0 ;\n MOV X6,#128 ;\n LDSETAL X6,X0,[X4] ;\n STCLR X6,[X4] ;\n SWPL X6,X7,[X4] ;\n LDXR W8,[X5] ;\n STXR W9,W8,[X5] ;\n DMB ISHST ;\n DSB SY ;\n ISB ;\n LSR X10,X5,#12 ;\n TLBI VAAE1IS,X10 ;\n TLBI VMALLE1IS ;",
            init: "x=3; 0:X4=PTE(x); 0:X5=x;");
        var (i, map, port, s) = Setup(t);
        var pte = port.Memory[map.PteAddress("x")];
        Run(i, s[0], port);
        Assert.Equal(pte, s[0].X(0));
        Assert.Equal(pte & ~128UL, s[0].X(7));
        Assert.Equal(128UL, port.Memory[map.PteAddress("x")]);
        Assert.Equal(3UL, s[0].X(8));
        Assert.Equal(0UL, s[0].X(9));
        Assert.Contains("Dmb P0 ISHST", port.Log);
        Assert.Contains("Dsb P0 SY", port.Log);
        Assert.Contains(port.Log, l => l.StartsWith("tlbi P0 VAAE1IS ", StringComparison.Ordinal) && l.EndsWith((map.VirtualAddress("x") >> 12).ToString("X")));
        Assert.Contains("tlbi P0 VMALLE1IS 0", port.Log);
    }

    [Fact]
    public void FaultEntersHandlerWhichReturnsToLabel()
    {
        var t = LitmusParser.ParseFile(LitmusCorpus.Vmsa("CASAL+FAIL+FH.litmus"));
        var (i, map, port, s) = Setup(t);
        port.FaultsLeft[(1, map.VirtualAddress("x"))] = 1;
        var p1 = s[1];
        for (var n = 0; n < 3; n++) i.Step(p1, port); // MOV, MOV, CASAL (faults)
        Assert.True(p1.InHandler);
        Assert.Equal(0, p1.Pc);
        var f = Assert.Single(p1.Faults);
        Assert.Equal((1, "L0", (LitLocation)new MemoryLocation("x")), (f.Proc, f.Label, f.Target!));
        Run(i, p1, port);
        Assert.False(p1.InHandler);
        Assert.Equal(LitmusCodeAddress.OfLabel(t, 1, "L1"), p1.X(9));
        Assert.Contains(port.Log, l => l.StartsWith("load P1 " + map.VirtualAddress("y").ToString("X"), StringComparison.Ordinal));

        var final = LitmusFinalState.From(s, _ => 0, []);
        var ev = new ConditionEvaluator(t, map);
        Assert.True(ev.Holds(t.Final.Condition, final)); // 1:X9=label:"P1:L1" /\ 1:X5=0
        Assert.True(ev.Holds(new FaultCondition(1, "L0", new MemoryLocation("x"), null), final));
        Assert.True(ev.Holds(new FaultCondition(1, null, new MemoryLocation("x"), "MMU:Permission"), final));
        Assert.False(ev.Holds(new FaultCondition(1, null, new MemoryLocation("x"), "MMU:Translation"), final));
    }

    [Fact]
    public void HandlerWithoutEretEndsTheThread()
    {
        var t = LitmusParser.ParseFile(LitmusCorpus.Vmsa("order-via-faults/pick-lob/R+rel+rmw-lrs-acq-mmufault-po.litmus"));
        var (i, map, port, s) = Setup(t);
        port.FaultsLeft[(1, map.VirtualAddress("z"))] = 1;
        port.Memory[map.VirtualAddress("x")] = 5;
        Run(i, s[1], port);
        Assert.Equal(5UL, s[1].X(2)); // handler's LDR W2,[X3] ran
        Assert.True(s[1].InHandler);
        Assert.Single(s[1].Faults);
    }

    [Fact]
    public void EretWithoutElrWriteRetriesTheFaultingInstruction()
    {
        var t = Src(" P0 | P0.F ;\n MOV W1,#1 | ERET ;\n L0: STR W1,[X5] | ;", init: "x=0; 0:X5=x;");
        var (i, map, port, s) = Setup(t);
        port.FaultsLeft[(0, map.VirtualAddress("x"))] = 2;
        Run(i, s[0], port);
        Assert.Equal(2, s[0].Faults.Count);
        Assert.Equal(1UL, port.Memory[map.VirtualAddress("x")]);
    }

    [Fact]
    public void FatalVariantIgnoresHandler()
    {
        var t = Src(" P0 | P0.F ;\n L0: STR W1,[X5] | MOV W2,#1 ;\n MOV W3,#1 | ;", init: "x=0; 0:X5=x;", meta: "Variant=vmsa,fatal\n");
        var (i, map, port, s) = Setup(t);
        port.FaultsLeft[(0, map.VirtualAddress("x"))] = 1;
        var r = i.Step(s[0], port);
        Assert.Equal(StepKind.Faulted, r.Kind);
        Assert.True(s[0].Halted);
        Assert.Equal(0UL, s[0].X(3));
        Assert.Equal(0UL, s[0].X(2));
    }

    [Fact]
    public void CloneIsIndependentAndEqual()
    {
        var a = new LitmusThreadState(0);
        a.SetX(3, 9);
        var b = a.Clone();
        Assert.Equal(a, b);
        b.SetX(3, 10);
        Assert.NotEqual(a, b);
        Assert.Equal(9UL, a.X(3));
    }
}
