using Xunit;

namespace HvoLab.Litmus.Tests;

/// <summary>
/// A load whose address depends on a read of the CPU's own store is ordered after the loads that store's data or
/// address depends on (aarch64.cat dob "(addr | data); rfi"; the engine's address views, docs/arch.md). P0 writes x,
/// DMB SY, y; P1 reads y, stores z with a data (or address) dependency on it, reads z back and reads x at an address
/// computed from that read. Reading y = 1 and then x = 0 is forbidden; with P0's DMB SY removed it is allowed (the
/// stores may become visible in either order), so the test is not vacuous. Found by session 8's review on an
/// intermediate tree where a read of the CPU's own drained store carried no view.
/// </summary>
public sealed class DependencyThroughOwnStoreTests
{
    private const string DataStore = " LDR W0,[X3] ;\n EOR W2,W0,W0 ;\n ADD W2,W2,#1 ;\n STR W2,[X4] ;";
    private const string AddressStore = " LDR W0,[X3] ;\n EOR W2,W0,W0 ;\n MOV W8,#1 ;\n STR W8,[X4,W2,SXTW] ;";

    [Theory]
    [InlineData("MP+dmb.sy+data-rfi-addr", true, DataStore, "Forbidden", "Never")]
    [InlineData("MP+dmb.sy+addr-rfi-addr", true, AddressStore, "Forbidden", "Never")]
    [InlineData("MP+po+data-rfi-addr", false, DataStore, "Allowed", "Sometimes")]
    public void UnderTheEngineArmModel(string name, bool dmb, string storeWithDependency, string kind, string observation)
    {
        var p0 = new[] { "MOV W0,#1", "STR W0,[X1]", dmb ? "DMB SY" : "NOP", "MOV W2,#1", "STR W2,[X3]" };
        var p1 = storeWithDependency.Split('\n').Select(l => l.Trim().TrimEnd(';').Trim())
            .Concat(["LDR W5,[X4]", "EOR W6,W5,W5", "LDR W7,[X1,W6,SXTW]"]).ToArray();
        var lines = string.Join("\n", Enumerable.Range(0, p1.Length).Select(i => $" {(i < p0.Length ? p0[i] : "")} | {p1[i]} ;"));
        var text = $"AArch64 {name}\n{{\n 0:X1=x; 0:X3=y;\n 1:X3=y; 1:X4=z; 1:X1=x;\n}}\n P0 | P1 ;\n{lines}\n" +
            "exists (1:X0=1 /\\ 1:X5=1 /\\ 1:X7=0)\n";
        Assert.Equal(("engine-arm", observation), EngineArmVmsaTests.RunOne(name, kind, text, "engine-arm"));
    }
}
