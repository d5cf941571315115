using System.Text.Json.Nodes;
using HvoLab.Experiments.Scenarios;
using Xunit;

namespace HvoLab.Experiments.Tests.Scenarios;

/// <summary>The field table drives the reader, the writer, the schema and the messages: these tests walk the table
/// and hold each of the four against it, so a row cannot be honoured by one and missed by another.</summary>
public class FieldTableTests
{
    /// <summary>Every field of the table with its JSON path and the chain of names that leads to it.</summary>
    private static IEnumerable<(string Path, string[] Chain, IScenarioField Field)> Walk(IFieldTable table, string path, string[] chain)
    {
        foreach (var f in table.Fields)
        {
            var p = $"{path}.{f.Name}";
            yield return (p, [.. chain, f.Name], f);
            if (f.Nested is { } nested)
                foreach (var x in Walk(nested, f.IsArray ? p + "[0]" : p, [.. chain, f.IsArray ? f.Name + "[]" : f.Name])) yield return x;
        }
    }

    private static IEnumerable<(string Path, string[] Chain, IScenarioField Field)> AllFields => Walk(ScenarioFieldTable.Top, "$", []);

    /// <summary>A document holding <paramref name="value"/> at <paramref name="chain"/> ("operations[]" is an array of one object).</summary>
    private static JsonObject Document(string[] chain, JsonNode value)
    {
        JsonNode node = value;
        for (int i = chain.Length - 1; i >= 0; i--)
        {
            var name = chain[i];
            if (i < chain.Length - 1 && chain[i].EndsWith("[]", StringComparison.Ordinal)) { name = name[..^2]; node = new JsonArray(node); }
            node = new JsonObject { [name] = node };
        }
        return node.AsObject();
    }

    [Fact]
    public void TheSchemaHasExactlyTheTableFieldsInTableOrder()
    {
        var schema = ScenarioSchema.Build();
        int checkedObjects = 0;
        void Compare(IFieldTable table, JsonObject obj, string path)
        {
            var props = obj["properties"]!.AsObject();
            Assert.Equal(table.Fields.Select(f => f.Name), props.Select(p => p.Key));
            Assert.False(obj["additionalProperties"]!.GetValue<bool>(), path);
            checkedObjects++;
            foreach (var f in table.Fields.Where(f => f.Nested is not null))
            {
                var child = props[f.Name]!.AsObject();
                Compare(f.Nested!, f.IsArray ? child["items"]!.AsObject() : child, $"{path}.{f.Name}");
            }
        }
        Compare(ScenarioFieldTable.Top, schema, "$");
        Assert.Equal(8, checkedObjects);   // top, machine, kernel, its two fault attrs, an operation, a workload entry, scheduler
    }

    [Fact]
    public void EveryRejectedValueGetsTheTablesAllowedTextAtItsPath()
    {
        int tried = 0;
        foreach (var (path, chain, f) in AllFields)
        {
            if (f.Rejected is null) continue;
            var json = Document(chain, f.Rejected.DeepClone()).ToJsonString();
            var e = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse(json));
            Assert.StartsWith(path, e.Message);
            Assert.Contains("use " + f.Allowed, e.Message);
            tried++;
        }
        Assert.True(tried >= 45, $"{tried} fields tried");
    }

    /// <summary>Every optional field set, so the writer has to write each row.</summary>
    private const string EveryField = """
        {"name":"every-field","description":"sets every optional field","seed":3,
         "machine":{"cpus":8,"granule":"4k","bbm_level":1,"tlbi_range":true,"pseudo_nmi":true,"memory":"8GiB","memory_model":"arm",
                    "cpu":"neoverse-n2","features":{"hw_dirty":true},"errata":["1286807"],"costs":{"tlbi_base_ns":10}},
         "kernel":{"design":"2026","hvo_enabled":true,"revert_fix":["pmd-split-lock"],"workarounds":["repeat_tlbi"],
                   "fail_hugetlb_vmemmap_pte":{"probability":50,"interval":2,"times":3},"fail_hugetlb_vmemmap_pmd":{"probability":1}},
         "operations":[{"cpu":1,"op":"demote","count":1,"hugepage":"1GiB","batched":false,"demote_to":"2MiB","at_ns":5}],
         "workload":[{"cpus":"2-3","kind":"pfn-walker","period_ns":700,"irq_off_ns":{"min":1,"max":2},"preempt_off_ns":{"min":3},"daif_masked_ns":{"min":4,"max":5}}],
         "strategies":["off","D"],"strategy_options":{},
         "scheduler":{"mode":"pct","seeds":2,"iterations":7,"pct_depth":4,"preemption_bound":2,"max_executions":9,"step_budget":1000,"wall_seconds":30,"closed_form_handlers":false}}
        """;

    [Fact]
    public void TheWriterWritesEveryTableFieldAndRoundTrips()
    {
        var written = ScenarioLoader.Serialize(ScenarioLoader.Parse(EveryField));
        Assert.Equal(written, ScenarioLoader.Serialize(ScenarioLoader.Parse(written)));
        var root = JsonNode.Parse(written)!;
        foreach (var (path, chain, _) in AllFields)
        {
            JsonNode? node = root;
            foreach (var name in chain)
                node = name.EndsWith("[]", StringComparison.Ordinal) ? node?[name[..^2]]?[0]
                    : node is JsonObject o && o.ContainsKey(name) ? o[name] ?? JsonValue.Create("(null)") : null;
            Assert.True(node is not null, $"{path} is not written");
        }
    }

    [Fact]
    public void AnEditedValueIsCheckedByTheSameRowAsTheFile()
    {
        var file = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse("""{"scheduler":{"pct_depth":101}}"""));
        var edit = Assert.Throws<ScenarioException>(() => ScenarioEdits.Edit(ScenarioLoader.Default(), s => s with { Scheduler = s.Scheduler with { PctDepth = 101 } }));
        Assert.Equal(file.Message, edit.Message);
        var cpus = Assert.Throws<ScenarioException>(() => ScenarioEdits.Edit(ScenarioLoader.Default(), s => ScenarioEdits.WithCpus(s, ScenarioDefaults.MaxCpus + 1)));
        Assert.Equal($"$.machine.cpus: {ScenarioDefaults.MaxCpus + 1} is not allowed; use 1..{ScenarioDefaults.MaxCpus}", cpus.Message);
    }
}
