using HvoLab.Engine;

namespace HvoLab.Experiments.Scenarios;

/// <summary>Where the memory model of a search came from, in order of precedence.</summary>
public enum MemoryModelSource
{
    /// <summary>Neither the option nor the file said: the command's default.</summary>
    Default,
    /// <summary>machine.memory_model in the scenario.</summary>
    File,
    /// <summary>--memory-model on the command line.</summary>
    Option,
}

/// <summary>
/// The memory model a search runs under and where it came from: --memory-model wins over the file's
/// machine.memory_model, which wins over the command's default. check and barriers report both, and a search records
/// the model in the scenario it runs (<see cref="ApplyTo"/>), so traces and shards replay under it whatever the
/// defaults are later.
/// </summary>
public sealed record MemoryModelChoice(DataMemoryModel Model, MemoryModelSource Source)
{
    /// <summary>The default of check and barriers: arm. Issue #20 makes it so once complete searches of the check
    /// scenarios stay within a few minutes under arm; every exhaustive row of scenarios/verdicts.expected.json does
    /// (docs/strategies.md, "Complete searches under arm").</summary>
    public const DataMemoryModel SearchDefault = DataMemoryModel.Arm;

    /// <summary>What a silent file means everywhere else: timed runs (run, compare, sweep, bench), which are SC
    /// whatever the field says (the engine buffers stores only under a search scheduler), compare's PCT verdict
    /// search, and library callers of <see cref="Checking.CheckRunner"/> that choose no model.</summary>
    public const DataMemoryModel OtherwiseDefault = DataMemoryModel.Sc;

    public static MemoryModelChoice Resolve(DataMemoryModel? file, DataMemoryModel? option, DataMemoryModel commandDefault) =>
        option is { } o ? new(o, MemoryModelSource.Option)
        : file is { } f ? new(f, MemoryModelSource.File)
        : new(commandDefault, MemoryModelSource.Default);

    /// <summary>check and barriers: <paramref name="option"/> is --memory-model's text (null: not given).</summary>
    public static MemoryModelChoice ForSearch(Scenario s, string? option) =>
        Resolve(s.Machine.MemoryModel, option is null ? null : ScenarioWords.MemoryModel.ParseOption("--memory-model", option), SearchDefault);

    public static readonly EnumWords<MemoryModelSource> SourceWords = new();

    public string ModelWord => ScenarioWords.MemoryModel.Word(Model);
    public string SourceWord => SourceWords.Word(Source);

    /// <summary>"arm (default)", "sc (machine.memory_model)", "arm (--memory-model)": the text reports print.</summary>
    public override string ToString() => Source switch
    {
        MemoryModelSource.Default => $"{ModelWord} (default; machine.memory_model not set)",
        MemoryModelSource.File => $"{ModelWord} (machine.memory_model)",
        _ => $"{ModelWord} (--memory-model)",
    };

    /// <summary>The scenario with <see cref="Model"/> written into machine.memory_model (a typed edit, resolved and
    /// checked like the file), or <paramref name="s"/> itself when it already says so.</summary>
    public Scenario ApplyTo(Scenario s) => s.Machine.MemoryModel == Model ? s
        : ScenarioEdits.Edit(s, spec => spec with { Machine = spec.Machine with { MemoryModel = Model } });
}
