using HvoLab.Arch;

namespace HvoLab.Litmus;

/// <summary>
/// TCR_EL1.HA / HD for litmus threads (herd <c>TTHM=HA</c>/<c>HD</c>): the walker sets AF instead of taking an
/// Access flag fault, and with HD clears AP[2] of a DBM = 1 entry instead of taking a Permission fault on a write
/// (ARM ARM D8.5 "Hardware updates to the translation tables"). The update is an atomic read-modify-write of the
/// descriptor by the walker, made for the translation the access then uses (herd: "[R &amp; PTE &amp; Imp]; rmw; [HU]"
/// and the HU belongs to the access's own translation, tr-ib). So the update and the access are one step:
/// <see cref="Access"/> runs inside one engine step (the caller's bulk step) and retries the access right after
/// each update; another CPU cannot change the descriptor in between. The update is written directly to memory (it
/// is not a software store: no oracle report, no store buffer) and works on the coherence-newest value: a
/// software store to the descriptor that is still pending is observed by it, so it becomes visible to everyone
/// first (other-multi-copy atomicity).
/// </summary>
internal static class HardwareFlagUpdates
{
    /// <summary>Whether a fault of this kind is one the walker resolves by updating the descriptor.</summary>
    public static bool Resolves(FaultKind fault, bool write, bool hardwareAf, bool hardwareDirty) =>
        (fault == FaultKind.AccessFlag && hardwareAf) || (fault == FaultKind.Permission && write && hardwareDirty);

    /// <summary>The access, with walker updates as needed; call within one engine step.</summary>
    public static AccessResult Access(ArchMachine arch, int cpu, in MemOp op, bool hardwareAf, bool hardwareDirty)
    {
        var write = op.Kind != AccessKind.Read;
        var r = arch.Access(cpu, op);
        for (var attempt = 0; attempt < 4 && !r.Ok && Resolves(r.Fault, write, hardwareAf, hardwareDirty); attempt++)
        {
            if (!Update(arch, cpu, op.Va, r.Fault)) break;
            r = arch.Access(cpu, op);
        }
        return r;
    }

    /// <summary>Performs the walker's update for <paramref name="fault"/>; false when there is nothing it may update
    /// (then the fault stands).</summary>
    private static bool Update(ArchMachine arch, int cpu, ulong va, FaultKind fault)
    {
        var walk = arch.Translate(va);
        if (fault == FaultKind.AccessFlag)
        {
            // AF = 0 entries are never cached, so the fault came from the tables; re-walk once the pending store (if
            // any) is visible, and set AF only if the newest value still has it clear. Otherwise just retry.
            if (walk.Fault == FaultKind.AccessFlag) arch.Stores.PublishLocation(walk.DescPa[walk.Level]);
            walk = arch.Translate(va);
            if (walk.Fault == FaultKind.AccessFlag)
            {
                var pa = walk.DescPa[walk.Level];
                arch.Memory.WriteWord(pa, arch.Memory.ReadWord(pa) | DescBits.AF);
            }
            return true;
        }
        if (!walk.Ok) return false;
        arch.Stores.PublishLocation(walk.LeafPa);
        walk = arch.Translate(va);
        if (!walk.Ok) return true; // the newest value no longer translates: the retry reports its fault
        var leaf = walk.Leaf;
        var tlb = arch.TlbOf(cpu);
        if ((leaf & DescBits.RdOnly) != 0)
        {
            if ((leaf & DescBits.DBM) == 0 || walk.TableNoWrite) return false;
            arch.Memory.WriteWord(walk.LeafPa, leaf & ~DescBits.RdOnly);
        }
        else
        {
            // The tables already allow the write: the fault came from a cached read-only entry. With DBM set the
            // walker re-reads the descriptor to update it and finds it writable; without DBM the old permission applies.
            tlb.LookupLeaves(va, out var cached, out _);
            if ((cached.Descriptor & DescBits.DBM) == 0) return false;
        }
        tlb.InvalidateVa(va, lastLevelOnly: true);
        return true;
    }
}
