namespace HvoLab.Arch;

/// <summary>
/// GICv3 SGIs as Linux uses them (drivers/irqchip/irq-gic-v3.c, arch/arm64/kernel/smp.c): 16 SGI INTIDs, of which
/// Linux registers 8 (set_smp_ipi_range(base_sgi, 8)); each has a priority, normal IRQ (GICV3_PRIO_IRQ 0xc0) or
/// pseudo-NMI (GICV3_PRIO_NMI 0x80). A pending SGI is signalled only if its priority is lower (numerically) than PMR
/// and PSTATE.I is clear (arm-arch.md §5.2). Pending state is per CPU per SGI; SGIs are edge-triggered, so sending
/// one that is already pending merges with it.
/// </summary>
public sealed class Gic
{
    public const int LinuxSgiCount = 8;
    public const byte PrioIrq = 0xc0, PrioNmi = 0x80, PrioUnmasked = 0xe0;

    private readonly byte[] _priority = new byte[16];
    private readonly ushort[] _pending;
    private readonly long[] _arrival;   // [cpu * 16 + sgi]: a flat array (a 2-D one is slow to allocate per execution)

    public Gic(int cpus)
    {
        _pending = new ushort[cpus];
        _arrival = new long[cpus * 16];
        Array.Fill(_priority, PrioIrq);
    }

    /// <summary>Configure an SGI as a pseudo-NMI (prepare_percpu_nmi) or a normal IRQ.</summary>
    public void SetPriority(int sgi, byte priority)
    {
        CheckSgi(sgi);
        _priority[sgi] = priority;
    }

    public byte Priority(int sgi) => _priority[sgi];
    public bool IsNmi(int sgi) => _priority[sgi] <= PrioNmi;

    public static void CheckSgi(int sgi)
    {
        if ((uint)sgi >= LinuxSgiCount)
            throw new ArgumentOutOfRangeException(nameof(sgi), sgi,
                $"Linux registers only {LinuxSgiCount} SGIs (INTIDs 0..7); 8..15 belong to secure firmware (kernel-hvo.md §5)");
    }

    public void MakePending(int cpu, int sgi, long arrival)
    {
        ushort bit = (ushort)(1 << sgi);
        if ((_pending[cpu] & bit) == 0) { _pending[cpu] |= bit; _arrival[cpu * 16 + sgi] = arrival; }
    }

    public void ClearPending(int cpu, int sgi) => _pending[cpu] &= (ushort)~(1 << sgi);
    public bool IsPending(int cpu, int sgi) => (_pending[cpu] & (1 << sgi)) != 0;
    public bool AnyPending(int cpu) => _pending[cpu] != 0;
    public ushort PendingMask(int cpu) => _pending[cpu];
    public long Arrival(int cpu, int sgi) => _arrival[cpu * 16 + sgi];

    /// <summary>The highest-priority pending SGI that the CPU's masks allow, or -1. <paramref name="arrivedBy"/>
    /// limits it to SGIs that have arrived by then (timed runs); long.MaxValue ignores arrival.</summary>
    public int Deliverable(int cpu, in InterruptMasks masks, long arrivedBy)
    {
        ushort p = _pending[cpu];
        if (p == 0 || masks.DaifI) return -1;
        int best = -1; byte bestPrio = 0xff;
        for (int sgi = 0; sgi < 16; sgi++)
        {
            if ((p & (1 << sgi)) == 0) continue;
            byte prio = _priority[sgi];
            if (prio >= bestPrio || !Allows(masks, prio)) continue;
            if (_arrival[cpu * 16 + sgi] > arrivedBy) continue;
            best = sgi; bestPrio = prio;
        }
        return best;
    }

    /// <summary>Whether a CPU with <paramref name="masks"/> may take an interrupt of priority <paramref name="prio"/>.</summary>
    public static bool Allows(in InterruptMasks masks, byte prio)
    {
        if (masks.DaifI || prio >= masks.Pmr) return false;
        if (masks.InNmi) return false;                       // no NMI nesting: PSTATE.I stays set in NMI handlers
        return prio <= PrioNmi || !masks.InIrq;              // normal IRQs are masked by PMR inside an IRQ handler
    }

    /// <summary>Whether <paramref name="masks"/> block every SGI pending on <paramref name="cpu"/> now.</summary>
    public bool BlocksEveryPending(int cpu, in InterruptMasks masks)
    {
        ushort p = _pending[cpu];
        for (int sgi = 0; sgi < 16; sgi++)
            if ((p & (1 << sgi)) != 0 && Allows(masks, _priority[sgi])) return false;
        return true;
    }

    /// <summary>Earliest arrival among all pending SGIs of <paramref name="cpu"/>, masked or not (long.MaxValue if none).</summary>
    public long EarliestArrival(int cpu)
    {
        ushort p = _pending[cpu];
        long t = long.MaxValue;
        for (int s = 0; p != 0; s++, p >>= 1)
            if ((p & 1) != 0 && _arrival[cpu * 16 + s] < t) t = _arrival[cpu * 16 + s];
        return t;
    }

    /// <summary>Earliest arrival among pending SGIs the CPU's masks allow (ignoring arrival), or long.MaxValue:
    /// the same tests as <see cref="Deliverable"/>, so the CPU can take the SGI at that time.</summary>
    public long EarliestDeliverableArrival(int cpu, in InterruptMasks masks)
    {
        ushort p = _pending[cpu];
        if (p == 0 || masks.DaifI || masks.InNmi) return long.MaxValue;
        long t = long.MaxValue;
        for (int s = 0; s < 16; s++)
        {
            if ((p & (1 << s)) == 0) continue;
            byte prio = _priority[s];
            if (prio >= masks.Pmr || (prio > PrioNmi && masks.InIrq)) continue;
            if (_arrival[cpu * 16 + s] < t) t = _arrival[cpu * 16 + s];
        }
        return t;
    }
}
