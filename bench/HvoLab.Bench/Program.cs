using BenchmarkDotNet.Running;

namespace HvoLab.Bench;

public static class Program
{
    // The skeleton had no entry point, which broke "dotnet build HvoLab.sln"; the switcher lets later benchmarks
    // be added as classes without touching this file.
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
