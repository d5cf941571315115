namespace HvoLab.Arch;

/// <summary>
/// The translation path of one access (ARM ARM K.a D8): look the VA up in the CPU's TLB (two matching entries are a
/// TLB conflict, R_FVQCK/R_QLGWZ), walk on a miss — and, under the adversarial fill policy, also when it hits, since
/// the CPU may hold either result — fill the TLB and walk cache from what the walk read, check EL1 permissions, then
/// hand the physical access to the machine. Also the fills made outside an access (a refill after TLBI, AC03's early
/// caching, the oracle's speculative fills) and the question whether a descriptor is live.
/// </summary>
internal sealed class Mmu(ArchMachine m, Tlb[] tlbs)
{
    private Granule Granule => m.Granule;
    private MachineConfig Config => m.Config;
    private Walker Walker => m.Walker;
    private PhysicalMemory Memory => m.Memory;
    private ulong Ttbr1 => m.Ttbr1;

    /// <summary>The access of <paramref name="cpu"/> translated with TCR_EL1.HA and HD taken as 0, then performed.</summary>
    public AccessResult Access(int cpu, in MemOp op)
    {
        ulong va = op.Va;
        var tlb = tlbs[cpu];
        int hits = tlb.LookupLeaves(va, out var h1, out var h2);
        if (hits >= 2 && BbmRules.Conflict(h1, h2, va, Granule, Config.BbmLevel, Memory))
            return ConflictAbort(cpu, va, h1, h2);
        bool have = hits > 0;
        TlbLeaf use = h1;
        bool adversarial = Config.FillPolicy == TlbFillPolicy.Adversarial;
        FaultKind fault = FaultKind.Translation;
        int faultLevel = Granule.StartLevel;
        if (!have || adversarial)
        {
            // Walk from the deepest walk-cache entry (it may point at a table no longer linked in), and in the
            // adversarial mode also from the root: the CPU may hold either result.
            bool cached = tlb.DeepestWalk(va, out var we);
            WalkResult r;
            if (cached) Walker.WalkFrom(va, we.Level + 1, we.NextTablePa, we.NoWrite, we.Pxn, out r);
            else Walker.Walk(Ttbr1, va, out r);
            if (!r.Ok) { fault = r.Fault; faultLevel = r.Level; }
            if (Consider(cpu, va, ref have, ref use, in r, out var conflictWith)) return ConflictAbort(cpu, va, use, conflictWith);
            if (cached && adversarial)
            {
                Walker.Walk(Ttbr1, va, out var r2);
                if (Consider(cpu, va, ref have, ref use, in r2, out conflictWith)) return ConflictAbort(cpu, va, use, conflictWith);
                if (!have && !r2.Ok) { fault = r2.Fault; faultLevel = r2.Level; }
            }
        }
        if (!have) return AccessResult.Faulted(fault, faultLevel);
        // EL1 data access permission (ARM ARM D8.4): reads always allowed at EL1 (PAN not modelled); stores and
        // every atomic need write permission, even a CAS whose compare fails (kernel-hvo.md §4.3).
        bool writable = !use.TableNoWrite && (use.Descriptor & DescBits.RdOnly) == 0;
        if (op.Kind != AccessKind.Read && !writable) return AccessResult.Faulted(FaultKind.Permission, use.Level);
        ulong pa = BbmRules.PaFor(use, va, Granule);
        return m.DoMemoryOp(cpu, pa, op);
    }

    private AccessResult ConflictAbort(int cpu, ulong va, in TlbLeaf a, in TlbLeaf b)
    {
        m.Oracle.Report(BbmOracle.KindConflict, cpu, va, b.DescPa, a.Descriptor, b.Descriptor,
            $"R_FVQCK/R_QLGWZ: TLB lookup matched two translations (level {a.Level} from PA 0x{a.DescPa:x}, level {b.Level} from PA 0x{b.DescPa:x}); TLB conflict abort (ARM ARM K.a D8.16.1)");
        return AccessResult.Faulted(FaultKind.TlbConflict, Math.Max(a.Level, b.Level));
    }

    /// <summary>Takes a walk result into account: fills the TLB (leaf and walk cache) and checks it against the
    /// translation already chosen. Returns true on a conflict.</summary>
    private bool Consider(int cpu, ulong va, ref bool have, ref TlbLeaf use, in WalkResult r, out TlbLeaf other)
    {
        other = default;
        FillWalkCache(cpu, va, in r);
        if (!r.Ok) return false;
        var leaf = new TlbLeaf(r.Level, r.BlockVa, r.Leaf, r.LeafPa, r.TableNoWrite, r.TablePxn);
        tlbs[cpu].AddLeaf(leaf);
        if (!have) { use = leaf; have = true; return false; }
        if (use.DescPa == leaf.DescPa && use.Descriptor == leaf.Descriptor) return false;
        if (!BbmRules.Conflict(use, leaf, va, Granule, Config.BbmLevel, Memory)) return false;
        other = leaf;
        return true;
    }

