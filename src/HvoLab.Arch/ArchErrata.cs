namespace HvoLab.Arch;

/// <summary>
/// CPU errata that change what the machine does (hvo-2026-arm64.md §5). Kernel workarounds are kernel behaviour and
/// live in the kernel model; these switches only make the hardware misbehave the way the errata notices describe.
/// </summary>
[Flags]
public enum ArchErrata
{
    None = 0,
    /// <summary>ARM64_ERRATUM_4118414 and relatives (§5.2): a broadcast TLBI;DSB may complete before stores that
    /// were translated by the invalidated entry are observed; one more broadcast TLBI;DSB drains them.</summary>
    TlbiStoreCompletion4118414 = 1 << 0,
    /// <summary>Cortex-A76 1286807 (§5.3): the same for loads translated by the old entry.</summary>
    TlbiLoadCompletion1286807 = 1 << 1,
    /// <summary>AmpereOne AC03_CPU_38 (§5.1): a hardware A/D update may land after the entry was changed; modelled as
    /// the walker's AF write being a blind store of the value it read, made at the CPU's next access.</summary>
    LateFlagWriteAc03Cpu38 = 1 << 2,
}
