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
    /// <summary>Optional contents of never-written RAM: (pfn in granule pages, 8-byte word index) → value.</summary>
    public Func<ulong, int, ulong>? MemoryGenerator { get; init; }
}
