using HvoLab.Litmus;
using Xunit;

namespace HvoLab.Litmus.Tests;

public sealed class ConditionEvaluatorTests
{
    [Fact]
    public void HerdStatesReproduceOkForEveryBbmTest()
    {
        foreach (var f in Directory.GetFiles(Path.Combine(LitmusCorpus.Root, "herd-bbm"), "*.litmus"))
        {
            var t = LitmusParser.ParseFile(f);
            var e = ExpectedReader.ReadFile(f + ".expected");
            var map = new SymbolicAddressMap(t);
            var ev = new ConditionEvaluator(t, map);
            var finals = e.States.Select(s => s.ToFinalState(t, map)).ToList();
            Assert.Equal(e.Ok, ev.Validated(finals));
            Assert.Equal(e.Observation, ev.Observe(finals));
        }
    }

    [Fact]
    public void DescriptorsFaultsAndConnectives()
    {
        var t = LitmusParser.Parse("AArch64 T\n{ [PTE(x)]=(oa:PA(x), valid:0); }\n P0 ;\n L0: LDR W1,[X2] ;\n"
            + "exists ([PTE(x)]=(oa:PA(x), valid:0) /\\ (0:X1=1 \\/ ~fault(P0:L0,x)) /\\ 0:X3=(oa:PA(y),af:0))\n", "t");
        var map = new SymbolicAddressMap(t);
        var ev = new ConditionEvaluator(t, map);
        var pteInvalid = map.EncodeDescriptor(new DescriptorValue([new("valid", new IntValue(0))]), "x");
        var yAf0 = map.EncodeDescriptor(new DescriptorValue([new("oa", new PhysicalAddressValue("y")), new("af", new IntValue(0))]), null);
        var fault = new LitmusFault(0, 0, "L0", map.VirtualAddress("x"), new MemoryLocation("x"), LitmusFaultKind.Translation);

        var s1 = new LitmusFinalState().WithMemory(new PteLocation("x"), pteInvalid).WithRegister(0, "X3", yAf0);
        Assert.True(ev.Holds(t.Final.Condition, s1)); // no fault: ~fault holds
        var s2 = new LitmusFinalState().WithMemory(new PteLocation("x"), pteInvalid).WithRegister(0, "X3", yAf0).WithFault(fault);
        Assert.False(ev.Holds(t.Final.Condition, s2));
        s2.WithRegister(0, "X1", 1);
        Assert.True(ev.Holds(t.Final.Condition, s2));
        var s3 = new LitmusFinalState().WithMemory(new PteLocation("x"), pteInvalid | 1).WithRegister(0, "X3", yAf0);
        Assert.False(ev.Holds(t.Final.Condition, s3));

        Assert.Equal(Observation.Sometimes, ev.Observe([s1, s3]));
        Assert.Equal(Verdict.Allowed, ev.VerdictOf([s1, s3]));
        Assert.Equal(Verdict.Required, ev.VerdictOf([s1]));
        Assert.Equal(Verdict.Forbidden, ev.VerdictOf([s3]));
    }

    [Fact]
    public void WRegisterViewAndQuantifiers()
    {
        var t = LitmusParser.Parse("AArch64 T\n{ }\n P0 ;\n NOP ;\nforall (0:W1=1)\n", "t");
        var ev = new ConditionEvaluator(t, new SymbolicAddressMap(t));
        var s = new LitmusFinalState().WithRegister(0, "X1", 0x1_0000_0001);
        Assert.True(ev.Holds(t.Final.Condition, s));
        Assert.True(ev.Validated([s]));
        Assert.False(ev.Validated([s, new LitmusFinalState()]));
    }
}
