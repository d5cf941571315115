namespace HvoLab.Arch;

/// <summary>How a TLB may be filled. OnAccess: only by walks for accesses the program makes.
/// Adversarial: any valid, reachable translation may be cached at any step (ARM ARM allows speculative fills;
/// arm-arch.md §3.3). The model realises it as "every CPU is assumed to hold every translation that was valid
/// since its last completed invalidation", the worst case for staleness.</summary>
public enum TlbFillPolicy : byte { OnAccess, Adversarial }

public sealed record MachineConfig
{
    public int Cpus { get; init; } = 4;
    public Granule Granule { get; init; } = Granule.K4;
    /// <summary>ID_AA64MMFR2_EL1.BBM: 0, 1 or 2 (arm-arch.md §2.4).</summary>
    public int BbmLevel { get; init; }
    public bool TlbiRange { get; init; }
    public ulong MemoryBytes { get; init; } = 1UL << 30;
    public TlbFillPolicy FillPolicy { get; init; } = TlbFillPolicy.Adversarial;
    /// <summary>Also judge every live descriptor change by Linux's stricter pgattr_change_is_safe()
    /// (arch/arm64/mm/mmu.c), reporting Kind "pgattr".</summary>
    public bool LinuxPgattrLens { get; init; }
    /// <summary>TCR_EL1.HA: the walker sets AF in memory instead of taking an Access flag fault (FEAT_HAFDBS,
    /// R_HDHQG, R_LFTXR). Linux sets it per CPU when ID_AA64MMFR1_EL1.HAFDBS is non-zero (arch/arm64/mm/proc.S).</summary>
    public bool HardwareAf { get; init; }
    /// <summary>TCR_EL1.HD: a write through a DBM = 1, AP[2] = 1 entry clears AP[2] instead of faulting (ARM ARM D8.5).</summary>
    public bool HardwareDirty { get; init; }
    /// <summary>Errata the machine exhibits (behaviour, not kernel workarounds).</summary>
    public ArchErrata Errata { get; init; }
    /// <summary>Optional contents of never-written RAM: (pfn in granule pages, 8-byte word index) → value.</summary>
    public Func<ulong, int, ulong>? MemoryGenerator { get; init; }
}
