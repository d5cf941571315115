namespace HvoLab.Arch;

/// <summary>A violation found by the break-before-make / TLB oracle. Rule names the broken rule with its Arm ARM
/// reference (e.g. "R_WHZWS: OA change with writable mapping needs BBM (ARM ARM K.a D8.16.1)").</summary>
public sealed record BbmViolation(string Kind, int Cpu, ulong Va, ulong DescriptorPa, ulong OldDescriptor, ulong NewDescriptor,
    string Rule, long TimeNs);

/// <summary>
/// The AArch64 machine as the engine sees it: simulated physical memory, the TTBR1 kernel tables that live in it,
/// one TLB per CPU, TLB maintenance and the BBM oracle. It knows nothing about scheduling or time except the
/// <see cref="Now"/> stamp the engine writes before each operation.
///
/// CONTRACT: the engine and kernel are written against the public members below; keep their signatures.
/// TLB maintenance lives in ArchMachine.Tlbi.cs.
/// </summary>
public sealed partial class ArchMachine
{
    private readonly Tlb[] _tlbs;

    public ArchMachine(MachineConfig config)
    {
        if (config.Cpus is < 1 or > CpuMask.MaxCpus) throw new ArgumentException($"cpus {config.Cpus} must be 1..{CpuMask.MaxCpus}", nameof(config));
        if (config.BbmLevel is < 0 or > 2) throw new ArgumentException($"BbmLevel {config.BbmLevel} must be 0, 1 or 2", nameof(config));
        Config = config;
        Memory = new PhysicalMemory(config.MemoryBytes, config.Granule, config.MemoryGenerator);
        Tables = new TableRegistry(config.Granule);
        Stores = new DescriptorStoreBuffer(config.Cpus);
        Walker = new Walker(Memory, Stores);
        Holders = new TlbHolders();
        SharedFills = new TlbSharedFills(config.Granule, config.Cpus);
        _tlbs = new Tlb[config.Cpus];
        _pendingTlbi = new List<PendingTlbi>[config.Cpus];
        _lateFlagWrites = new List<LateFlagWrite>[config.Cpus];
        _inFlight = new InFlightAccesses(config.Cpus);
        for (int i = 0; i < config.Cpus; i++)
        {
            _tlbs[i] = new Tlb(config.Granule, i, Holders, SharedFills);
            _pendingTlbi[i] = new();
            _lateFlagWrites[i] = new();
        }
        Oracle = new BbmOracle(this);
    }

    public MachineConfig Config { get; }
    public Granule Granule => Config.Granule;
    public int CpuCount => Config.Cpus;

    /// <summary>Virtual time in ns, written by the engine before each operation; stamped on oracle reports.</summary>
    public long Now { get; set; }

    /// <summary>Physical address of the TTBR1_EL1 root table (0 = no tables yet). Setting it registers the root and
    /// every table reachable from it, so tables built with plain stores before this point are watched too.</summary>
    public ulong Ttbr1
    {
        get => _ttbr1;
        set
        {
            _ttbr1 = value;
            if (value != 0) RegisterReachableTables(value, PageTableBuilder.KernelVaBase, Granule.StartLevel);
        }
    }

    private ulong _ttbr1;

    private void RegisterReachableTables(ulong tablePa, ulong vaBase, int level)
    {
        Tables.Register(tablePa, vaBase, level);
        if (level == 3) return;
        int entries = 1 << Granule.LevelIndexBits(level);
        for (int i = 0; i < entries; i++)
        {
            var d = new Descriptor(Memory.ReadWord(tablePa + ((ulong)i << 3)));
            if (d.Kind(Granule, level) != DescriptorKind.Table) continue;
            ulong next = d.OutputAddress(Granule, level);
            if (Tables.TryGetTable(next, out var known) && known.Level == level + 1) continue;
            RegisterReachableTables(next, vaBase + ((ulong)i << Granule.LevelShift(level)), level + 1);
        }
    }

    /// <summary>Every oracle report so far, in order.</summary>
    public IReadOnlyList<BbmViolation> Violations => Oracle.Violations;

