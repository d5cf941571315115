using HvoLab.Arch;

namespace HvoLab.Engine;

/// <summary>
/// What one operation costs before jitter, in one place: the op executor charges these when it runs an op, and a
/// closed-form handler (<see cref="SpinHandler"/>) charges the same for the same steps, so the two cannot drift.
/// </summary>
public static class OpCosts
{
    /// <summary>A load or store (a cache access), or an atomic read-modify-write (LSE atomic / exclusive pair).</summary>
    public static double Access(HardwareCosts c, AccessKind kind) => kind == AccessKind.Rmw ? c.AtomicNs : c.MemAccessNs;

    /// <summary>A DSB or ISB with no outstanding TLB maintenance (a DSB after TLBIs costs their completion instead).</summary>
    public static double Barrier(HardwareCosts c, BarrierKind kind) => kind == BarrierKind.Isb ? c.IsbNs : c.DsbNs;

    /// <summary>The read that ends a spin (WaitPhys sees the value it waits for).</summary>
    public static double SpinExitRead(HardwareCosts c) => c.MemAccessNs;
}
