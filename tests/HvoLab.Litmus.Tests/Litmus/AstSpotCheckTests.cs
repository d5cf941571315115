using HvoLab.Litmus;
using Xunit;

namespace HvoLab.Litmus.Tests;

public sealed class AstSpotCheckTests
{
    [Fact]
    public void BbmCoRrPteOaDb0()
    {
        var t = LitmusParser.ParseFile(LitmusCorpus.Bbm("CoRR+PteOA.DB0.litmus"));
        Assert.Equal("CoRR+PteOA.DB0", t.Name);
        Assert.Equal("vmsa", t.Meta("Variant"));
        Assert.Equal(new InitEntry(new MemoryLocation("x"), null, new IntValue(1), 4), t.Init[0]);
        var pte = t.Init[2];
        Assert.Equal(new PteLocation("x"), pte.Target);
        var d = Assert.IsType<DescriptorValue>(pte.Value);
        Assert.Equal(new PhysicalAddressValue("x"), d.Oa);
        Assert.Equal(0, d.Db);
        Assert.Null(d.Valid);
        Assert.Equal(new RegisterLocation(0, "X5"), t.Init[4].Target);
        Assert.Equal(new PteAddressValue("x"), t.Init[4].Value);

        Assert.Equal(2, t.Threads.Count);
        var p0 = t.Thread(0);
        var str = Assert.Single(p0.Code);
        Assert.Equal(Opcode.Str, str.Op);
        Assert.Equal(new Reg(4, true), str.R(0));
        Assert.Equal(new MemOperand(new Reg(5, true), null, null, 0), str.Mem);
        Assert.Equal(2, t.Thread(1).Code.Count);
        Assert.Equal(new Reg(2, false), t.Thread(1).Code[1].R(0));

        Assert.Equal(Quantifier.Exists, t.Final.Quantifier);
        Assert.Equal(new AndCondition(new EqualsCondition(new RegisterLocation(1, "X0"), new IntValue(2)),
            new EqualsCondition(new RegisterLocation(1, "X2"), new IntValue(1))), t.Final.Condition);
    }

    [Fact]
    public void HandlerThreadLabelsAndLabelValues()
    {
        var t = LitmusParser.ParseFile(LitmusCorpus.Vmsa("CASAL+FAIL+FH.litmus"));
        Assert.Equal(3, t.Threads.Count);
        var h = t.Handler(1)!;
        Assert.True(h.IsHandler);
        Assert.Equal("P1.F", h.Name);
        Assert.Equal([Opcode.Adr, Opcode.Msr, Opcode.Eret], h.Code.Select(i => i.Op));
        var p1 = t.Thread(1);
        Assert.Equal(2, p1.Labels["L0"]);
        Assert.Equal(3, p1.Labels["L1"]);
        var cas = p1.Code[2];
        Assert.Equal(Opcode.Cas, cas.Op);
        Assert.Equal(AccessOrder.AcquireRelease, cas.Order);
        Assert.Equal("int", t.Init[0].Type);
        Assert.Equal("pteval_t", t.Init[2].Type);
        var and = Assert.IsType<AndCondition>(t.Final.Condition);
        Assert.Equal(new EqualsCondition(new RegisterLocation(1, "X9"), new LabelValue(1, "L1")), and.Left);
    }

