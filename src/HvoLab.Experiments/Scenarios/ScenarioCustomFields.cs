using System.Text.Json;
using System.Text.Json.Nodes;
using HvoLab.Arch;
using HvoLab.Kernel;
using HvoLab.Strategies;

namespace HvoLab.Experiments.Scenarios;

/// <summary>Rows of <see cref="ScenarioFieldTable.Machine"/> whose values have their own reader: the profile, features, costs.</summary>
internal static class MachineFields
{
    public static readonly ScenarioField<MachineSpec> MemoryModel = Field<MachineSpec>.OptionalEnum("memory_model",
        "ordering of data accesses in searches: sc, or arm (stores buffered per CPU, as the accesses' ordering and barriers allow; docs/arch.md). "
        + "When absent, the command's default: arm for check and barriers; timed runs (run, compare, sweep, bench) are sc whatever it says",
        ScenarioWords.MemoryModel, m => m.MemoryModel, (m, v) => m with { MemoryModel = v });

    private static IEnumerable<string> ProfileNames => CpuProfiles.All.Select(c => c.Name);

    public static readonly ScenarioField<MachineSpec> CpuProfile = Field<MachineSpec>.Custom("cpu",
        "named CPU profile (hvolab cpus): sets hw_af, hw_dirty, bbml2_noabort (bbm_level 2), tlbi_range, pseudo_nmi and errata; explicit fields and features win",
        "one of " + string.Join(", ", ProfileNames),
        (v, m) =>
        {
            var name = v.Value.ValueKind == JsonValueKind.String ? v.Value.GetString() ?? "" : "";
            return CpuProfiles.TryGet(name, out var p) ? m with { Cpu = p.Name }
                : throw v.NotAllowed("one of " + string.Join(", ", ProfileNames) + Suggest.Hint(name, ProfileNames));
        },
        (w, m) => { if (m.Cpu is not null) w.WriteString("cpu", m.Cpu); },
        () => new JsonObject { ["type"] = "string", ["enum"] = Field<MachineSpec>.Words(ProfileNames) },
        JsonValue.Create("no-such-cpu"));

    public static readonly ScenarioField<MachineSpec> Features = Field<MachineSpec>.Custom("features",
        "feature overrides (win over the profile): hw_af = TCR_EL1.HA (default true), hw_dirty = TCR_EL1.HD (default false), bbml2_noabort, tlbi_range, pseudo_nmi",
        "an object of feature name → true/false (" + string.Join(", ", CpuFeatures.All) + ")",
        (v, m) =>
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
            return m with { Features = given };
        },
        (w, m) =>
        {
            if (m.Features.Count == 0) return;
            w.WriteStartObject("features");
            foreach (var f in CpuFeatures.All)
                if (m.Features.TryGetValue(f, out var on)) w.WriteBoolean(f, on);
            w.WriteEndObject();
        },
        () => new JsonObject
        {
            ["type"] = "object", ["properties"] = new JsonObject(CpuFeatures.All.Select(f => KeyValuePair.Create(f, (JsonNode?)new JsonObject { ["type"] = "boolean" }))),
            ["additionalProperties"] = false,
        },
        JsonValue.Create(true));

    private static Dictionary<string, string> SnakeCostNames => CostModel.Names.ToDictionary(ScenarioNaming.Snake, n => n, StringComparer.Ordinal);

    /// <summary>Cost names are accepted as CostModel property names ("TlbiBaseNs") or in snake_case ("tlbi_base_ns").</summary>
    public static readonly ScenarioField<MachineSpec> Costs = Field<MachineSpec>.Custom("costs",
        "cost overrides by name (snake_case or CostModel property name)", "an object of cost name → number",
        (node, m) =>
        {
            if (node.Value.ValueKind != JsonValueKind.Object) throw node.NotAllowed("an object of cost name → number");
            var snake = SnakeCostNames;
            var result = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var p in node.Value.EnumerateObject())
            {
                var path = $"{node.Path}.{p.Name}";
                var name = CostModel.Names.Contains(p.Name) ? p.Name : snake.GetValueOrDefault(p.Name);
                if (name is null)
                    throw new ScenarioException(path, "unknown cost" + Suggest.Hint(p.Name, snake.Keys) + $"; allowed: {string.Join(", ", snake.Keys)}");
                var field = new JsonField(p.Value, path);
                var value = name == nameof(HardwareCosts.Jitter) ? field.Double(0, 0.999999) : field.Double(0, double.MaxValue, " ns");
                if (!result.TryAdd(name, value)) throw new ScenarioException(path, "duplicate cost; give it once");
            }
            return m with { Costs = result };
        },
        (w, m) =>
        {
            w.WriteStartObject("costs");
            foreach (var (name, value) in m.Costs.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteNumber(ScenarioNaming.Snake(name), value);
            w.WriteEndObject();
        },
        () =>
        {
            var costs = new JsonObject();
            foreach (var n in CostModel.Names)
                costs[ScenarioNaming.Snake(n)] = new JsonObject
                {
                    ["description"] = $"override of CostModel.{n}" + (n == nameof(HardwareCosts.Jitter) ? " (fraction, < 1)" : ", ns"),
                    ["type"] = "number", ["minimum"] = 0,
                };
            return new JsonObject { ["type"] = "object", ["properties"] = costs, ["additionalProperties"] = false };
        },
        JsonValue.Create(1));
}

