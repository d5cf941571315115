using System.Text.Json;
using HvoLab.Arch;

namespace HvoLab.Experiments.Scenarios;

/// <summary>machine.cpu / features / errata and the kernel's workaround and fault-injection fields: a named CPU
/// profile first, then the machine's explicit fields, then machine.features (each feature overrides anything).</summary>
internal static class ScenarioHardware
{
    public static MachineSpec Apply(MachineSpec m, Dictionary<string, JsonField> f)
    {
        if (f.TryGetValue("cpu", out var v))
        {
            var name = v.Value.ValueKind == JsonValueKind.String ? v.Value.GetString() ?? "" : "";
            if (!CpuProfiles.TryGet(name, out var p))
                throw v.NotAllowed("one of " + string.Join(", ", CpuProfiles.All.Select(c => c.Name)) + Suggest.Hint(name, CpuProfiles.All.Select(c => c.Name)));
            m = m with
            {
                Cpu = p.Name,
                HardwareAf = p.Feature(CpuFeatures.HwAf),
                HardwareDirty = p.Feature(CpuFeatures.HwDirty),
                Errata = p.Errata,
                BbmLevel = f.ContainsKey("bbm_level") ? m.BbmLevel : p.Feature(CpuFeatures.Bbml2NoAbort) ? 2 : 0,
                TlbiRange = f.ContainsKey("tlbi_range") ? m.TlbiRange : p.Feature(CpuFeatures.TlbiRange),
                PseudoNmi = f.ContainsKey("pseudo_nmi") ? m.PseudoNmi : p.Feature(CpuFeatures.PseudoNmi),
            };
        }
        if (f.TryGetValue("features", out v))
        {
            if (v.Value.ValueKind != JsonValueKind.Object) throw v.NotAllowed("an object of feature name → true/false (" + string.Join(", ", CpuFeatures.All) + ")");
            var given = new Dictionary<string, bool>(StringComparer.Ordinal);
            foreach (var p in v.Value.EnumerateObject())
            {
                var path = $"{v.Path}.{p.Name}";
                if (!CpuFeatures.All.Contains(p.Name))
                    throw new ScenarioException(path, "unknown feature" + Suggest.Hint(p.Name, CpuFeatures.All) + "; allowed: " + string.Join(", ", CpuFeatures.All));
                given[p.Name] = new JsonField(p.Value, path).Bool();
            }
            m = m with { FeatureOverrides = given };
            foreach (var (name, on) in given)
                m = name switch
                {
                    CpuFeatures.HwAf => m with { HardwareAf = on },
                    CpuFeatures.HwDirty => m with { HardwareDirty = on },
                    CpuFeatures.Bbml2NoAbort => m with { BbmLevel = on ? 2 : Math.Min(m.BbmLevel, 1) },
                    CpuFeatures.TlbiRange => m with { TlbiRange = on },
                    _ => m with { PseudoNmi = on },
                };
        }
        if (f.TryGetValue("errata", out v)) m = m with { Errata = Names(v, ErrataNames.All) };
        return m;
    }

    /// <summary>An array of distinct names from <paramref name="allowed"/>.</summary>
    public static IReadOnlyList<string> Names(JsonField node, IReadOnlyList<string> allowed)
    {
        var list = new List<string>();
        foreach (var e in node.Array("names: " + string.Join(", ", allowed)))
        {
            var n = e.Enum(allowed);
            if (list.Contains(n)) throw new ScenarioException(e.Path, $"\"{n}\" is listed twice; give each once");
            list.Add(n);
        }
        return list;
    }

    public static FaultAttrSpec FaultAttr(JsonField node)
    {
        var f = node.Object(ScenarioReader.FaultAttrFields);
        int probability = f.TryGetValue("probability", out var v) ? v.Int(0, 100) : 100;
        int interval = f.TryGetValue("interval", out v) ? v.Int(1, int.MaxValue) : 1;
        long times = f.TryGetValue("times", out v) ? v.Long(-1, long.MaxValue) : -1;
        return new FaultAttrSpec(probability, interval, times);
    }
}
