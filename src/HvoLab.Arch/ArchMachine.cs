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
        Mmu = new Mmu(this, _tlbs);
        Oracle = new BbmOracle(this);
    }

    public MachineConfig Config { get; }
    public Granule Granule => Config.Granule;
    /// <summary>The CPU count: one name from the scenario file (machine.cpus) to the report; its range is checked once, by
    /// the scenario field table (ScenarioFields.Cpus); the constructor only guards the arrays sized by it.</summary>
    public int Cpus => Config.Cpus;

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
    /// <summary>The translation path of one access: TLB lookup, walks, fills, conflict aborts.</summary>
    internal Mmu Mmu { get; }

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
    public AccessResult AccessWithoutHardwareUpdates(int cpu, in MemOp op) => Mmu.Access(cpu, op);

    internal AccessResult DoMemoryOp(int cpu, ulong pa, in MemOp op)
    {
        ulong old = ReadPhys(pa, op.Size);
        switch (op.Kind)
        {
            case AccessKind.Read: return AccessResult.Success(pa, old);
            case AccessKind.Write: WritePhys(cpu, pa, op.Value, op.Size); return AccessResult.Success(pa, old);
            default:
                ulong mask = MemOp.ValueMask(op.Size);
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
        if ((uint)cpu >= (uint)Cpus) throw new ArgumentOutOfRangeException(nameof(cpu));
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
}
