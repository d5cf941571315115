using System.CommandLine;
using HvoLab.Cli.Commands;

namespace HvoLab.Cli;

public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>The whole CLI, with its output captured: tests call this in-process. Exit codes: 0 success,
    /// 1 internal error, 2 user error (bad option, bad file, invalid scenario), 3 command not yet implemented;
    /// commands that find violations define their own codes.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cli = new CliContext(stdout, stderr);
        var root = BuildRoot(cli);
        if (args.Length == 0) args = ["--help"];
        // Parsing runs option validators, so it is guarded too: a validator that throws is an internal error, reported on one line.
        return CliErrors.Guard(cli, () =>
        {
            var result = root.Parse(args);
            if (result.Errors.Count > 0) return cli.Fail(result.Errors[0].Message);
            return result.Invoke(new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                // Exceptions reach CliErrors.Guard, which prints one line instead of a stack trace.
                EnableDefaultExceptionHandler = false,
            });
        });
    }

    public static RootCommand BuildRoot(CliContext cli)
    {
        var root = new RootCommand("HvoLab: simulate and model-check ways for arm64 Linux to rewrite live vmemmap entries (HVO).");
        root.Add(ScenarioCommands.Build(cli));
        foreach (var c in RunCommands.Build(cli)) root.Add(c);
        foreach (var c in CheckCommands.Build(cli)) root.Add(c);
        foreach (var c in SweepCommands.Build(cli)) root.Add(c);
        foreach (var c in ToolCommands.Build(cli)) root.Add(c);
        return root;
    }
}
