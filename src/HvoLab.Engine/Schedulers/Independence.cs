using HvoLab.Arch;

namespace HvoLab.Engine;

/// <summary>
/// When two actions of different CPUs commute (their order cannot change what either does or what any later
/// operation sees). Conservative: anything not shown independent is dependent. Used by the sleep sets of the
/// exhaustive search. VA accesses may alias physical locations (the vmemmap maps tails onto the head's frame), so a
/// VA write is dependent with every other memory access; only PA accesses to different words are told apart.
/// </summary>
public static class Independence
{
    public static bool Independent(int a, PendingOp? opA, int b, PendingOp? opB)
    {
        if (Actions.Cpu(a) == Actions.Cpu(b)) return false;
        int ka = Actions.Kind(a), kb = Actions.Kind(b);
        if (ka == Actions.TakePreemptWork || kb == Actions.TakePreemptWork) return false;
        if (ka == Actions.TakeInterrupt) return kb != Actions.RunOp || opB is not { Kind: OpKind.SendSgi };
        if (kb == Actions.TakeInterrupt) return opA is not { Kind: OpKind.SendSgi };
        if (opA is not { } x || opB is not { } y) return false;
        if (IsLocal(x.Kind) || IsLocal(y.Kind)) return true;
        if (x.Kind is OpKind.Wfe or OpKind.Sev || y.Kind is OpKind.Wfe or OpKind.Sev) return !(x.Kind is OpKind.Wfe or OpKind.Sev && y.Kind is OpKind.Wfe or OpKind.Sev);
        if (x.Kind == OpKind.SendSgi || y.Kind == OpKind.SendSgi) return x.Kind != y.Kind;
        bool xWrites = Writes(x), yWrites = Writes(y);
        if (IsTlbMaintenance(x) || IsTlbMaintenance(y))
            return !(IsTlbMaintenance(x) || x.Kind == OpKind.Mem || xWrites) || !(IsTlbMaintenance(y) || y.Kind == OpKind.Mem || yWrites);
        if (x.Kind == OpKind.Relax || y.Kind == OpKind.Relax)
            return !((x.Kind == OpKind.Relax && yWrites) || (y.Kind == OpKind.Relax && xWrites));
        if (!xWrites && !yWrites) return true;
        if (x.Kind == OpKind.MemPhys && y.Kind == OpKind.MemPhys) return (x.Mem.Va & ~7UL) != (y.Mem.Va & ~7UL);
        return false;
    }

    private static bool IsLocal(OpKind k) => k is OpKind.Work or OpKind.IrqDisable or OpKind.IrqEnable or OpKind.DaifMask or OpKind.DaifRestore;
    private static bool Writes(in PendingOp op) => op.Kind is OpKind.Mem or OpKind.MemPhys && op.Mem.Kind != AccessKind.Read;
    private static bool IsTlbMaintenance(in PendingOp op) =>
        op.Kind == OpKind.Tlbi || (op.Kind == OpKind.Barrier && (BarrierKind)op.Arg is BarrierKind.DsbIsh or BarrierKind.DsbIshSt or BarrierKind.DsbSy);
}