/// <summary>Rows of <see cref="ScenarioFieldTable.Workload"/> with their own reader: the CPU set and section lengths.</summary>
internal static class WorkloadFields
{
    private const string CpuSetForms = "an array of CPU numbers, a range string such as \"1-63\" or \"1-3,8\", or \"others\"";

    /// <summary>Canonical text of a CPU set; the CPUs themselves are resolved against the machine later.</summary>
    public static readonly ScenarioField<WorkloadSpec> Cpus = Field<WorkloadSpec>.Custom("cpus",
        "CPUs: array of numbers, range string \"1-3,8\", or \"others\" (CPUs with no operation and no listed workload)", CpuSetForms,
        (v, w) => w with { CpusText = ReadCpuSet(v) },
        (w, x) => w.WriteString("cpus", x.CpusText),
        () => new JsonObject
        {
            ["oneOf"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "array", ["minItems"] = 1, ["uniqueItems"] = true,
                    ["items"] = new JsonObject { ["description"] = "CPU", ["type"] = "integer", ["minimum"] = 0, ["maximum"] = ScenarioDefaults.MaxCpus - 1 },
                },
                new JsonObject { ["type"] = "string", ["pattern"] = "^(others|[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*)$" }),
            ["default"] = CpuSets.Others,
        },
        JsonValue.Create("3-1"));

    private static string ReadCpuSet(JsonField v)
    {
        if (v.Value.ValueKind == JsonValueKind.String)
        {
            var text = v.Value.GetString()!.Trim();
            if (string.Equals(text, CpuSets.Others, StringComparison.OrdinalIgnoreCase)) return CpuSets.Others;
            var cpus = CpuSets.TryParseRanges(text, out var why);
            if (cpus is null || cpus.Length == 0) throw v.NotAllowed(CpuSetForms + (why is null ? "" : $" ({why})"));
            return CpuSets.Format(cpus);
        }
        if (v.Value.ValueKind == JsonValueKind.Array)
        {
            var list = v.Array("CPU numbers").Select(e => e.Int(0, ScenarioDefaults.MaxCpus - 1)).ToArray();
            if (list.Length == 0) throw v.NotAllowed(CpuSetForms + " (not empty)");
            if (list.Distinct().Count() != list.Length) throw v.NotAllowed(CpuSetForms + " (each CPU once)");
            return CpuSets.Format(list.Order().ToArray());
        }
        throw v.NotAllowed(CpuSetForms);
    }

    /// <summary>Section lengths {"min": ns, "max": ns} (max defaults to min); omitted when null.</summary>
    public static ScenarioField<WorkloadSpec> Range(string name, string description, Func<WorkloadSpec, NsRange?> get, Func<WorkloadSpec, NsRange, WorkloadSpec> set) =>
        Field<WorkloadSpec>.Custom(name, description, "an object with fields min, max",
            (v, w) => set(w, v.Range()),
            (w, x) =>
            {
                if (get(x) is not { } r) return;
                w.WriteStartObject(name);
                w.WriteNumber("min", r.Min);
                w.WriteNumber("max", r.Max);
                w.WriteEndObject();
            },
            () => new JsonObject
            {
                ["type"] = "object", ["additionalProperties"] = false,
                ["properties"] = new JsonObject
                {
                    ["min"] = new JsonObject { ["description"] = "shortest section, ns", ["type"] = "number", ["minimum"] = 0 },
                    ["max"] = new JsonObject { ["description"] = "longest section, ns (>= min; default min)", ["type"] = "number", ["minimum"] = 0 },
                },
            },
            JsonValue.Create(5));
}

