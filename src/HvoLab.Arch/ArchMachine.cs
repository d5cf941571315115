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
/// (This first version is a placeholder with identity translation; the real model replaces the bodies.)
/// </summary>
public sealed class ArchMachine
{
    private readonly Dictionary<ulong, ulong> _words = new();
    private readonly List<BbmViolation> _violations = new();

    public ArchMachine(MachineConfig config) { Config = config; }

    public MachineConfig Config { get; }
    public Granule Granule => Config.Granule;
    public int CpuCount => Config.Cpus;

    /// <summary>Virtual time in ns, written by the engine before each operation; stamped on oracle reports.</summary>
    public long Now { get; set; }

    /// <summary>Physical address of the TTBR1_EL1 root table (0 = no tables yet).</summary>
    public ulong Ttbr1 { get; set; }

    /// <summary>Every oracle report so far, in order.</summary>
    public IReadOnlyList<BbmViolation> Violations => _violations;

    /// <summary>A data access by VA from <paramref name="cpu"/>: TLB lookup (conflict check), walk on miss, fill per the
    /// fill policy, permission check, then the memory operation. Never throws for architectural faults.</summary>
    public AccessResult Access(int cpu, in MemOp op)
    {
        ulong pa = op.Va & ((1UL << 48) - 1);
        ulong old = ReadPhys(pa, op.Size);
        switch (op.Kind)
        {
            case AccessKind.Read: return AccessResult.Success(pa, old);
            case AccessKind.Write: WritePhys(cpu, pa, op.Value, op.Size); return AccessResult.Success(pa, old);
            default:
                ulong nv = op.Rmw switch
                {
                    RmwOp.Swap => op.Value, RmwOp.Cas => old == op.Expected ? op.Value : old, RmwOp.Add => old + op.Value,
                    RmwOp.Or => old | op.Value, RmwOp.AndNot => old & ~op.Value, RmwOp.Eor => old ^ op.Value, _ => old,
                };
                if (nv != old) WritePhys(cpu, pa, nv, op.Size);
                return AccessResult.Success(pa, old);
        }
    }

    /// <summary>Physical read (page-table reads by software, linear-map shortcuts). Size 1, 2, 4 or 8.</summary>
    public ulong ReadPhys(ulong pa, int size = 8)
    {
        _words.TryGetValue(pa & ~7UL, out var w);
        return Extract(w, pa, size);
    }

    /// <summary>Physical write by <paramref name="cpu"/>. Writes to page-table frames go through the BBM oracle.</summary>
    public void WritePhys(int cpu, ulong pa, ulong value, int size = 8)
    {
        _words.TryGetValue(pa & ~7UL, out var w);
        _words[pa & ~7UL] = Insert(w, pa, value, size);
    }

    /// <summary>Issue a TLB maintenance operation. Broadcast forms complete on other CPUs only at the issuer's next
    /// DSB ISH/SY. For range forms <paramref name="pages"/> gives the page count from <paramref name="va"/>.</summary>
    public void Tlbi(int cpu, TlbiOp op, ulong va = 0, ulong pages = 1) { }

    /// <summary>Execute a barrier on <paramref name="cpu"/> (DSB completes pending TLBIs and publishes descriptor stores).</summary>
    public void Barrier(int cpu, BarrierKind kind) { }

    internal static ulong Extract(ulong word, ulong pa, int size)
    {
        if (size == 8) return word;
        int shift = (int)(pa & 7) * 8;
        return (word >> shift) & ((1UL << (size * 8)) - 1);
    }

    internal static ulong Insert(ulong word, ulong pa, ulong value, int size)
    {
        if (size == 8) return value;
        int shift = (int)(pa & 7) * 8;
        ulong mask = ((1UL << (size * 8)) - 1) << shift;
        return (word & ~mask) | ((value << shift) & mask);
    }
}
