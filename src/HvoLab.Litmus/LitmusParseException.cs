namespace HvoLab.Litmus;

/// <summary>Any syntax the front end does not understand. Always names the file and line so a failing
/// test in a large catalogue can be found without a debugger.</summary>
public sealed class LitmusParseException(string file, int line, string message)
    : Exception($"{file}:{line}: {message}")
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public string Reason { get; } = message;
}
