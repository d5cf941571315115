using System.CommandLine;

namespace HvoLab.Cli.Commands;

/// <summary>Commands that run strategies on a scenario in timed mode: compare, trace, strategies
/// (check and replay live in <see cref="CheckCommands"/>).</summary>
public static class RunCommands
{
    public static IEnumerable<Command> Build(CliContext cli)
    {
        yield return CompareCommand.Build(cli);
        yield return TraceCommands.Trace(cli);
        yield return TraceCommands.Strategies(cli);
    }
}
