namespace HvoLab.Arch;

/// <summary>One feature value of a CPU profile: the value, whether a source gives it or it is assumed, and the source
/// (or the reason for the assumption).</summary>
public sealed record FeatureValue(bool Value, bool Assumed, string Source);

/// <summary>The features the kernel checks for HVO (hvo-2026-arm64.md §6). Names are the scenario's
/// <c>machine.features</c> keys.</summary>
public static class CpuFeatures
{
    public const string HwAf = "hw_af";
    public const string HwDirty = "hw_dirty";
    public const string Bbml2NoAbort = "bbml2_noabort";
    public const string TlbiRange = "tlbi_range";
    public const string PseudoNmi = "pseudo_nmi";
    public static readonly IReadOnlyList<string> All = [HwAf, HwDirty, Bbml2NoAbort, TlbiRange, PseudoNmi];
}

/// <summary>Errata names as a scenario gives them in <c>machine.errata</c>.</summary>
public static class ErrataNames
{
    public const string E4118414 = "4118414";
    public const string E1286807 = "1286807";
    public const string Ac03Cpu38 = "ac03_cpu_38";
    public static readonly IReadOnlyList<string> All = [E4118414, E1286807, Ac03Cpu38];

    public static ArchErrata Parse(string name) => name switch
    {
        E4118414 => ArchErrata.TlbiStoreCompletion4118414,
        E1286807 => ArchErrata.TlbiLoadCompletion1286807,
        Ac03Cpu38 => ArchErrata.LateFlagWriteAc03Cpu38,
        _ => throw new ArgumentException($"erratum '{name}' is unknown; allowed: {string.Join(", ", All)}"),
    };
}

/// <summary>A named CPU: its features as the kernel sees them and its errata, each with where it comes from.</summary>
public sealed record CpuProfile(string Name, string Title, IReadOnlyDictionary<string, FeatureValue> Features,
    IReadOnlyList<string> Errata, string ErrataSource)
{
    public bool Feature(string name) => Features[name].Value;
}

/// <summary>
/// The CPU table of hvo-2026-arm64.md §6 as profiles. Values no stored source gives are marked assumed, with the
/// reason; hardware AF/DBM is published only for Cortex-A76 (TRM 100798_0301 §A5.5.2) and AmpereOne (not advertised),
/// so the other server cores assume it from the architecture version (FEAT_HAFDBS is Armv8.1; the Arm server cores
/// implement it). FEAT_TLBIRANGE is Armv8.4 (ID_AA64ISAR0_EL1.TLB), derived from each core's architecture version.
/// Pseudo-NMI is a platform property (GICv3 CPU interface + irqchip.gicv3_pseudo_nmi=1), assumed available.
/// </summary>
public static class CpuProfiles
{
    private const string Table = "hvo-2026-arm64.md §6";
    private const string Bbml2List = "supports_bbml2_noabort_list, arch/arm64/kernel/cpufeature.c @5aaa2bca";
    private const string Tlbi4118414 = "ARM64_ERRATUM_4118414 Kconfig list, upstream cfd391e74134 (hvo-2026-arm64.md §5.2)";
    private const string PlatformNmi = "platform property (GICv3 CPU interface, irqchip.gicv3_pseudo_nmi=1); assumed available";
    private const string HafAssumed = "no stored source gives HAFDBS for this core; assumed present (Armv8.1 FEAT_HAFDBS, Arm server core)";

    private static FeatureValue Known(bool v, string src) => new(v, false, src);
    private static FeatureValue Assumed(bool v, string why) => new(v, true, why);

    private static Dictionary<string, FeatureValue> Features(FeatureValue af, FeatureValue dirty, FeatureValue bbml2, FeatureValue range, FeatureValue? nmi = null) => new()
    {
        [CpuFeatures.HwAf] = af,
        [CpuFeatures.HwDirty] = dirty,
        [CpuFeatures.Bbml2NoAbort] = bbml2,
        [CpuFeatures.TlbiRange] = range,
        [CpuFeatures.PseudoNmi] = nmi ?? Assumed(true, PlatformNmi),
    };