    /// <summary>Simulated RAM (direct access bypasses the oracle and the store buffer: boot-time use only).</summary>
    public PhysicalMemory Memory { get; }
    /// <summary>Which frames are translation tables and which VA they map.</summary>
    public TableRegistry Tables { get; }
    /// <summary>Descriptor stores not yet made visible to walkers by their writer's DSB.</summary>
    public DescriptorStoreBuffer Stores { get; }
    public Walker Walker { get; }
    public BbmOracle Oracle { get; }
    /// <summary>Reverse index: descriptor PA → CPUs caching a private translation made from it (see also
    /// <see cref="HoldersOf"/>, which adds the shared fills).</summary>
    public TlbHolders Holders { get; }
    /// <summary>Translations held by many CPUs at once (the adversarial fill), stored once.</summary>
    public TlbSharedFills SharedFills { get; }

    /// <summary>CPUs whose TLB holds an entry made from the descriptor at <paramref name="descPa"/>, which maps
    /// <paramref name="va"/> at <paramref name="level"/>.</summary>
    public CpuMask HoldersOf(ulong descPa, int level, ulong va) => Holders.Holders(descPa) | SharedFills.HoldersOf(descPa, level, va);
    public Tlb TlbOf(int cpu) => _tlbs[cpu];

    /// <summary>Walk as the hardware walker would now (pending stores unseen), ignoring every TLB.</summary>
    public WalkResult Translate(ulong va) { Walker.Walk(Ttbr1, va, out var r); return r; }

    /// <summary>Stop treating a frame as a translation table (call when a freed page-table page is reused).</summary>
    public void ForgetTable(ulong tablePa) => Tables.Forget(tablePa);

    /// <summary>A data access by VA from <paramref name="cpu"/>: TLB lookup (conflict check), walk on miss, fill per the
    /// fill policy, permission check, then the memory operation; with TCR_EL1.HA/HD the walker's descriptor updates
    /// (<see cref="HardwareFlagUpdates"/>). Never throws for architectural faults.</summary>
    public AccessResult Access(int cpu, in MemOp op)
    {
        DrainLateFlagWrites(cpu);
        var r = Config.HardwareAf || Config.HardwareDirty
            ? HardwareFlagUpdates.Access(this, cpu, op, Config.HardwareAf, Config.HardwareDirty)
            : AccessWithoutHardwareUpdates(cpu, op);
        if (r.Ok && _inFlight.Enabled(Config.Errata, op.Kind)) _inFlight.Record(cpu, op.Va, r.Pa, op.Kind != AccessKind.Read);
        return r;
    }

    /// <summary><see cref="Access"/> as if TCR_EL1.HA and HD were 0 (AF = 0 and dirty-state faults stand).</summary>
    public AccessResult AccessWithoutHardwareUpdates(int cpu, in MemOp op)
    {
        ulong va = op.Va;
        var tlb = _tlbs[cpu];
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
        return DoMemoryOp(cpu, pa, op);
    }

    private AccessResult ConflictAbort(int cpu, ulong va, in TlbLeaf a, in TlbLeaf b)
    {
        Oracle.Report(BbmOracle.KindConflict, cpu, va, b.DescPa, a.Descriptor, b.Descriptor,
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
        _tlbs[cpu].AddLeaf(leaf);
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
            _tlbs[cpu].AddWalk(new TlbWalkEntry(level, va & ~(size - 1), d, r.DescPa[level], next, noWrite, pxn));
        }
    }

    private AccessResult DoMemoryOp(int cpu, ulong pa, in MemOp op)
    {
        ulong old = ReadPhys(pa, op.Size);
        switch (op.Kind)
        {
            case AccessKind.Read: return AccessResult.Success(pa, old);
            case AccessKind.Write: WritePhys(cpu, pa, op.Value, op.Size); return AccessResult.Success(pa, old);
            default:
                ulong mask = op.Size == 8 ? ulong.MaxValue : (1UL << (op.Size * 8)) - 1;
                ulong nv = op.Rmw switch
                {
                    RmwOp.Swap => op.Value, RmwOp.Cas => old == (op.Expected & mask) ? op.Value : old, RmwOp.Add => old + op.Value,
                    RmwOp.Or => old | op.Value, RmwOp.AndNot => old & ~op.Value, RmwOp.Eor => old ^ op.Value, _ => old,
                };
                nv &= mask;
                if (nv != old) WritePhys(cpu, pa, nv, op.Size);
                return AccessResult.Success(pa, old);
        }
    }

