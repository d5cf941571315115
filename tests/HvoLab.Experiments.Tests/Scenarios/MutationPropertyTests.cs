using System.Text.Json.Nodes;
using CsCheck;
using HvoLab.Experiments.Scenarios;
using Xunit;

namespace HvoLab.Experiments.Tests.Scenarios;

/// <summary>Random damage to the default scenario must end in a Scenario or a ScenarioException, never another exception.</summary>
public class MutationPropertyTests
{
    private static readonly string DefaultCanonical = ScenarioLoader.Serialize(ScenarioLoader.Default());

    private static readonly Gen<JsonNode?> Replacement = Gen.OneOf(
        Gen.Int.Select(i => (JsonNode?)JsonValue.Create(i)),
        Gen.Long.Select(l => (JsonNode?)JsonValue.Create(l)),
        Gen.Double.Select(d => double.IsFinite(d) ? (JsonNode?)JsonValue.Create(d) : JsonValue.Create(0.5)),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.String.Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.OneOf<string>("2MiB", "1GiB", "64KiB", "others", "1-3", "4k", "16k", "D", "ours", "demote", "0", "-1", "1-", "99999999999TiB", "")
            .Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.Const((JsonNode?)null),
        Gen.Const<JsonNode?>(() => new JsonArray()),
        Gen.Const<JsonNode?>(() => new JsonObject()),
        Gen.Const<JsonNode?>(() => new JsonArray(1, 2, 300)));

    /// <summary>(which node, what to do, replacement, raw-text cut): indices are taken modulo the node count.</summary>
    private static readonly Gen<(int Node, int Action, JsonNode? Value, int Cut)> Mutation =
        Gen.Select(Gen.Int[0, 10_000], Gen.Int[0, 5], Replacement, Gen.Int[0, 10_000]);

    [Fact]
    public void MutatedDefaultIsValidOrAScenarioException()
    {
        Gen.Select(Mutation.Array[1, 4], Gen.Bool).Sample(t =>
        {
            var (mutations, truncate) = t;
            var root = JsonNode.Parse(DefaultCanonical)!;
            foreach (var m in mutations) Apply(root, m);
            var json = root.ToJsonString();
            if (truncate) json = json[..(mutations[0].Cut % (json.Length + 1))];
            try { _ = ScenarioLoader.Parse(json); }
            catch (ScenarioException) { }
        }, iter: 3000);
    }

    private static void Apply(JsonNode root, (int Node, int Action, JsonNode? Value, int Cut) m)
    {
        var nodes = new List<JsonNode>();
        JsonMutation.Collect(root, nodes);
        var target = nodes[m.Node % nodes.Count];
        var parent = target.Parent;
        if (parent is null) return;
        switch (m.Action)
        {
            case 0 or 1: JsonMutation.Replace(target, m.Value); break;           // replace value / change type
            case 2: JsonMutation.Remove(target); break;                          // drop
            case 3 when parent is JsonArray arr: arr.Add(target.DeepClone()); break;       // duplicate array element
            case 3 when parent is JsonObject obj: obj[target.GetPropertyName() + "x"] = target.DeepClone(); break; // near-miss field name
            case 4: JsonMutation.Replace(target, JsonValue.Create(target.ToJsonString())); break;       // value as a string
            default: JsonMutation.Replace(target, m.Value?.DeepClone()); break;
        }
    }
}
