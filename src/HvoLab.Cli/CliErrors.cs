using System.Text.Json;
using HvoLab.Experiments.Scenarios;

namespace HvoLab.Cli;

/// <summary>
/// Turns exceptions into exit codes. A user's mistake prints exactly one line "hvolab: error: …" and exits 2;
/// anything else is a bug in HvoLab, reported on one line as internal (exit 1) — the stack trace is shown only
/// with HVOLAB_DEBUG=1 so users are not handed one for a typo.
/// </summary>
public static class CliErrors
{
    public static int Guard(CliContext cli, Func<int> body)
    {
        try { return body(); }
        catch (Exception e) when (IsUserError(e)) { return cli.Fail(e.Message); }
        catch (OperationCanceledException) when (cli.Cancel.IsCancellationRequested)
        {
            cli.Err.WriteLine("hvolab: interrupted; files written so far are complete (a sweep continues with --resume)");
            return CliContext.Interrupted;
        }
        catch (Exception e)
        {
            cli.Err.WriteLine($"hvolab: internal error: {OneLine(e.GetType().Name + ": " + e.Message)}");
            if (Environment.GetEnvironmentVariable("HVOLAB_DEBUG") == "1") cli.Err.WriteLine(e);
            return CliContext.InternalError;
        }
    }

    /// <remarks>ArgumentOutOfRangeException and ArgumentNullException are bugs (an index past a list, a missing value),
    /// not user input: "compare" once printed "Index was out of range" as if the user had made a mistake.</remarks>
    public static bool IsUserError(Exception e) => e is ArgumentOutOfRangeException or ArgumentNullException ? false
        : e is ScenarioException or HvoLab.Engine.Host.HostFileException or ArgumentException or FormatException
        or FileNotFoundException or DirectoryNotFoundException or JsonException or InvalidDataException or UnauthorizedAccessException
        || (e is IOException && e.GetType() == typeof(IOException));

    public static string OneLine(string message) => string.Join(' ', message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