    /// <summary>Physical read (page-table reads by software, linear-map shortcuts). Size 1, 2, 4 or 8.
    /// Software reads see the latest value in coherence order (store visibility to walkers is what is modelled).</summary>
    public ulong ReadPhys(ulong pa, int size = 8) => Memory.Read(pa, size);

    /// <summary>Physical write by <paramref name="cpu"/>. Writes to page-table frames go through the BBM oracle
    /// and stay invisible to table walkers until <paramref name="cpu"/> executes a DSB.</summary>
    public void WritePhys(int cpu, ulong pa, ulong value, int size = 8)
    {
        if ((uint)cpu >= (uint)CpuCount) throw new ArgumentOutOfRangeException(nameof(cpu));
        // Data (not a table): no oracle, no store buffer, and a whole word needs no read first.
        if (size == 8 && !Tables.IsTableFrame(pa >> Granule.PageShift)) { Memory.WriteWord(pa & ~7UL, value); return; }
        ulong wordPa = pa & ~7UL;
        ulong old = Memory.ReadWord(wordPa);
        ulong nw = PhysicalMemory.Insert(old, pa, value, size);
        if (nw != old && Tables.TryLocateDescriptor(wordPa, out int level, out ulong va))
        {
            Oracle.OnDescriptorWrite(cpu, wordPa, level, va, old, nw);
            Stores.Record(cpu, wordPa, old, nw);
        }
        Memory.WriteWord(wordPa, nw);
    }

    /// <summary>Caches the translation a descriptor gives (leaf or walk-cache entry) in <paramref name="cpu"/>'s TLB
    /// if it is cacheable; the TLB keeps an existing entry for the same block.</summary>
    internal void AddTranslation(int cpu, ulong desc, int level, ulong va, ulong descPa, bool noWrite, bool pxn)
    {
        var d = new Descriptor(desc);
        var kind = d.Kind(Granule, level);
        ulong size = Granule.LevelSize(level);
        ulong vaBase = va & ~(size - 1);
        if (kind == DescriptorKind.Table)
            _tlbs[cpu].AddWalk(new TlbWalkEntry(level, vaBase, desc, descPa, d.OutputAddress(Granule, level),
                noWrite || (desc & (1UL << 62)) != 0, pxn || d.PXNTable));
        else if (kind != DescriptorKind.Invalid && d.AF)
            _tlbs[cpu].AddLeaf(new TlbLeaf(level, vaBase, desc, descPa, noWrite, pxn));
    }

    /// <summary><see cref="AddTranslation"/> on every CPU, stored once (<see cref="TlbSharedFills"/>).</summary>
    internal void AddTranslationEverywhere(ulong desc, int level, ulong va, ulong descPa, bool noWrite, bool pxn)
    {
        var d = new Descriptor(desc);
        var kind = d.Kind(Granule, level);
        ulong size = Granule.LevelSize(level);
        ulong vaBase = va & ~(size - 1);
        CpuMask rest;
        if (kind == DescriptorKind.Table)
            rest = SharedFills.AddWalkEverywhere(new TlbWalkEntry(level, vaBase, desc, descPa, d.OutputAddress(Granule, level),
                noWrite || (desc & (1UL << 62)) != 0, pxn || d.PXNTable));
        else if (kind != DescriptorKind.Invalid && d.AF)
            rest = SharedFills.AddLeafEverywhere(new TlbLeaf(level, vaBase, desc, descPa, noWrite, pxn));
        else return;
        // CPUs a different shared entry could not cover get the translation one by one.
        for (int c = rest.Next(0); c >= 0; c = c + 1 < CpuMask.MaxCpus ? rest.Next(c + 1) : -1)
            AddTranslation(c, desc, level, va, descPa, noWrite, pxn);
    }

    /// <summary>Is the descriptor at <paramref name="descPa"/> reachable from TTBR1 through the tables walkers see
    /// now? Also returns the hierarchical attributes above it.</summary>
    internal bool TryLocateLive(ulong descPa, int level, ulong va, out bool noWrite, out bool pxn)
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
