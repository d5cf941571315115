namespace HvoLab.Cli;

/// <summary>Where a command writes. Passed to every command so tests can capture output without touching Console.</summary>
public sealed record CliContext(TextWriter Out, TextWriter Err)
{
    public const int Ok = 0, InternalError = 1, UserError = 2, NotImplemented = 3;

    /// <summary>Prints the one-line user error and returns the user-error exit code.</summary>
    public int Fail(string message)
    {
        Err.WriteLine($"hvolab: error: {CliErrors.OneLine(message)}");
        return UserError;
    }

    public int NotYetImplemented(string command)
    {
        Err.WriteLine($"hvolab: {command}: not yet implemented");
        return NotImplemented;
    }
}