    private static CpuProfile ArmServer(string name, string title, string arch, bool range, bool bbml2, string bbml2Src, string erratum) =>
        new(name, title, Features(Assumed(true, HafAssumed), Assumed(true, HafAssumed), Known(bbml2, bbml2Src),
            Known(range, $"{arch} core; FEAT_TLBIRANGE is Armv8.4 (derived)")), [ErrataNames.E4118414], $"{erratum}: {Tlbi4118414}");

    public static IReadOnlyList<CpuProfile> All { get; } =
    [
        new("generic-v8.0", "generic Armv8.0 part without hardware AF",
            Features(Known(false, "FEAT_HAFDBS is Armv8.1 (ARM ARM A2)"), Known(false, "FEAT_HAFDBS is Armv8.1"), Known(false, "FEAT_BBM is Armv8.4"),
                Known(false, "FEAT_TLBIRANGE is Armv8.4")), [], "none"),
        new("cortex-a76", "Arm Cortex-A76 (r3p0)",
            Features(Known(true, "Cortex-A76 TRM 100798_0301 §A5.5.2"), Known(true, "Cortex-A76 TRM 100798_0301 §A5.5.2"),
                Known(false, "not on " + Bbml2List), Known(false, "Armv8.2 core; FEAT_TLBIRANGE is Armv8.4 (derived)")),
            [ErrataNames.E4118414, ErrataNames.E1286807], "4193800: " + Tlbi4118414 + "; 1286807 on r0p0–r3p0: arch/arm64/Kconfig @0075c5f7"),
        ArmServer("neoverse-n1", "Arm Neoverse N1", "Armv8.2", false, false, "not on " + Bbml2List, "4193800"),
        ArmServer("neoverse-n2", "Arm Neoverse N2", "Armv9.0", true, false, "not on " + Bbml2List, "4193789"),
        ArmServer("neoverse-v1", "Arm Neoverse V1", "Armv8.4", true, false, "not on " + Bbml2List, "4193790"),
        ArmServer("neoverse-v2", "Arm Neoverse V2", "Armv9.0", true, false, "not on " + Bbml2List, "4193787"),
        ArmServer("neoverse-v3-r0p1", "Arm Neoverse V3 r0p1", "Armv9.2", true, false, "V3 is on " + Bbml2List + " from r0p2 only", "4193784"),
        ArmServer("neoverse-v3-r0p2", "Arm Neoverse V3 r0p2", "Armv9.2", true, true, "V3 r0p2+ on " + Bbml2List, "4193784"),
        ArmServer("cortex-x4", "Arm Cortex-X4 (r0p3)", "Armv9.2", true, true, "X4 r0p3+ on " + Bbml2List + " (revision r0p3 assumed)", "4118414"),
        new("ampereone", "AmpereOne (AMPERE1/1A)",
            Features(Known(false, "ID_AA64MMFR1_EL1.HAFDBS reads 0 (AMPERE_ERRATUM_AC03_CPU_38, arch/arm64/Kconfig @0075c5f7)"),
                Known(false, "HAFDBS reads 0 (AC03_CPU_38)"), Known(true, "all AmpereOne on " + Bbml2List),
                Assumed(true, "Armv8.6 core; FEAT_TLBIRANGE assumed"), Assumed(true, "unknown for AmpereOne (" + Table + "); assumed available")),
            [ErrataNames.Ac03Cpu38], "AC03_CPU_38: arch/arm64/Kconfig @0075c5f7, cpu_errata MIDR list AMPERE1, AMPERE1A"),
        new("nvidia-olympus", "NVIDIA Olympus",
            Features(Assumed(true, HafAssumed), Assumed(true, HafAssumed), Known(true, "all Olympus on " + Bbml2List),
                Assumed(true, "Armv9.2-class core; FEAT_TLBIRANGE assumed")),
            [ErrataNames.E4118414], "T410-OLY-1029: ec7216f92e4e (S. Donthineni), " + Tlbi4118414),
    ];

    public static bool TryGet(string name, out CpuProfile profile)
    {
        profile = All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))!;
        return profile is not null;
    }

    /// <summary>The kernel's workarounds default for these errata: ARM64_WORKAROUND_REPEAT_TLBI is enabled for the
    /// 4118414 family (Kconfig default y) and for Cortex-A76 1286807.</summary>
    public static bool KernelRepeatsTlbi(ArchErrata errata) =>
        (errata & (ArchErrata.TlbiStoreCompletion4118414 | ArchErrata.TlbiLoadCompletion1286807)) != 0;
}
