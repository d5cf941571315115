using System.Text.Json.Nodes;
using CsCheck;

namespace HvoLab.Experiments.Tests.Fuzz;

/// <summary>
/// Scenario inputs for the fuzzer: structured scenarios drawn from each field's domain (mostly valid values, some
/// near the limits, some wrong), then damaged by up to three generic mutations (replace, drop, duplicate, misspell a
/// field, stringify, truncate the text). Every value is small enough that a valid scenario runs in milliseconds.
/// </summary>
public static class ScenarioGen
{
    private static Gen<T> Pick<T>(params T[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    private static Gen<JsonNode?> Str(params string[] values) => Pick(values).Select(s => (JsonNode?)JsonValue.Create(s));
    private static Gen<JsonNode?> Num(params double[] values) => Pick(values).Select(d => (JsonNode?)JsonValue.Create(d));

    private static readonly Gen<JsonNode?> Size = Str("4KiB", "64KiB", "2MiB", "32MiB", "512MiB", "1GiB", "16GiB", "1MiB", "0B", "3MiB", "2mib",
        "2 MiB", "1TiB", "16TiB", "-2MiB", "2", "99999999999TiB", "", "1.5MiB");
    private static readonly Gen<JsonNode?> Memory = Str("16MiB", "64MiB", "1GiB", "2GiB", "64GiB", "4TiB", "8MiB", "5TiB");

    private static readonly Gen<JsonNode?> CpuSet = Gen.OneOf(
        Str("others", "1", "1-2", "2-3", "0", "1,3", "3-1", "1-", "7", "OTHERS", ""),
        Gen.Int[0, 9].Array[0, 3].Select(a => (JsonNode?)new JsonArray(a.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray())));

    private static readonly Gen<JsonNode?> Range = Gen.Select(Gen.Int[0, 3000], Gen.Int[0, 3000])
        .Select((a, b) => (JsonNode?)new JsonObject { ["min"] = a, ["max"] = b });

    /// <summary>An object whose fields are each present or absent at random.</summary>
    private static Gen<JsonObject> Obj(params (string Name, Gen<JsonNode?> Value)[] fields)
    {
        var acc = Gen.Const(() => new List<(string, JsonNode?)>());
        foreach (var (name, value) in fields)
            acc = Gen.Select(acc, Gen.Int[0, 3], value, (list, present, v) =>
            {
                if (present > 0) list.Add((name, v));
                return list;
            });
        return acc.Select(list =>
        {
            var o = new JsonObject();
            foreach (var (n, v) in list) o[n] = v;
            return o;
        });
    }

    private static readonly Gen<JsonObject> Machine = Obj(
        ("cpus", Gen.OneOf(Gen.Int[1, 6].Select(i => (JsonNode?)JsonValue.Create(i)), Num(0, 257, 2.5, -1))),
        ("granule", Str("4k", "16k", "64k", "8k", "4K")),
        ("bbm_level", Gen.Int[0, 3].Select(i => (JsonNode?)JsonValue.Create(i))),
        ("tlbi_range", Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b))),
        ("pseudo_nmi", Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b))),
        ("memory", Memory),
        ("costs", Gen.OneOf(
            Gen.Const<JsonNode?>(() => new JsonObject { ["jitter"] = 0.9 }),
            Gen.Const<JsonNode?>(() => new JsonObject { ["tlbi_base_ns"] = 0 }),
            Gen.Const<JsonNode?>(() => new JsonObject { ["tlbi_base_ns"] = 1e300 }),
            Gen.Const<JsonNode?>(() => new JsonObject { ["tlbi_bse_ns"] = 1 }))));

    private static readonly Gen<JsonObject> Kernel = Obj(
        ("design", Str("fake-head", "2026", "2025")),
        ("hvo_enabled", Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b))),
        ("revert_fix", Pick("rcu-sync", "pmd-split-lock", "free-before-flush").Array[0, 2]
            .Select(a => (JsonNode?)new JsonArray(a.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()))));

    private static readonly Gen<JsonObject> Operation = Obj(
        ("cpu", Gen.Int[0, 4].Select(i => (JsonNode?)JsonValue.Create(i))),
        ("op", Str("alloc", "free", "demote", "Alloc")),
        ("count", Gen.OneOf(Gen.Int[1, 3].Select(i => (JsonNode?)JsonValue.Create(i)), Num(0, 10_000_001))),
        ("hugepage", Size),
        ("batched", Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b))),
        ("demote_to", Size),
        ("at_ns", Num(0, 500, 1e6, 1e300, -1)));

    private static readonly Gen<JsonObject> Workload = Obj(
        ("cpus", CpuSet),
        ("kind", Str("pfn-walker", "gup-fast", "memory-failure", "nmi-reader", "background", "reader")),
        ("period_ns", Num(100, 1000, 1e-9, 1e300, 0)),
        ("irq_off_ns", Range),
        ("preempt_off_ns", Range),
        ("daif_masked_ns", Range));

    private static readonly Gen<JsonObject> Scheduler = Obj(
        ("mode", Str("timed", "pct", "random", "exhaustive", "dfs")),
        ("seeds", Num(1, 2, 0)),
        ("iterations", Num(1, 3, 0)),
        ("pct_depth", Num(1, 3, 2147483647)),
        ("preemption_bound", Num(0, 1, 2)),
        ("max_executions", Num(1, 5)),
        ("step_budget", Num(1, 50, 5000, 20000)),
        ("wall_seconds", Num(1e-9, 1, 5, 1e300, 0)));

    private static readonly Gen<JsonObject> StrategyOptions = Obj(
        ("D", Obj([("ipi", Str("nmi", "irq", "sgi")), ("granularity", Str("pte", "range", "batch", "page"))]).Select(o => (JsonNode?)o)),
        ("C", Obj([("force", Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)))]).Select(o => (JsonNode?)o)));

    /// <summary>A structured scenario; fields absent at random so defaults are exercised too.</summary>
    public static readonly Gen<JsonObject> Structured = Obj(
        ("name", Str("fuzz", "", " ")),
        ("seed", Gen.ULong.Select(u => (JsonNode?)JsonValue.Create(u))),
        ("machine", Machine.Select(o => (JsonNode?)o)),
        ("kernel", Kernel.Select(o => (JsonNode?)o)),
        ("operations", Operation.Array[0, 3].Select(a => (JsonNode?)new JsonArray(a.Select(o => (JsonNode?)o).ToArray()))),
        ("workload", Workload.Array[0, 3].Select(a => (JsonNode?)new JsonArray(a.Select(o => (JsonNode?)o).ToArray()))),
        ("strategies", Pick("off", "unsafe", "A", "B", "C", "D", "ours", "d", "E").Array[0, 3]
            .Select(a => (JsonNode?)new JsonArray(a.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()))),
        ("strategy_options", StrategyOptions.Select(o => (JsonNode?)o)),
        ("scheduler", Scheduler.Select(o => (JsonNode?)o)));

    private static readonly Gen<JsonNode?> Replacement = Gen.OneOf(
        Gen.Int.Select(i => (JsonNode?)JsonValue.Create(i)),
        Gen.Double.Select(d => double.IsFinite(d) ? (JsonNode?)JsonValue.Create(d) : JsonValue.Create(0.5)),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.String.Select(s => (JsonNode?)JsonValue.Create(s)),
        Size, CpuSet,
        Gen.Const((JsonNode?)null),
        Gen.Const<JsonNode?>(() => new JsonArray()),
        Gen.Const<JsonNode?>(() => new JsonObject()));

    private static readonly Gen<(int Node, int Action, JsonNode? Value)> Mutation = Gen.Select(Gen.Int[0, 10_000], Gen.Int[0, 5], Replacement);

    private static readonly string[][] SizesByGranule =
        [["64KiB", "2MiB", "32MiB", "1GiB"], ["2MiB", "32MiB", "1GiB"], ["2MiB", "512MiB", "16GiB"]];

    /// <summary>A consistent scenario (CPUs, sizes and workload agree with the machine), so most reach the runner.</summary>
    public static readonly Gen<JsonObject> Consistent =
        Gen.Select(Gen.Int[2, 6], Gen.Int[0, 2], Gen.Int[0, 3], Gen.Int[0, 2], Gen.Bool, Gen.Bool, Gen.Int[0, 6])
        .SelectMany((cpus, g, size, kind, nmi, batched, strategy) => Gen.Select(Gen.Int[0, 4], Gen.Int[0, 3], Gen.Int[0, 2], Gen.Int[0, 3], Gen.Int[0, 2], Gen.ULong[0, 1000])
        .Select((wkind, mode, bbm, design, revert, seed) =>
        {
            var sizes = SizesByGranule[g];
            var hp = sizes[Math.Min(size, sizes.Length - 1)];
            string[] ops = ["alloc", "free", "demote"];
            var op = new JsonObject { ["cpu"] = 0, ["op"] = ops[kind], ["count"] = 1, ["hugepage"] = hp, ["batched"] = batched };
            if (ops[kind] == "demote") { op["hugepage"] = sizes[^1]; op["demote_to"] = sizes[^2]; }
            string[] kinds = ["pfn-walker", "gup-fast", "memory-failure", "nmi-reader", "background"];
            var workload = new JsonArray { new JsonObject { ["cpus"] = "1", ["kind"] = kinds[wkind], ["period_ns"] = 300 } };
            if (cpus > 2) workload.Add(new JsonObject { ["cpus"] = "others", ["kind"] = "background", ["period_ns"] = 500, ["irq_off_ns"] = new JsonObject { ["min"] = 100, ["max"] = 900 } });
            return new JsonObject
            {
                ["name"] = "fuzz", ["seed"] = seed,
                ["machine"] = new JsonObject { ["cpus"] = cpus, ["granule"] = new[] { "4k", "16k", "64k" }[g], ["bbm_level"] = bbm, ["pseudo_nmi"] = nmi, ["memory"] = "64GiB" },
                ["kernel"] = new JsonObject { ["design"] = design % 2 == 0 ? "fake-head" : "2026", ["revert_fix"] = revert == 0 ? new JsonArray("rcu-sync") : new JsonArray() },
                ["operations"] = new JsonArray { op },
                ["workload"] = workload,
                ["strategies"] = new JsonArray(new[] { "off", "unsafe", "A", "B", "C", "D", "ours" }[strategy]),
                ["strategy_options"] = new JsonObject { ["D"] = new JsonObject { ["ipi"] = bbm == 1 ? "irq" : "nmi", ["granularity"] = new[] { "pte", "range", "batch" }[wkind % 3] }, ["C"] = new JsonObject { ["force"] = design == 3 } },
                ["scheduler"] = new JsonObject { ["mode"] = new[] { "timed", "pct", "random", "exhaustive" }[mode], ["seeds"] = 1, ["iterations"] = 2, ["max_executions"] = 3, ["step_budget"] = 20000, ["wall_seconds"] = 5 },
            };
        }));

    /// <summary>Scenario text: a consistent scenario as is (a third), a consistent one with 1–2 mutations (a third),
    /// or a wild structured one with 0–3 mutations; sometimes truncated.</summary>
    public static readonly Gen<string> Text = Gen.Int[0, 2].SelectMany(which => which switch
    {
        0 => Consistent.Select(o => o.ToJsonString()),
        1 => Gen.Select(Consistent, Mutation.Array[1, 2], Gen.Int[1, 30]).Select(Mutated),
        _ => Gen.Select(Structured, Mutation.Array[0, 3], Gen.Int[0, 30]).Select(Mutated),
    });

    private static string Mutated(JsonObject root, (int Node, int Action, JsonNode? Value)[] mutations, int cut)
    {
        foreach (var m in mutations) Apply(root, m);
        var json = root.ToJsonString();
        return cut == 0 ? json[..(json.Length * 2 / 3)] : json;
    }

    private static void Apply(JsonNode root, (int Node, int Action, JsonNode? Value) m)
    {
        var nodes = new List<JsonNode>();
        JsonMutation.Collect(root, nodes);
        var target = nodes[m.Node % nodes.Count];
        if (target.Parent is not { } parent) return;
        switch (m.Action)
        {
            case 0 or 1: JsonMutation.Replace(target, m.Value); break;
            case 2: JsonMutation.Remove(target); break;
            case 3 when parent is JsonArray arr: arr.Add(target.DeepClone()); break;
            case 3 when parent is JsonObject obj: obj[target.GetPropertyName() + "s"] = target.DeepClone(); break;
            case 4: JsonMutation.Replace(target, JsonValue.Create(target.ToJsonString())); break;
            default: JsonMutation.Replace(target, m.Value?.DeepClone()); break;
        }
    }
}
