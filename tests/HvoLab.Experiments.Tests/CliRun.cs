using HvoLab.Cli;

namespace HvoLab.Experiments.Tests;

/// <summary>Runs the hvolab CLI in-process with captured output, as every CLI-level test does.</summary>
internal static class CliRun
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Program.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }
}
