using System.CommandLine;
using HvoLab.Experiments.Scenarios;

namespace HvoLab.Cli.Commands;

/// <summary>Options that several commands share, declared once so their names and help agree.</summary>
public static class Options
{
    public static Option<string?> Scenario() => new("--scenario") { Description = "Scenario JSON file (default: the embedded default scenario).", HelpName = "FILE" };
    public static Option<int?> Cpus() => new("--cpus") { Description = $"Override machine.cpus ({ScenarioFields.Cpus.AllowedText}).", HelpName = "N" };
    public static Option<string?> Granule() => new("--granule") { Description = "Translation granule: 4k, 16k or 64k.", HelpName = "G" };
    public static Option<string?> Hugepage() => new("--hugepage") { Description = "Hugepage size for every operation, e.g. 2MiB or 1GiB.", HelpName = "SIZE" };
    /// <summary>--memory-model sc|arm: wins over machine.memory_model and the command's default
    /// (<see cref="MemoryModelChoice.ForSearch"/>).</summary>
    public static Option<string?> MemoryModel()
    {
        var o = new Option<string?>("--memory-model")
        {
            Description = "Ordering of data accesses in the search: sc (sequentially consistent) or arm (stores buffered per CPU as the accesses' "
                + $"ordering and barriers allow; docs/arch.md). Default: the scenario's machine.memory_model, else {ScenarioWords.MemoryModel.Word(MemoryModelChoice.SearchDefault)}.",
            HelpName = "sc|arm",
        };
        // Parsed by the same words as machine.memory_model, so the option and the field cannot disagree.
        o.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string?>();
            if (v is not null && !ScenarioWords.MemoryModel.TryParse(v, out _, ignoreCase: true))
                r.AddError($"--memory-model: \"{v}\" is not allowed; use {string.Join(", ", ScenarioWords.MemoryModel.Words)}");
        });
        o.CompletionSources.Add([.. ScenarioWords.MemoryModel.Words]);
        return o;
    }

    public static Option<int?> Parallel() => new("--parallel") { Description = "Worker threads (default: processor count).", HelpName = "N" };

    public static Option<string?> Strategy(bool required) => new("--strategy")
    {
        Description = "Strategy (case-insensitive; `hvolab strategies` lists them): " + string.Join(", ", HvoLab.Strategies.StrategyRegistry.BuiltIn.Select(s => s.Name)) + ".",
        HelpName = "NAME", Required = required,
    };

    public static Option<string?> StrategyFile() => new("--strategy-file")
    {
        Description = "A C# file defining a strategy, compiled at run time (`hvolab new strategy NAME` writes one); it runs like a built-in one.",
        HelpName = "PATH.cs",
    };

    public static Option<string> Format(params string[] formats)
    {
        var o = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => formats[0], HelpName = string.Join("|", formats) };
        o.AcceptOnlyFromAmong(formats);
        return o;
    }

    public static Option<string> Out(bool required, string helpName, string description) =>
        new("--out") { Description = description, HelpName = helpName, Required = required };
}
