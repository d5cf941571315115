using System.Collections.Concurrent;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using HvoLab.Strategies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace HvoLab.Cli;

/// <summary>
/// --strategy-file PATH.cs: compiles one C# file at run time (Roslyn) against the HvoLab assemblies this process has
/// loaded and the runtime's trusted platform assemblies (so it works the same from a clone and from the installed
/// tool), loads it, and adds its strategies to <see cref="StrategyRegistry"/>. Compile errors are printed as a
/// compiler prints them, "file(line,col): error CSxxxx: message", and the command exits 2. The same file compiled
/// twice in one process is loaded once.
/// </summary>
public static class StrategyFiles
{
    private static readonly ConcurrentDictionary<string, Assembly> Loaded = new();

    /// <summary>Global usings every file gets, as an SDK project with ImplicitUsings has.</summary>
    private const string ImplicitUsings = "global using System; global using System.Collections.Generic; global using System.Linq; global using System.Threading.Tasks;";

    /// <summary>The strategies of the --strategy-file option's value, or none when it was not given.</summary>
    public static IReadOnlyList<string> LoadOption(CliContext cli, string? path) => path is null ? [] : Load(cli, path);

    /// <summary>The strategy a one-strategy command runs: --strategy, else the only one the file defines.</summary>
    public static string Choose(string? strategyOption, IReadOnlyList<string> fromFile, string? file)
    {
        if (strategyOption is not null) return CliValues.Strategy("--strategy", strategyOption);
        if (fromFile.Count == 1) return fromFile[0];
        throw new ArgumentException(fromFile.Count == 0 ? "--strategy: required (or give --strategy-file PATH.cs)"
            : $"--strategy: {file} defines {string.Join(", ", fromFile)}; choose one with --strategy");
    }

    /// <summary>Compiles and registers the file; returns the names of the strategies it defines.</summary>
    public static IReadOnlyList<string> Load(CliContext cli, string path)
    {
        if (!File.Exists(path)) throw new ArgumentException($"--strategy-file: \"{path}\" does not exist");
        var full = Path.GetFullPath(path);
        var text = File.ReadAllText(full);
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(full + "\n" + text)))[..16];
        var assembly = Loaded.GetOrAdd(hash, _ => Compile(cli, full, text, $"strategy-file-{Path.GetFileNameWithoutExtension(full)}-{hash}"));
        return StrategyRegistry.Add(assembly).Select(s => s.Name).ToArray();
    }

    private static Assembly Compile(CliContext cli, string path, string text, string assemblyName)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = new[]
        {
            CSharpSyntaxTree.ParseText(text, parse, path, Encoding.UTF8),
            CSharpSyntaxTree.ParseText(ImplicitUsings, parse),
        };
        var compilation = CSharpCompilation.Create(assemblyName, trees, References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable,
                optimizationLevel: OptimizationLevel.Release, deterministic: true));
        using var pe = new MemoryStream();
        var emit = compilation.Emit(pe);
        var errors = emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        if (!emit.Success)
        {
            foreach (var d in errors) cli.Err.WriteLine(d.ToString());
            throw new ArgumentException($"--strategy-file {path}: {errors.Length} compile error(s)");
        }
        return Assembly.Load(pe.ToArray());
    }

    /// <summary>The framework's trusted platform assemblies plus every HvoLab assembly loaded here (by path, once each).</summary>
    private static IReadOnlyList<MetadataReference> References()
    {
        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            paths.TryAdd(Path.GetFileName(p), p);
        foreach (var a in new[] { typeof(Strategy).Assembly, typeof(Kernel.Linux).Assembly, typeof(Engine.Simulator).Assembly, typeof(Arch.ArchMachine).Assembly })
            if (a.Location.Length > 0) paths[Path.GetFileName(a.Location)] = a.Location;
        return paths.Values.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
    }
}
