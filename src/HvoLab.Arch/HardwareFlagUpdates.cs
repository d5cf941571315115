namespace HvoLab.Arch;

/// <summary>
/// Hardware updates of the translation tables (FEAT_HAFDBS; ARM ARM DDI0487 M.a.a D8.5): with TCR_EL1.HA the walker
/// sets AF instead of taking an Access flag fault (R_HDHQG), and with HD clears AP[2] of a DBM = 1 entry instead of
/// taking a Permission fault on a write. One implementation serves the kernel machine (<see cref="ArchMachine.Access"/>
/// when <see cref="MachineConfig.HardwareAf"/>/<see cref="MachineConfig.HardwareDirty"/> are set) and litmus threads
/// (herd <c>TTHM=HA</c>/<c>HD</c>, per thread).
/// <para>The update is an atomic read-modify-write of the descriptor (R_LFTXR) made for the translation the access
/// then uses (herd: "[R &amp; PTE &amp; Imp]; rmw; [HU]", the HU belongs to the access's own translation). So the
/// update and the access are one step: <see cref="Access"/> runs inside one engine step and retries the access right
/// after each update; no other CPU runs in between. The RMW compares with the value the walk read and works on the
/// coherence-newest value (a pending software store to the descriptor is made visible first: other-multi-copy
/// atomicity), and it is a page-table write the BBM oracle sees (<see cref="ArchMachine.HardwareWriteDescriptor"/>).
/// Since a TLB is filled only after the RMW succeeded, no TLB ever holds a translation from an AF = 0 descriptor
/// (R_XFXTY, I_RGQLZ, R_XCLRD). With <see cref="ArchErrata.LateFlagWriteAc03Cpu38"/> the AF write is instead a blind
/// store of the read value, made late (AmpereOne AC03_CPU_38, hvo-2026-arm64.md §5.1).</para>
/// <para>Simplification: AF is set only by walks for accesses the program makes; speculative AF updates (R_LHQRX)
/// are not generated on their own. A speculative update could only make the kernel's install CAS fail more often
/// (it is compared on the whole descriptor), which the search already reaches through real readers.</para>
/// </summary>
public static class HardwareFlagUpdates
{
    /// <summary>Whether a fault of this kind is one the walker resolves by updating the descriptor.</summary>
    public static bool Resolves(FaultKind fault, bool write, bool hardwareAf, bool hardwareDirty) =>
        (fault == FaultKind.AccessFlag && hardwareAf) || (fault == FaultKind.Permission && write && hardwareDirty);

    /// <summary>The access, with walker updates as needed; call within one engine step.</summary>
    public static AccessResult Access(ArchMachine arch, int cpu, in MemOp op, bool hardwareAf, bool hardwareDirty)
    {
        var write = op.Kind != AccessKind.Read;
        var r = arch.AccessWithoutHardwareUpdates(cpu, op);
        for (var attempt = 0; attempt < 4 && !r.Ok && Resolves(r.Fault, write, hardwareAf, hardwareDirty); attempt++)
        {
            if (!Update(arch, cpu, op.Va, r.Fault)) break;
            r = arch.AccessWithoutHardwareUpdates(cpu, op);
        }
        return r;
    }

    /// <summary>The updates a walk for an access to <paramref name="va"/> would make now, made without the access (a
    /// walker may update for a later instruction before earlier ones are performed; used by the litmus binding only).
    /// Returns whether the tables changed.</summary>
    public static bool UpdateAhead(ArchMachine arch, int cpu, ulong va, bool write, bool hardwareAf, bool hardwareDirty)
    {
        var changed = false;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var walk = arch.Translate(va);
            var fault = walk.Fault == FaultKind.AccessFlag && hardwareAf ? FaultKind.AccessFlag
                : write && hardwareDirty && walk.Ok && (walk.Leaf & DescBits.RdOnly) != 0 && (walk.Leaf & DescBits.DBM) != 0
                    && !walk.TableNoWrite ? FaultKind.Permission : FaultKind.None;
            if (fault == FaultKind.None || !Update(arch, cpu, va, fault)) break;
            changed = true;
        }
        return changed;
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
            if (walk.Fault != FaultKind.AccessFlag) return true;
            var pa = walk.DescPa[walk.Level];
            var read = walk.DescValue[walk.Level];
            if ((arch.Config.Errata & ArchErrata.LateFlagWriteAc03Cpu38) != 0)
            {
                // AC03_CPU_38: the hidden walker uses the translation as if AF were set and writes AF later, blindly.
                arch.AddLateFlagWrite(cpu, pa, read | DescBits.AF, walk.Level, va);
                return true;
            }
            arch.HardwareWriteDescriptor(cpu, pa, read | DescBits.AF);
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
            arch.HardwareWriteDescriptor(cpu, walk.LeafPa, leaf & ~DescBits.RdOnly);
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
