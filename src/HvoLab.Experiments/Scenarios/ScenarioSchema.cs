using HvoLab.Arch;
using HvoLab.Strategies;
using System.Text.Json;
using System.Text.Json.Nodes;
using HvoLab.Engine;
using HvoLab.Kernel;

namespace HvoLab.Experiments.Scenarios;

/// <summary>
/// JSON Schema (draft 2020-12) of the scenario format, built by hand: JsonSchemaExporter would describe the C#
/// records (resolved sizes, Granule objects) rather than the file format, and has no ranges or string enums.
/// Limits and defaults come from <see cref="ScenarioDefaults"/>; field lists from the reader, so they cannot drift.
/// Cross-field rules (CPU numbers below machine.cpus, sizes per granule) are beyond a schema and noted in descriptions.
/// </summary>
public static class ScenarioSchema
{
    public static string Text() => Build().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

    public static JsonObject Build()
    {
        var sizePattern = "^\\s*[0-9]+(\\.[0-9]+)?\\s*([KkMmGgTt](i?[Bb])?|[Bb])?\\s*$";
        JsonNode Size(string description) => new JsonObject
        {
            ["description"] = description,
            ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "string", ["pattern"] = sizePattern },
                new JsonObject { ["type"] = "integer", ["minimum"] = 0 }),
        };
        JsonObject Range(string description) => Obj(description, new()
        {
            ["min"] = Num("shortest section, ns", 0),
            ["max"] = Num("longest section, ns (>= min; default min)", 0),
        });

        var costs = new JsonObject();
        foreach (var n in CostModel.Names)
            costs[ScenarioNaming.Snake(n)] = Num($"override of CostModel.{n}" + (n == nameof(HardwareCosts.Jitter) ? " (fraction, < 1)" : ", ns"), 0);

        var machine = Obj("The simulated arm64 machine.", new()
        {
            ["cpus"] = Int("number of CPUs", ScenarioDefaults.MinCpus, ScenarioDefaults.MaxCpus, ScenarioDefaults.Cpus),
            ["granule"] = Enum("translation granule (4k, 16k, 64k; 4kb/4096 etc. also accepted)", ["4k", "16k", "64k"], "4k"),
            ["bbm_level"] = Int("ID_AA64MMFR2_EL1.BBM", 0, ScenarioDefaults.MaxBbmLevel, 0),
            ["tlbi_range"] = Bool("FEAT_TLBIRANGE present", false),
            ["memory_model"] = Enum("ordering of data accesses in searches (hvolab check): sc, or arm (stores to kernel globals buffered per CPU, as the accesses' ordering and barriers allow; docs/arch.md)", ["sc", "arm"], "sc"),
            ["pseudo_nmi"] = Bool("GICv3 pseudo-NMI in use (irqchip.gicv3_pseudo_nmi=1)", true),
            ["memory"] = Size($"memory size, {Units.FormatSize(ScenarioDefaults.MinMemoryBytes)}..{Units.FormatSize(ScenarioDefaults.MaxMemoryBytes)}; default {Units.FormatSize(ScenarioDefaults.MemoryBytes)}"),
            ["costs"] = new JsonObject
            {
                ["description"] = "cost overrides by name (snake_case or CostModel property name)",
                ["type"] = "object", ["properties"] = costs, ["additionalProperties"] = false,
            },
            ["cpu"] = Enum("named CPU profile (hvolab cpus): sets hw_af, hw_dirty, bbml2_noabort (bbm_level 2), tlbi_range, pseudo_nmi and errata; explicit fields and features win",
                CpuProfiles.All.Select(c => c.Name).ToArray(), null),
            ["features"] = new JsonObject
            {
                ["description"] = "feature overrides (win over the profile): hw_af = TCR_EL1.HA (default true), hw_dirty = TCR_EL1.HD (default false), bbml2_noabort, tlbi_range, pseudo_nmi",
                ["type"] = "object", ["properties"] = new JsonObject(CpuFeatures.All.Select(f => KeyValuePair.Create(f, (JsonNode?)new JsonObject { ["type"] = "boolean" }))),
                ["additionalProperties"] = false,
            },
            ["errata"] = new JsonObject { ["description"] = "errata the machine exhibits (default: the profile's)", ["type"] = "array", ["uniqueItems"] = true, ["items"] = Enum("erratum", ErrataNames.All, null) },
        });
        JsonObject FaultAttr(string name) => Obj(name + "= (CONFIG_FAIL_HUGETLB_VMEMMAP): the wrapper returns -EAGAIN when it fires", new()
        {
            ["probability"] = Int("percent", 0, 100, 100),
            ["interval"] = Int("fail only every interval-th call", 1, int.MaxValue, 1),
            ["times"] = new JsonObject { ["description"] = "at most this many failures (-1 = no limit)", ["type"] = "integer", ["minimum"] = -1, ["default"] = -1 },
        });
        var kernel = Obj("The modelled kernel.", new()
        {
            ["design"] = Enum("fake-head = v5.14–v7.0 design; 2026 = shared per-zone tail page", ScenarioWords.Design.Words, ScenarioWords.Design.Word(HvoDesign.FakeHead)),
            ["hvo_enabled"] = Bool("hugetlb_optimize_vmemmap", true),
            ["revert_fix"] = new JsonObject { ["type"] = "array", ["uniqueItems"] = true, ["items"] = Enum("fix to revert", RevertibleFixes.All, null) },
            ["workarounds"] = new JsonObject { ["description"] = "errata workarounds enabled (default: what the kernel enables for machine.errata)", ["type"] = "array", ["uniqueItems"] = true, ["items"] = Enum("workaround", WorkaroundNames.All, null) },
            ["fail_hugetlb_vmemmap_pte"] = FaultAttr("fail_hugetlb_vmemmap_pte"),
            ["fail_hugetlb_vmemmap_pmd"] = FaultAttr("fail_hugetlb_vmemmap_pmd"),
        });
        var operation = Obj("One HugeTLB request; same-CPU operations run in order, different CPUs concurrently.", new()
        {
            ["cpu"] = Int("CPU that issues it (< machine.cpus)", 0, ScenarioDefaults.MaxCpus - 1, 0),
            ["op"] = Enum("request", ScenarioWords.Operation.Words, ScenarioWords.Operation.Word(OperationKind.Alloc)),
            ["count"] = Int("number of hugepages", 1, ScenarioDefaults.MaxCount, 1),
            ["hugepage"] = Size("hugepage size, one the granule supports (4k: 64KiB, 2MiB, 32MiB, 1GiB; 16k: 2MiB, 32MiB, 1GiB; 64k: 2MiB, 512MiB, 16GiB)"),
            ["batched"] = Bool("use the batched kernel paths", true),
            ["demote_to"] = Size("target size of a demote (required for, and only for, op = demote)"),
            ["at_ns"] = Num("earliest start, ns", 0),
        });
        var cpuSet = new JsonObject
        {
            ["description"] = "CPUs: array of numbers, range string \"1-3,8\", or \"others\" (CPUs with no operation and no listed workload)",
            ["oneOf"] = new JsonArray(
                new JsonObject { ["type"] = "array", ["minItems"] = 1, ["uniqueItems"] = true, ["items"] = Int("CPU", 0, ScenarioDefaults.MaxCpus - 1, null) },
                new JsonObject { ["type"] = "string", ["pattern"] = "^(others|[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*)$" }),
        };
        var workload = Obj("Concurrent activity on other CPUs; one workload per CPU.", new()
        {
            ["cpus"] = cpuSet,
            ["kind"] = Enum("what the CPUs do", ScenarioWords.Workload.Words, ScenarioWords.Workload.Word(WorkloadKind.Background)),
            ["period_ns"] = Num("time between accesses, ns (> 0)", 0, ScenarioDefaults.PeriodNs, exclusive: true),
            ["irq_off_ns"] = Range("length of IRQ-off sections, ns"),
            ["preempt_off_ns"] = Range("length of preempt-off sections, ns"),
            ["daif_masked_ns"] = Range("length of DAIF-masked (NMI-masked) sections, ns"),
        });
        var strategyOptions = Obj("Per-strategy options.", StrategyRegistry.All.Where(x => x.OptionsType is not null)
            .ToDictionary(x => x.Name, x => (JsonNode)StrategyOptionFields.Schema(x)));
        var scheduler = Obj("How executions are chosen.", new()
        {
            ["mode"] = Enum("timed = cost-model runs; others explore interleavings", ScenarioWords.Mode.Words, ScenarioWords.Mode.Word(SchedulerMode.Timed)),
            ["seeds"] = Int("timed runs", 1, ScenarioDefaults.MaxSeeds, ScenarioDefaults.Seeds),
            ["iterations"] = Int("pct/random executions", 1, int.MaxValue, ScenarioDefaults.Iterations),
            ["pct_depth"] = Int("PCT bug depth", 1, ScenarioDefaults.MaxPctDepth, ScenarioDefaults.PctDepth),
            ["preemption_bound"] = new JsonObject { ["description"] = "exhaustive: max preemptions; null = unbounded", ["type"] = new JsonArray("integer", "null"), ["minimum"] = 0, ["default"] = null },
            ["max_executions"] = Int("exhaustive: execution cap", 1, int.MaxValue, ScenarioDefaults.MaxExecutions),
            ["step_budget"] = Int("steps per execution before it counts as a livelock", 1, long.MaxValue, ScenarioDefaults.StepBudget),
            ["wall_seconds"] = WithMax(Num("wall-clock budget, s (> 0)", 0, ScenarioDefaults.WallSeconds, exclusive: true), ScenarioDefaults.MaxWallSeconds),
            ["closed_form_handlers"] = Bool("timed runs: compute NMI handlers that have a closed form (the D pause) instead of running them op by op; same times", true),
        });

        var root = Obj("HvoLab scenario. Every field is optional; {} is the default scenario.", new()
        {
            ["name"] = new JsonObject { ["type"] = "string", ["minLength"] = 1, ["default"] = ScenarioDefaults.Name },
            ["description"] = new JsonObject { ["type"] = new JsonArray("string", "null") },
            ["seed"] = Int("root of every random choice", 0, ulong.MaxValue, ScenarioDefaults.Seed),
            ["machine"] = machine,
            ["kernel"] = kernel,
            ["operations"] = new JsonObject { ["type"] = "array", ["items"] = operation, ["description"] = "default: CPU0 allocates then frees 64 × 2MiB" },
            ["workload"] = new JsonObject { ["type"] = "array", ["items"] = workload },
            ["strategies"] = new JsonObject
            {
                ["type"] = "array", ["uniqueItems"] = true, ["description"] = "matched case-insensitively (the enum lists the usual spellings); default all",
                ["items"] = Enum("strategy", StrategyRegistry.Names.Concat(StrategyRegistry.Names.Select(n => n.ToLowerInvariant())).Distinct().ToArray(), null),
                ["default"] = Arr(StrategyRegistry.BuiltIn.Select(x => x.Name).ToArray()),
            },
            ["strategy_options"] = strategyOptions,
            ["scheduler"] = scheduler,
        });
        root.Insert(0, "$schema", "https://json-schema.org/draft/2020-12/schema");
        root.Insert(1, "$id", "https://hvolab.invalid/scenario.schema.json");
        root.Insert(2, "title", "HvoLab scenario");
        return root;
    }

    private static JsonObject Obj(string description, Dictionary<string, JsonNode> properties)
    {
        var props = new JsonObject();
        foreach (var (k, v) in properties) props[k] = v;
        return new JsonObject { ["description"] = description, ["type"] = "object", ["properties"] = props, ["additionalProperties"] = false };
    }

    private static JsonObject Int(string description, decimal min, decimal max, decimal? def)
    {
        var o = new JsonObject { ["description"] = description, ["type"] = "integer", ["minimum"] = min, ["maximum"] = max };
        if (def is not null) o["default"] = def;
        return o;
    }

    private static JsonObject WithMax(JsonObject o, double max) { o["maximum"] = max; return o; }

    private static JsonObject Num(string description, double min, double? def = null, bool exclusive = false)
    {
        var o = new JsonObject { ["description"] = description, ["type"] = "number", [exclusive ? "exclusiveMinimum" : "minimum"] = min };
        if (def is not null) o["default"] = def;
        return o;
    }

    private static JsonObject Bool(string description, bool def) => new() { ["description"] = description, ["type"] = "boolean", ["default"] = def };

    private static JsonObject Enum(string description, IReadOnlyList<string> values, string? def)
    {
        var o = new JsonObject { ["description"] = description, ["type"] = "string", ["enum"] = Arr(values) };
        if (def is not null) o["default"] = def;
        return o;
    }

    private static JsonArray Arr(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
}
