using HvoLab.Engine;
using HvoLab.Experiments.Scenarios;
using Xunit;

namespace HvoLab.Experiments.Tests.Scenarios;

/// <summary>machine.memory_model: "sc", "arm" or absent (the command's default); anything else names the field and
/// the allowed values. Which model a search runs: --memory-model, else the file, else the command's default.</summary>
public class MemoryModelFieldTests
{
    private const string Silent = """{"strategies":["D"]}""";
    private static string With(string model) => """{"strategies":["D"], "machine":{"memory_model":""" + $"\"{model}\"" + "}}";

    [Fact]
    public void AbsentStaysAbsentWhenWrittenBack()
    {
        var silent = ScenarioLoader.Parse(Silent);
        Assert.Null(silent.Machine.MemoryModel);
        Assert.Null(silent.Spec.Machine.MemoryModel);
        var written = ScenarioLoader.Serialize(silent);
        Assert.DoesNotContain("memory_model", written);
        Assert.Null(ScenarioLoader.Parse(written).Machine.MemoryModel);
    }

    [Theory]
    [InlineData("sc", DataMemoryModel.Sc)]
    [InlineData("arm", DataMemoryModel.Arm)]
    public void AnExplicitValueStaysExplicitWhenWrittenBack(string word, DataMemoryModel model)
    {
        var s = ScenarioLoader.Parse(With(word));
        Assert.Equal(model, s.Machine.MemoryModel);
        var written = ScenarioLoader.Serialize(s);
        Assert.Contains($"\"memory_model\": \"{word}\"", written);
        Assert.Equal(model, ScenarioLoader.Parse(written).Machine.MemoryModel);
        // An explicit sc is a different file from a silent one (it keeps sc when check's default is arm).
        Assert.NotEqual(ContentHash.Of(ScenarioLoader.Parse(Silent)), ContentHash.Of(s));
    }

    [Fact]
    public void TheSchemaListsTheWordsAndNoDefault()
    {
        var field = ScenarioSchema.Build()["properties"]!["machine"]!["properties"]!["memory_model"]!.AsObject();
        Assert.Equal(["sc", "arm"], field["enum"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.False(field.ContainsKey("default"));
        Assert.Contains("arm for check and barriers", field["description"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("\"tso\"")]
    [InlineData("1")]
    [InlineData("null")]
    public void BadValueNamesTheFieldAndTheChoices(string value)
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse("{\"strategies\":[\"D\"], \"machine\":{\"memory_model\":" + value + "}}"));
        Assert.StartsWith("$.machine.memory_model:", e.Message);
        Assert.Contains("use \"sc\", \"arm\"", e.Message);
    }

    [Theory]
    [InlineData(null, null, DataMemoryModel.Arm, MemoryModelSource.Default)]
    [InlineData(DataMemoryModel.Sc, null, DataMemoryModel.Sc, MemoryModelSource.File)]
    [InlineData(DataMemoryModel.Arm, null, DataMemoryModel.Arm, MemoryModelSource.File)]
    [InlineData(DataMemoryModel.Sc, DataMemoryModel.Arm, DataMemoryModel.Arm, MemoryModelSource.Option)]
    [InlineData(null, DataMemoryModel.Sc, DataMemoryModel.Sc, MemoryModelSource.Option)]
    public void TheOptionWinsOverTheFileWhichWinsOverTheDefault(DataMemoryModel? file, DataMemoryModel? option, DataMemoryModel model, MemoryModelSource source) =>
        Assert.Equal(new MemoryModelChoice(model, source), MemoryModelChoice.Resolve(file, option, MemoryModelChoice.SearchDefault));

    [Fact]
    public void SearchesDefaultToArmAndEverythingElseToSc()
    {
        Assert.Equal(DataMemoryModel.Arm, MemoryModelChoice.SearchDefault);
        Assert.Equal(DataMemoryModel.Sc, MemoryModelChoice.OtherwiseDefault);
        Assert.Equal(new MemoryModelChoice(DataMemoryModel.Arm, MemoryModelSource.Default), MemoryModelChoice.ForSearch(ScenarioLoader.Parse(Silent), null));
        Assert.Equal(new MemoryModelChoice(DataMemoryModel.Sc, MemoryModelSource.Option), MemoryModelChoice.ForSearch(ScenarioLoader.Parse(Silent), "SC"));
        var e = Assert.Throws<ArgumentException>(() => MemoryModelChoice.ForSearch(ScenarioLoader.Parse(Silent), "tso"));
        Assert.StartsWith("--memory-model: \"tso\" is not allowed; use sc, arm", e.Message);
    }

    [Fact]
    public void ApplyingAChoiceWritesTheModelIntoTheScenario()
    {
        var silent = ScenarioLoader.Parse(Silent);
        var applied = new MemoryModelChoice(DataMemoryModel.Arm, MemoryModelSource.Default).ApplyTo(silent);
        Assert.Equal(DataMemoryModel.Arm, applied.Machine.MemoryModel);
        Assert.Contains("\"memory_model\": \"arm\"", ScenarioLoader.Serialize(applied));
        var sc = ScenarioLoader.Parse(With("sc"));
        Assert.Same(sc, new MemoryModelChoice(DataMemoryModel.Sc, MemoryModelSource.File).ApplyTo(sc));
    }
}
