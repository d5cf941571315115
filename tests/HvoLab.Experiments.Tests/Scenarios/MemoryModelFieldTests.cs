using HvoLab.Engine;
using HvoLab.Experiments.Scenarios;
using Xunit;

namespace HvoLab.Experiments.Tests.Scenarios;

/// <summary>machine.memory_model: "sc" (default) or "arm"; anything else names the field and the allowed values.</summary>
public class MemoryModelFieldTests
{
    [Fact]
    public void DefaultIsScAndArmIsReadAndWrittenBack()
    {
        Assert.Equal(DataMemoryModel.Sc, ScenarioLoader.Parse("""{"strategies":["D"]}""").Machine.MemoryModel);
        var arm = ScenarioLoader.Parse("""{"strategies":["D"], "machine":{"memory_model":"arm"}}""");
        Assert.Equal(DataMemoryModel.Arm, arm.Machine.MemoryModel);
        Assert.Contains("\"memory_model\": \"arm\"", ScenarioLoader.Serialize(arm));
        Assert.Equal(DataMemoryModel.Arm, ScenarioLoader.Parse(ScenarioLoader.Serialize(arm)).Machine.MemoryModel);
        Assert.DoesNotContain("memory_model", ScenarioLoader.Serialize(ScenarioLoader.Parse("""{"strategies":["D"]}""")));
    }

    [Theory]
    [InlineData("\"tso\"")]
    [InlineData("1")]
    public void BadValueNamesTheFieldAndTheChoices(string value)
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse("{\"strategies\":[\"D\"], \"machine\":{\"memory_model\":" + value + "}}"));
        Assert.StartsWith("$.machine.memory_model:", e.Message);
        Assert.Contains("use \"sc\", \"arm\"", e.Message);
    }
}
