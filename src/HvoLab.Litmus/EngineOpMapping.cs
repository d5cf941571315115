using HvoLab.Arch;
using HvoLab.Engine;

namespace HvoLab.Litmus;

/// <summary>How the parts of a litmus instruction map onto the engine's ops and back: its RMW, barrier and TLBI operand
/// as the engine issues them, and a machine fault as the litmus condition names it.</summary>
internal static class EngineOpMapping
{
    public static LitmusFaultKind FaultOf(FaultKind fault) => fault switch
    {
        FaultKind.AccessFlag => LitmusFaultKind.AccessFlag,
        FaultKind.Permission => LitmusFaultKind.Permission,
        FaultKind.TlbConflict => LitmusFaultKind.TlbConflict,
        _ => LitmusFaultKind.Translation,
    };

    public static RmwOp RmwOf(LitmusRmwOp op) => op switch
    {
        LitmusRmwOp.Swap => RmwOp.Swap,
        LitmusRmwOp.CompareSwap => RmwOp.Cas,
        LitmusRmwOp.Add => RmwOp.Add,
        LitmusRmwOp.Set => RmwOp.Or,
        LitmusRmwOp.Clr => RmwOp.AndNot,
        LitmusRmwOp.Eor => RmwOp.Eor,
        _ => throw new LitmusExecutionException($"RMW {op} not mapped"),
    };

    /// <summary>DSB with no access-type qualifier publishes descriptor stores and completes TLBIs (DSB SY/OSH as
    /// DSB SY; ISH/NSH as DSB ISH); DSB ST publishes stores only; DSB LD is neither (it orders loads, which the
    /// machine keeps in order anyway) and is issued as a DMB LD. DMBs have no TLB effect in the machine.</summary>
    public static BarrierKind BarrierOf(BarrierType type, BarrierOption? o)
    {
        var types = o?.Types ?? "";
        var domain = o?.Domain ?? "SY";
        return type switch
        {
            BarrierType.Isb => BarrierKind.Isb,
            BarrierType.Dmb => types == "LD" ? BarrierKind.DmbIshLd : types == "ST" ? BarrierKind.DmbIshSt : BarrierKind.DmbIsh,
            _ => types == "ST" ? BarrierKind.DsbIshSt : types == "LD" ? BarrierKind.DmbIshLd
                : domain is "SY" or "OSH" ? BarrierKind.DsbSy : BarrierKind.DsbIsh,
        };
    }

    /// <summary>TLBI Xt holds VA[55:12] in bits [43:0]; TTBR1 addresses have VA[63:56] equal to VA[55].</summary>
    public static ulong TlbiVa(TlbiOp op, ulong operand)
    {
        if (op.IsAll()) return 0;
        var va = (operand & ((1UL << 44) - 1)) << 12;
        if ((va & (1UL << 55)) != 0) va |= 0xFF00_0000_0000_0000UL;
        return va;
    }
}
