namespace HvoLab.Cli;

/// <summary>Where a command writes. Passed to every command so tests can capture output without touching Console.</summary>
public sealed record CliContext(TextWriter Out, TextWriter Err)
{
    public const int Ok = 0, InternalError = 1, UserError = 2, NotImplemented = 3, Refused = 4, Interrupted = 130;

    /// <summary>Cancelled by Ctrl-C (SIGINT) or SIGTERM when run as a process; long commands stop between units of
    /// work and leave only complete files.</summary>
    public CancellationToken Cancel { get; init; }

    /// <summary>The arguments as given (after the program name), recorded in outputs as the command line: taken from
    /// the call, not from the process, so in-process runs (tests) record their own.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Set by a command that watches <see cref="Cancel"/>; for any other command Ctrl-C keeps its default
    /// meaning (end the process), since its only output files are written atomically anyway.</summary>
    public StopState Stop { get; init; } = new();

    public sealed class StopState
    {
        private volatile bool _observed;
        public bool Observed => _observed;
        public void Observe() => _observed = true;
    }

    /// <summary>Prints the one-line user error and returns the user-error exit code.</summary>
    public int Fail(string message)
    {
        Err.WriteLine($"hvolab: error: {CliErrors.OneLine(message)}");
        return UserError;
    }

    /// <summary>Prints why the kernel would not run the strategy and returns the refused exit code (4).</summary>
    public int Refuse(string strategy, string reason)
    {
        Err.WriteLine($"hvolab: refused: {strategy}: {CliErrors.OneLine(reason)}");
        return Refused;
    }

    public int NotYetImplemented(string command)
    {
        Err.WriteLine($"hvolab: {command}: not yet implemented");
        return NotImplemented;
    }
}