/// <summary>Top-level rows of <see cref="ScenarioFieldTable.Top"/> with their own reader.</summary>
internal static class TopFields
{
    public static readonly ScenarioField<ScenarioSpec> Name = Field<ScenarioSpec>.Custom("name", "name shown in reports", "a non-empty string",
        (v, s) =>
        {
            var name = v.String("a non-empty string");
            return string.IsNullOrWhiteSpace(name) ? throw v.NotAllowed("a non-empty string") : s with { Name = name };
        },
        (w, s) => w.WriteString("name", s.Name),
        () => new JsonObject { ["type"] = "string", ["minLength"] = 1, ["default"] = ScenarioDefaults.Name },
        JsonValue.Create(""));

    public static readonly ScenarioField<ScenarioSpec> Description = Field<ScenarioSpec>.Custom("description", "free text", "a string",
        (v, s) => s with { Description = v.Value.ValueKind == JsonValueKind.Null ? null : v.String("a string") },
        (w, s) => { if (s.Description is not null) w.WriteString("description", s.Description); },
        () => new JsonObject { ["type"] = new JsonArray("string", "null") },
        JsonValue.Create(1));

    public static readonly ScenarioField<ScenarioSpec> Seed = Field<ScenarioSpec>.Custom("seed", "root of every random choice", $"an unsigned integer 0..{ulong.MaxValue}",
        (v, s) => s with { Seed = v.ULong() },
        (w, s) => w.WriteNumber("seed", s.Seed),
        () => new JsonObject { ["type"] = "integer", ["minimum"] = 0, ["maximum"] = ulong.MaxValue, ["default"] = ScenarioDefaults.Seed },
        JsonValue.Create(-1));

    public static readonly ScenarioField<ScenarioSpec> Strategies = Field<ScenarioSpec>.Custom("strategies",
        "matched case-insensitively (the enum lists the usual spellings); default all", string.Join(", ", StrategyRegistry.Names.Select(n => $"\"{n}\"")),
        (v, s) => s with { Strategies = StrategyFieldsReader.ReadStrategies(v) },
        (w, s) =>
        {
            w.WriteStartArray("strategies");
            foreach (var n in s.Strategies) w.WriteStringValue(n);
            w.WriteEndArray();
        },
        () => new JsonObject
        {
            ["type"] = "array", ["uniqueItems"] = true,
            ["items"] = new JsonObject
            {
                ["description"] = "strategy", ["type"] = "string",
                ["enum"] = Field<ScenarioSpec>.Words(StrategyRegistry.Names.Concat(StrategyRegistry.Names.Select(n => n.ToLowerInvariant())).Distinct()),
            },
            ["default"] = Field<ScenarioSpec>.Words(StrategyRegistry.BuiltIn.Select(x => x.Name)),
        },
        new JsonArray("no-such-strategy"));

    public static readonly ScenarioField<ScenarioSpec> StrategyOptions = Field<ScenarioSpec>.Custom("strategy_options", "Per-strategy options.",
        "an object with fields " + string.Join(", ", StrategyFieldsReader.OptionKeys),
        (v, s) => s with { StrategyOptions = StrategyFieldsReader.ReadStrategyOptions(v) },
        (w, s) =>
        {
            w.WriteStartObject("strategy_options");
            // Every built-in strategy's options (defaults included, so a written scenario shows every knob) and
            // those of any other listed strategy.
            foreach (var x in StrategyRegistry.All.Where(x => x.OptionsType is not null && (StrategyRegistry.BuiltIn.Contains(x) || s.Strategies.Contains(x.Name))))
            {
                w.WriteStartObject(x.Name);
                StrategyOptionFields.Write(w, s.StrategyOptions.For(x)!);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        },
        () =>
        {
            var props = new JsonObject();
            foreach (var x in StrategyRegistry.All.Where(x => x.OptionsType is not null)) props[x.Name] = StrategyOptionFields.Schema(x);
            return new JsonObject { ["type"] = "object", ["properties"] = props, ["additionalProperties"] = false };
        });
}
