using System.Globalization;

namespace HvoLab.Experiments.Scenarios;

/// <summary>
/// The allowed range of one integer field, held by its row of <see cref="ScenarioFieldTable"/> and checked there whether
/// the value comes from the file or from an edit (the message names the JSON path), and by a command-line option that
/// sets it (the message names the option). The CPU count, for example, is checked only by <see cref="ScenarioFields.Cpus"/>.
/// </summary>
public sealed record FieldRange(long Min, long Max)
{
    public string AllowedText => Max >= int.MaxValue ? $"an integer >= {Min.ToString(CultureInfo.InvariantCulture)}"
        : $"{Min.ToString(CultureInfo.InvariantCulture)}..{Max.ToString(CultureInfo.InvariantCulture)}";

    public bool Contains(long value) => value >= Min && value <= Max;

    /// <summary>For a command-line value: an <see cref="ArgumentException"/> naming <paramref name="option"/>.</summary>
    public int CheckOption(string option, long value) => Contains(value) ? (int)value
        : throw new ArgumentException($"{option}: {value.ToString(CultureInfo.InvariantCulture)} is not allowed; use {AllowedText}");

    /// <summary>For a typed edit of a scenario: a <see cref="ScenarioException"/> naming the JSON path.</summary>
    public void CheckEdited(long value, string path)
    {
        if (!Contains(value))
            throw new ScenarioException(path, $"{value.ToString(CultureInfo.InvariantCulture)} is not allowed; use {AllowedText}");
    }
}

/// <summary>Ranges of the integer fields that a command line can override; the table rows of these fields hold the same objects.</summary>
public static class ScenarioFields
{
    public static readonly FieldRange Cpus = new(ScenarioDefaults.MinCpus, ScenarioDefaults.MaxCpus);
    public static readonly FieldRange BbmLevel = new(0, ScenarioDefaults.MaxBbmLevel);
    public static readonly FieldRange Count = new(1, ScenarioDefaults.MaxCount);
    public static readonly FieldRange Seeds = new(1, ScenarioDefaults.MaxSeeds);
    public static readonly FieldRange Iterations = new(1, int.MaxValue);
}