    [Fact]
    public void OldSpellingsFaultsLocationsAndComments()
    {
        var t = LitmusParser.ParseFile(LitmusCorpus.Vmsa("STRx+2LDSETptex+db.litmus"));
        Assert.Equal("HA HD", t.Meta("TTHM"));
        Assert.Equal([(null, "HA"), (null, "HD")], t.HardwareUpdates.Select(x => (x.Proc, x.Feature)));
        Assert.Equal(new PteLocation("x"), t.Init[0].Target);
        var ldset = t.Thread(1).Code[2];
        Assert.Equal((Opcode.LdOp, LitmusRmwOp.Set), (ldset.Op, ldset.Rmw));
        var s = t.Final.Condition.ToString();
        Assert.Contains("~fault(P0:L0,x)", s);
        Assert.Contains("[PTE(x)]=(oa:PA(x), db:1, dbm:1)", s);

        var loc = LitmusParser.ParseFile(LitmusCorpus.Vmsa("LDRptex.litmus"));
        Assert.False(loc.Final.Explicit);
        Assert.Equal(Quantifier.Forall, loc.Final.Quantifier);
        Assert.Equal([new RegisterLocation(0, "X0")], loc.Locations);
        var withFault = LitmusParser.ParseFile(LitmusCorpus.Vmsa("LDRx+LDSETptex+af.litmus"));
        Assert.Equal(new FaultCondition(0, "L0", new MemoryLocation("x"), null), Assert.Single(withFault.ObservedFaults));
        Assert.Equal([new PteLocation("x")], withFault.Locations);

        var typed = LitmusParser.ParseFile(LitmusCorpus.Vmsa("A031.litmus"));
        Assert.Equal(Quantifier.NotExists, typed.Final.Quantifier);
        Assert.Contains(typed.Init, e => e.Type == "int*" && e.Value is AddressOfValue { Symbol: "z" });
        Assert.Equal([(1, "HA")], typed.HardwareUpdates.Select(x => (x.Proc ?? -1, x.Feature)));
    }

    [Fact]
    public void TlbiBarriersAndIndexedAddressing()
    {
        var t = LitmusParser.ParseFile(LitmusCorpus.Vmsa("MP+rfi_pte-addr+dmb.ld.litmus"));
        var str = t.Thread(0).Code[^1];
        Assert.Equal(new MemOperand(new Reg(5, true), new Reg(3, false), "SXTW", 0), str.Mem);
        Assert.Equal(new BarrierOption("SY", "LD"), t.Thread(1).Code[1].Barrier);

        var m = LitmusParser.ParseFile(LitmusCorpus.Bbm("MP+tlbi-sync.ishsptev0pteoa.v1+pos.litmus"));
        var tlbi = m.Thread(0).Code.First(i => i.Op == Opcode.Tlbi);
        Assert.Equal("VAAE1IS", ((NameOperand)tlbi.Operands[0]).Name);
        Assert.Equal(new BarrierOption("ISH", ""), m.Thread(0).Code.First(i => i.Op == Opcode.Dsb).Barrier);
    }

    [Theory]
    [InlineData("AArch64 T\n{ x=1; }\n P0 ;\n FOO X1 ;\nexists (x=1)", 4, "unsupported mnemonic 'FOO'")]
    [InlineData("AArch64 T\n{ x=1 }\n P0 ;\n LDR W0,[X1,X2,LSL #3] ;\nexists (x=1)", 4, "unsupported address form")]
    [InlineData("AArch64 T\n{ x=1; 0:X1=(oa:PA(x), oa:0); }\n P0 ;\n NOP ;\nexists (x=1)", 2, "given twice")]
    [InlineData("AArch64 T\n{ x=1; }\n P0 ;\n B L9 ;\nexists (x=1)", 4, "undefined label 'L9'")]
    [InlineData("AArch64 T\n{ x=1; }\n P0 ;\n NOP ;\nexists (x=1 /\\ )", 5, "expected a location")]
    [InlineData("AArch64 T\nwhat is this\n{ x=1; }\n P0 ;\n NOP ;\nexists (x=1)", 2, "expected metadata")]
    [InlineData("X86 T\n{ }\n P0 ;\n NOP ;\nexists (x=1)", 1, "AArch64 NAME")]
    [InlineData("AArch64 T\n{ x=1; }\n P0 ;\n NOP ;", 4, "missing final condition")]
    [InlineData("AArch64 T\n{ x=1; }\n P0 | P1 ;\n NOP | NOP | NOP ;\nexists (x=1)", 4, "columns")]
    [InlineData("AArch64 T\n(* open\n{ x=1; }", 2, "unterminated")]
    [InlineData("AArch64 T\n{ x=1; }\n P0 ;\n TLBI VAAE1IS ;\nexists (x=1)", 4, "needs an address")]
    public void BadSyntaxGivesLocatedParseError(string text, int line, string fragment)
    {
        var e = Assert.Throws<LitmusParseException>(() => LitmusParser.Parse(text, "t.litmus"));
        Assert.Equal("t.litmus", e.File);
        Assert.Equal(line, e.Line);
        Assert.Contains(fragment, e.Message);
    }
}
