using HvoLab.Litmus;
using Xunit;

namespace HvoLab.Litmus.Tests;

/// <summary>
/// One small hand-written litmus test per rule of the view-based data-memory model (docs/arch.md, "Data-memory
/// model"), mostly in pairs: the weak outcome is observable without the ordering and never with it. The verdicts are
/// those of Arm's model (herdtools7 aarch64.cat; the classic shapes are in the herd catalogue under these names).
/// Removing or loosening a rule makes the Forbidden side fail; over-ordering makes the Allowed side fail.
/// </summary>
public sealed class DataModelRuleTests
{
    private const string MpInit = "0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;";
    private static readonly string[] MpWriter = ["MOV W0,#1", "STR W0,[X1]", "MOV W2,#1", "STR W2,[X3]"];
    private static readonly string[] MpWriterDmbSt = ["MOV W0,#1", "STR W0,[X1]", "DMB ST", "MOV W2,#1", "STR W2,[X3]"];
    private const string MpCond = "exists (1:X0=1 /\\ 1:X2=0)";

    public static TheoryData<string, string, bool> Cases => new()
    {
        // Reordering of plain accesses, and barriers.
        { "MP", Mp(MpWriter, ["LDR W0,[X1]", "LDR W2,[X3]"]), true },
        { "MP+dmb.sys", Mp(["MOV W0,#1", "STR W0,[X1]", "DMB SY", "MOV W2,#1", "STR W2,[X3]"], ["LDR W0,[X1]", "DMB SY", "LDR W2,[X3]"]), false },
        { "MP+dmb.st+dmb.ld", Mp(MpWriterDmbSt, ["LDR W0,[X1]", "DMB LD", "LDR W2,[X3]"]), false },
        { "MP+dmb.st+po", Mp(MpWriterDmbSt, ["LDR W0,[X1]", "LDR W2,[X3]"]), true },
        { "MP+dmb.ld+dmb.ld (DMB LD does not order writes)", Mp(["MOV W0,#1", "STR W0,[X1]", "DMB LD", "MOV W2,#1", "STR W2,[X3]"], ["LDR W0,[X1]", "DMB LD", "LDR W2,[X3]"]), true },
        { "SB", Sb(["STR W0,[X1]", "LDR W2,[X3]"], ["STR W0,[X1]", "LDR W2,[X3]"]), true },
        { "SB+dmb.sys", Sb(["STR W0,[X1]", "DMB SY", "LDR W2,[X3]"], ["STR W0,[X1]", "DMB SY", "LDR W2,[X3]"]), false },
        { "SB+dsb.sys", Sb(["STR W0,[X1]", "DSB SY", "LDR W2,[X3]"], ["STR W0,[X1]", "DSB SY", "LDR W2,[X3]"]), false },
        { "SB+dmb.lds (DMB LD does not order a write before a read)", Sb(["STR W0,[X1]", "DMB LD", "LDR W2,[X3]"], ["STR W0,[X1]", "DMB LD", "LDR W2,[X3]"]), true },
        { "2+2W", TwoPlusTwoW(null), true },
        { "2+2W+dmb.sts", TwoPlusTwoW("DMB ST"), false },
        // Load buffering needs promises; dependencies forbid it.
        { "LB", Lb(["LDR W0,[X1]", "MOV W2,#1", "STR W2,[X3]"]), true },
        { "LB+datas", Lb(["LDR W0,[X1]", "EOR W2,W0,W0", "ADD W2,W2,#1", "STR W2,[X3]"]), false },
        { "LB+addrs", Lb(["LDR W0,[X1]", "EOR W4,W0,W0", "MOV W2,#1", "STR W2,[X3,W4,SXTW]"]), false },
        { "LB+ctrls", Lb(["LDR W0,[X1]", "CBNZ W0,L", "L:", "MOV W2,#1", "STR W2,[X3]"]), false },
        // Dependencies into reads: address orders, control alone does not, control + ISB does.
        { "MP+dmb.st+addr", Mp(MpWriterDmbSt, ["LDR W0,[X1]", "EOR W4,W0,W0", "LDR W2,[X3,W4,SXTW]"]), false },
        { "MP+dmb.st+ctrl", Mp(MpWriterDmbSt, ["LDR W0,[X1]", "CBNZ W0,L", "L:", "LDR W2,[X3]"]), true },
        { "MP+dmb.st+ctrl-isb", Mp(MpWriterDmbSt, ["LDR W0,[X1]", "CBNZ W0,L", "L:", "ISB", "LDR W2,[X3]"]), false },
        // Pick dependency (CSEL on flags) orders only later writes, not reads (herd aarch64-pick).
        { "LB+pick-data", Lb(["LDR W0,[X1]", "CMP W0,#1", "MOV W5,#1", "MOV W6,#2", "CSEL W2,W5,W6,EQ", "STR W2,[X3]"], "exists (0:X0=1 /\\ 1:X0=1)"), false },
        // Acquire and release.
        { "MP+rel+acq", Mp(["MOV W0,#1", "STR W0,[X1]", "MOV W2,#1", "STLR W2,[X3]"], ["LDAR W0,[X1]", "LDR W2,[X3]"]), false },
        { "MP+rel+acq-pc", Mp(["MOV W0,#1", "STR W0,[X1]", "MOV W2,#1", "STLR W2,[X3]"], ["LDAPR W0,[X1]", "LDR W2,[X3]"]), false },
        { "MP+rel+po", Mp(["MOV W0,#1", "STR W0,[X1]", "MOV W2,#1", "STLR W2,[X3]"], ["LDR W0,[X1]", "LDR W2,[X3]"]), true },
        { "SB+rel-acqs (release then acquire is ordered)", Sb(["STLR W0,[X1]", "LDAR W2,[X3]"], ["STLR W0,[X1]", "LDAR W2,[X3]"]), false },
        { "SB+rel-acq-pcs (release then acquire-PC is not)", Sb(["STLR W0,[X1]", "LDAPR W2,[X3]"], ["STLR W0,[X1]", "LDAPR W2,[X3]"]), true },
        // Forwarding from the thread's own store: a control dependency into the store does not order the read of it
        // (PPOCA, Allowed), a data dependency does (PPODA, Forbidden).
        { "PPOCA", Mp(MpWriterDmbSt, ["LDR W0,[X1]", "CBNZ W0,L", "L:", "MOV W5,#1", "STR W5,[X6]", "LDR W7,[X6]", "EOR W8,W7,W7", "LDR W2,[X3,W8,SXTW]"], "1:X6=z;"), true },
        { "PPODA", Mp(MpWriterDmbSt, ["LDR W0,[X1]", "STR W0,[X6]", "LDR W7,[X6]", "EOR W8,W7,W7", "LDR W2,[X3,W8,SXTW]"], "1:X6=z;"), false },
        // Multi-copy atomicity: two readers cannot see two independent writes in opposite orders once their reads
        // are ordered (IRIW+addrs Forbidden); unordered, they can (IRIW Allowed).
        { "IRIW", Iriw("LDR W2,[X3]"), true },
        { "IRIW+addrs", Iriw("EOR W4,W0,W0", "LDR W2,[X3,W4,SXTW]"), false },
        { "IRIW+dmb.lds", Iriw("DMB LD", "LDR W2,[X3]"), false },
        // Coherence.
        { "CoRR", Build(["0:X1=x; 1:X1=x;"], [["MOV W0,#1", "STR W0,[X1]"], ["LDR W0,[X1]", "LDR W2,[X1]"]], "exists (1:X0=1 /\\ 1:X2=0)"), false },
        { "CoWW", Build(["0:X1=x;"], [["MOV W0,#1", "STR W0,[X1]", "MOV W2,#2", "STR W2,[X1]"]], "exists (x=1)"), false },
        { "CoRW2", Build(["0:X1=x; 1:X1=x;"], [["LDR W0,[X1]", "MOV W2,#1", "STR W2,[X1]"], ["MOV W0,#2", "STR W0,[X1]"]], "exists (0:X0=2 /\\ x=2)"), false },
        // Exclusives and atomics are atomic; LSE atomics with a zero destination are not acquires nor ordered by DMB LD.
        { "exclusive increments never lose an update", Build(["0:X1=x; 1:X1=x;"],
            [["LDXR W0,[X1]", "ADD W0,W0,#1", "STXR W5,W0,[X1]"], ["LDXR W0,[X1]", "ADD W0,W0,#1", "STXR W5,W0,[X1]"]],
            "exists (0:X5=0 /\\ 1:X5=0 /\\ x=1)"), false },
        { "exclusive increment may fail", Build(["0:X1=x;"], [["LDXR W0,[X1]", "ADD W0,W0,#1", "STXR W5,W0,[X1]"]], "exists (0:X5=1)"), true },
        { "LDADD never loses an update", Build(["0:X1=x; 1:X1=x; 0:X2=1; 1:X2=1;"], [["LDADD W2,W0,[X1]"], ["LDADD W2,W0,[X1]"]], "exists (~x=2)"), false },
        { "MP+dmb.st+LDADD-dmb.ld", Mp(MpWriterDmbSt, ["MOV W5,#1", "LDADD W5,W0,[X1]", "DMB LD", "LDR W2,[X3]"], "", "exists (y=2 /\\ 1:X2=0)"), false },
        { "MP+dmb.st+LDADDnoret-dmb.ld", Mp(MpWriterDmbSt, ["MOV W5,#1", "LDADD W5,WZR,[X1]", "DMB LD", "LDR W2,[X3]"], "", "exists (y=2 /\\ 1:X2=0)"), true },
        { "CAS compares atomically", Build(["0:X1=x; 1:X1=x; 0:X2=1; 1:X2=2;"], [["MOV W0,#0", "CAS W0,W2,[X1]"], ["MOV W0,#0", "CAS W0,W2,[X1]"]],
            "exists (0:X0=0 /\\ 1:X0=0)"), false },
        // Extended-register operands (ADD X2,X2,W5,SXTW) and SXTW, as the aarch64-cas tests use them.
        { "SXTW sign-extends a W operand", Build(["0:X2=5;"], [["MOV W5,#-1", "ADD X2,X2,W5,SXTW", "SXTW X3,W5"]], "exists (0:X2=4 /\\ 0:X3=-1)"), true },
        { "UXTW zero-extends a W operand", Build(["0:X2=5;"], [["MOV W5,#-1", "ADD X2,X2,W5,UXTW"]], "exists (0:X2=4)"), false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesArm(string name, string litmus, bool allowed)
    {
        var test = LitmusParser.Parse(litmus, name + ".litmus");
        Assert.True(ViewModelExplorer.Handles(test), name + ": not a data-memory test");
        var x = ViewModelExplorer.Explore(test, new LitmusRunOptions());
        Assert.True(x.Complete && x.Error is null, $"{name}: {x.Error ?? x.Incomplete}");
        var seen = x.States.Any(s => s.ConditionHolds);
        Assert.True(seen == allowed, $"{name}: Arm {(allowed ? "allows" : "forbids")} the outcome; states: {string.Join(" | ", x.States.Select(s => s.Text))}");
    }

    private static string Mp(string[] p0, string[] p1, string extraInit = "", string cond = MpCond) =>
        Build([MpInit + " " + extraInit], [p0, p1], cond);

    private static string Sb(string[] p0, string[] p1) =>
        Build(["0:X0=1; 0:X1=x; 0:X3=y; 1:X0=1; 1:X1=y; 1:X3=x;"], [p0, p1], "exists (0:X2=0 /\\ 1:X2=0)");

    private static string Lb(string[] body, string cond = "exists (0:X0=1 /\\ 1:X0=1)") =>
        Build(["0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;"], [body, body], cond);

    private static string Iriw(params string[] second)
    {
        string[] Reader = ["LDR W0,[X1]", .. second];
        return Build(["0:X0=1; 0:X1=x; 2:X0=1; 2:X1=y; 1:X1=x; 1:X3=y; 3:X1=y; 3:X3=x;"],
            [["STR W0,[X1]"], Reader, ["STR W0,[X1]"], Reader], "exists (1:X0=1 /\\ 1:X2=0 /\\ 3:X0=1 /\\ 3:X2=0)");
    }

    private static string TwoPlusTwoW(string? barrier)
    {
        string[] T(int a, int b) => barrier is null
            ? [$"MOV W0,#{a}", "STR W0,[X1]", $"MOV W2,#{b}", "STR W2,[X3]"]
            : [$"MOV W0,#{a}", "STR W0,[X1]", barrier, $"MOV W2,#{b}", "STR W2,[X3]"];
        return Build(["0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;"], [T(2, 1), T(2, 1)], "exists (x=2 /\\ y=2)");
    }

    /// <summary>Lays out a herd litmus file: one column per thread; an entry ending in ':' is a label.</summary>
    private static string Build(string[] init, string[][] threads, string cond)
    {
        var rows = threads.Max(t => t.Length);
        var sb = new System.Text.StringBuilder("AArch64 T\n{\n").AppendJoin("\n", init).Append("\n}\n");
        sb.AppendJoin(" | ", threads.Select((_, i) => "P" + i)).Append(" ;\n");
        for (var r = 0; r < rows; r++)
            sb.AppendJoin(" | ", threads.Select(t => r < t.Length ? t[r] : "")).Append(" ;\n");
        return sb.Append(cond).Append('\n').ToString();
    }
}
