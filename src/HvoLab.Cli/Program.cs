using System.CommandLine;
using HvoLab.Cli.Commands;

namespace HvoLab.Cli;

public static class Program
{
    /// <summary>The first Ctrl-C (or SIGTERM) asks the running command to stop cleanly (exit 130, complete files
    /// only); a second Ctrl-C ends the process at once.</summary>
    public static int Main(string[] args)
    {
        using var cts = new CancellationTokenSource();
        var stop = new CliContext.StopState();
        Console.CancelKeyPress += (_, e) =>
        {
            // Second Ctrl-C, or a command that does not watch the token: default handling ends the process.
            if (cts.IsCancellationRequested || !stop.Observed) return;
            e.Cancel = true;
            cts.Cancel();
        };
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            if (!stop.Observed) return;
            c.Cancel = true;
            cts.Cancel();
        });
        return Run(args, Console.Out, Console.Error, cts.Token, stop);
    }

    /// <summary>The whole CLI, with its output captured: tests call this in-process. Exit codes: 0 success,
    /// 1 internal error, 2 user error (bad option, bad file, invalid scenario), 3 command not yet implemented;
    /// commands that find violations define their own codes.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancel = default, CliContext.StopState? stop = null)
    {
        var cli = new CliContext(stdout, stderr) { Cancel = cancel, Stop = stop ?? new CliContext.StopState(), Args = [.. args] };
        var root = BuildRoot(cli);
        if (args.Length == 0) args = ["--help"];
        // "hvolab help check" is "hvolab check --help"; "hvolab help" the top-level help.
        if (args[0] == "help") args = [.. args.Skip(1).TakeWhile(a => !a.StartsWith('-')), "--help"];
        // Parsing runs option validators, so it is guarded too: a validator that throws is an internal error, reported on one line.
        return CliErrors.Guard(cli, () =>
        {
            var result = root.Parse(args);
            if (result.Errors.Count > 0) return cli.Fail(DidYouMean(result) ?? result.Errors[0].Message);
            return result.Invoke(new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                // Exceptions reach CliErrors.Guard, which prints one line instead of a stack trace.
                EnableDefaultExceptionHandler = false,
            });
        });
    }

    /// <summary>"; did you mean …?" for the first token that matched nothing: a command name among the subcommands of
    /// the command reached so far, an option among its options.</summary>
    private static string? DidYouMean(ParseResult result)
    {
        var command = result.CommandResult.Command;
        foreach (var token in result.UnmatchedTokens)
        {
            bool option = token.StartsWith('-');
            var candidates = option
                ? command.Options.SelectMany(o => o.Aliases.Prepend(o.Name))
                : command.Subcommands.Select(c => c.Name);
            string hint = HvoLab.Experiments.Scenarios.Suggest.Hint(token, candidates);
            string where = command is RootCommand ? "hvolab" : "hvolab " + command.Name;
            if (hint.Length > 0 || (!option && command.Subcommands.Count > 0))
                return $"{where}: unknown {(option ? "option" : "command")} \"{token}\"{hint} (see hvolab help{(command is RootCommand ? "" : " " + command.Name)})";
        }
        return null;
    }

    public static RootCommand BuildRoot(CliContext cli)
    {
        var root = new RootCommand("HvoLab: simulate and model-check ways for arm64 Linux to rewrite live vmemmap entries (HVO).");
        root.Add(ScenarioCommands.Build(cli));
        foreach (var c in RunCommands.Build(cli)) root.Add(c);
        foreach (var c in CheckCommands.Build(cli)) root.Add(c);
        root.Add(BarriersCommand.Build(cli));
        foreach (var c in SweepCommands.Build(cli)) root.Add(c);
        foreach (var c in ToolCommands.Build(cli)) root.Add(c);
        root.Add(NewCommand.Build(cli));
        root.Add(CpuCommands.Cpus(cli));
        return root;
    }
}
