using System.Text.Json.Nodes;

namespace HvoLab.Experiments.Tests;

/// <summary>Node-level JSON edits shared by the scenario mutation property test and the fuzzer's scenario generator.</summary>
internal static class JsonMutation
{
    public static void Replace(JsonNode target, JsonNode? value)
    {
        if (value?.Parent is not null) value = value.DeepClone();
        switch (target.Parent)
        {
            case JsonObject o: o[target.GetPropertyName()] = value; break;
            case JsonArray a: a[target.GetElementIndex()] = value; break;
        }
    }

    public static void Remove(JsonNode target)
    {
        switch (target.Parent)
        {
            case JsonObject o: o.Remove(target.GetPropertyName()); break;
            case JsonArray a: a.RemoveAt(target.GetElementIndex()); break;
        }
    }

    /// <summary>Every node of the tree, depth first, the root included.</summary>
    public static void Collect(JsonNode node, List<JsonNode> into)
    {
        into.Add(node);
        switch (node)
        {
            case JsonObject o: foreach (var (_, v) in o) if (v is not null) Collect(v, into); break;
            case JsonArray a: foreach (var v in a) if (v is not null) Collect(v, into); break;
        }
    }
}
