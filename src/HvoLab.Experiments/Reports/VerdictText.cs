using HvoLab.Experiments.Checking;

namespace HvoLab.Experiments.Reports;

/// <summary>
/// The words every output uses for a verdict, so check, compare, recommend and the HTML agree on its strength:
/// "proved" (a complete search found no violation), "unsafe" (a violation, with a replayable trace),
/// "not refuted (pct 300, 3 CPUs)" (no violation within a budget: says what was explored) and "refused".
/// </summary>
public static class VerdictText
{
    public const string Proved = "proved", Unsafe = "unsafe", Refused = "refused";

    public static string NotRefuted(string mode, long executions, int cpus) =>
        $"not refuted ({mode} {executions}, {cpus} CPU{(cpus == 1 ? "" : "s")})";

    /// <summary>The word for a check result over a machine of <paramref name="cpus"/> CPUs.</summary>
    public static string Of(CheckResult r, int cpus) => r.Verdict switch
    {
        Verdict.Unsafe => Unsafe,
        Verdict.Refused => Refused,
        _ => r.Complete ? Proved : NotRefuted(r.Mode, r.Executions, cpus),
    };

    /// <summary>The word for a compare/recommend row: no violation there rests on the bounded PCT search of
    /// <see cref="Comparison.VerdictCheck"/>, so it is "not refuted", never "proved".</summary>
    public static string OfRow(Verdict verdict, long searchExecutions) => verdict switch
    {
        Verdict.Unsafe => Unsafe,
        Verdict.Refused => Refused,
        Verdict.Proved => Proved,
        _ => NotRefuted("pct", searchExecutions, Comparison.VerdictCheck.Cpus),
    };

    /// <summary>hvolab check's exit codes: 0 proved, 1 unsafe, 3 not refuted (budget reached), 4 refused
    /// (2 is bad input and 130 an interrupted search, set by the CLI).</summary>
    public static int ExitCode(CheckResult r) => r.Verdict switch
    {
        Verdict.Unsafe => 1,
        Verdict.Refused => 4,
        _ => r.Complete ? 0 : 3,
    };
}
