using HvoLab.Arch;

namespace HvoLab.Experiments.Scenarios;

/// <summary>The machine a <see cref="MachineSpec"/> describes: a named CPU profile first, then the machine's explicit
/// fields, then machine.features (each feature overrides anything).</summary>
internal static class ScenarioHardware
{
    public static ResolvedMachine Resolve(MachineSpec m)
    {
        var profile = m.Cpu is null ? null : CpuProfiles.All.First(p => p.Name == m.Cpu);
        var r = new ResolvedMachine
        {
            Cpus = m.Cpus, Granule = m.Granule, MemoryBytes = m.MemoryBytes, MemoryModel = m.MemoryModel, Costs = m.Costs,
            Cpu = m.Cpu, FeatureOverrides = m.Features,
            BbmLevel = m.BbmLevel ?? (profile?.Feature(CpuFeatures.Bbml2NoAbort) == true ? 2 : 0),
            TlbiRange = m.TlbiRange ?? profile?.Feature(CpuFeatures.TlbiRange) ?? false,
            PseudoNmi = m.PseudoNmi ?? profile?.Feature(CpuFeatures.PseudoNmi) ?? true,
            HardwareAf = profile?.Feature(CpuFeatures.HwAf) ?? true,
            HardwareDirty = profile?.Feature(CpuFeatures.HwDirty) ?? false,
            Errata = m.Errata ?? profile?.Errata ?? [],
        };
        foreach (var name in CpuFeatures.All)
        {
            if (!m.Features.TryGetValue(name, out var on)) continue;
            r = name switch
            {
                CpuFeatures.HwAf => r with { HardwareAf = on },
                CpuFeatures.HwDirty => r with { HardwareDirty = on },
                CpuFeatures.Bbml2NoAbort => r with { BbmLevel = on ? 2 : Math.Min(r.BbmLevel, 1) },
                CpuFeatures.TlbiRange => r with { TlbiRange = on },
                _ => r with { PseudoNmi = on },
            };
        }
        return r;
    }

    /// <summary>The spec that resolves to <paramref name="r"/> with every value explicit (what the writer writes):
    /// hardware flag updates only when they differ from the default (hw AF on, dirty state off) or a profile is named.</summary>
    public static MachineSpec Canonical(ResolvedMachine r) => new()
    {
        Cpus = r.Cpus, Granule = r.Granule, BbmLevel = r.BbmLevel, TlbiRange = r.TlbiRange, PseudoNmi = r.PseudoNmi,
        MemoryBytes = r.MemoryBytes, MemoryModel = r.MemoryModel, Cpu = r.Cpu, Costs = r.Costs,
        Features = !r.HardwareAf || r.HardwareDirty || r.Cpu is not null
            ? new Dictionary<string, bool> { [CpuFeatures.HwAf] = r.HardwareAf, [CpuFeatures.HwDirty] = r.HardwareDirty }
            : new Dictionary<string, bool>(),
        Errata = r.Errata.Count > 0 ? r.Errata : null,
    };
}