    private void FillWalkCache(int cpu, ulong va, in WalkResult r)
    {
        // Levels FirstLevelRead..Level-1 were table descriptors; each walk entry records the attributes accumulated
        // down to and including it.
        bool noWrite = r.InheritedNoWrite, pxn = r.InheritedPxn;
        for (int level = r.FirstLevelRead; level < r.Level; level++)
        {
            ulong d = r.DescValue[level];
            noWrite |= (d & (1UL << 62)) != 0;
            pxn |= (d & DescBits.PXNTable) != 0;
            ulong next = new Descriptor(d).OutputAddress(Granule, level);
            ulong size = Granule.LevelSize(level);
            tlbs[cpu].AddWalk(new TlbWalkEntry(level, va & ~(size - 1), d, r.DescPa[level], next, noWrite, pxn));
        }
    }

    /// <summary>Caches the translation a descriptor gives (leaf or walk-cache entry) in <paramref name="cpu"/>'s TLB
    /// if it is cacheable; the TLB keeps an existing entry for the same block.</summary>
    public void AddTranslation(int cpu, ulong desc, int level, ulong va, ulong descPa, bool noWrite, bool pxn)
    {
        var d = new Descriptor(desc);
        var kind = d.Kind(Granule, level);
        ulong size = Granule.LevelSize(level);
        ulong vaBase = va & ~(size - 1);
        if (kind == DescriptorKind.Table)
            tlbs[cpu].AddWalk(new TlbWalkEntry(level, vaBase, desc, descPa, d.OutputAddress(Granule, level),
                noWrite || (desc & (1UL << 62)) != 0, pxn || d.PXNTable));
        else if (kind != DescriptorKind.Invalid && d.AF)
            tlbs[cpu].AddLeaf(new TlbLeaf(level, vaBase, desc, descPa, noWrite, pxn));
    }

    /// <summary><see cref="AddTranslation"/> on every CPU, stored once (<see cref="TlbSharedFills"/>).</summary>
    public void AddTranslationEverywhere(ulong desc, int level, ulong va, ulong descPa, bool noWrite, bool pxn)
    {
        var d = new Descriptor(desc);
        var kind = d.Kind(Granule, level);
        ulong size = Granule.LevelSize(level);
        ulong vaBase = va & ~(size - 1);
        CpuMask rest;
        if (kind == DescriptorKind.Table)
            rest = m.SharedFills.AddWalkEverywhere(new TlbWalkEntry(level, vaBase, desc, descPa, d.OutputAddress(Granule, level),
                noWrite || (desc & (1UL << 62)) != 0, pxn || d.PXNTable));
        else if (kind != DescriptorKind.Invalid && d.AF)
            rest = m.SharedFills.AddLeafEverywhere(new TlbLeaf(level, vaBase, desc, descPa, noWrite, pxn));
        else return;
        // CPUs a different shared entry could not cover get the translation one by one.
        for (int c = rest.Next(0); c >= 0; c = c + 1 < CpuMask.MaxCpus ? rest.Next(c + 1) : -1)
            AddTranslation(c, desc, level, va, descPa, noWrite, pxn);
    }

    /// <summary>Is the descriptor at <paramref name="descPa"/> reachable from TTBR1 through the tables walkers see
    /// now? Also returns the hierarchical attributes above it.</summary>
    public bool TryLocateLive(ulong descPa, int level, ulong va, out bool noWrite, out bool pxn)
    {
        noWrite = false; pxn = false;
        ulong table = Ttbr1;
        for (int l = Granule.StartLevel; l < level; l++)
        {
            if (table == 0) return false;
            ulong d = Walker.ReadDescriptor(table + ((ulong)Granule.Index(va, l) << 3));
            var desc = new Descriptor(d);
            if (desc.Kind(Granule, l) != DescriptorKind.Table) return false;
            noWrite |= (d & (1UL << 62)) != 0;
            pxn |= desc.PXNTable;
            table = desc.OutputAddress(Granule, l);
        }
        return table != 0 && table + ((ulong)Granule.Index(va, level) << 3) == descPa;
    }
}
