using System.Text.Json;
using HvoLab.Experiments.Scenarios;
using Xunit;

namespace HvoLab.Experiments.Tests.Scenarios;

public class SchemaTests
{
    [Fact]
    public void SchemaParsesAndListsEveryTopLevelFieldClosed()
    {
        using var doc = JsonDocument.Parse(ScenarioLoader.Schema());
        var root = doc.RootElement;
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", root.GetProperty("$schema").GetString());
        Assert.False(root.GetProperty("additionalProperties").GetBoolean());
        var props = root.GetProperty("properties");
        foreach (var f in new[] { "name", "description", "seed", "machine", "kernel", "operations", "workload", "strategies", "strategy_options", "scheduler" })
            Assert.True(props.TryGetProperty(f, out _), f);
        var machine = props.GetProperty("machine");
        Assert.False(machine.GetProperty("additionalProperties").GetBoolean());
        Assert.Equal(256, machine.GetProperty("properties").GetProperty("cpus").GetProperty("maximum").GetInt32());
        Assert.Equal(["4k", "16k", "64k"], machine.GetProperty("properties").GetProperty("granule").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.True(machine.GetProperty("properties").GetProperty("costs").GetProperty("properties").TryGetProperty("tlbi_base_ns", out _));
        var kinds = props.GetProperty("workload").GetProperty("items").GetProperty("properties").GetProperty("kind").GetProperty("enum");
        Assert.Equal(ScenarioWords.Workload.Words, kinds.EnumerateArray().Select(e => e.GetString()!));
    }
}
