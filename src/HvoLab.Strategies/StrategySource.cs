namespace HvoLab.Strategies;

/// <summary>The C# source of the built-in strategies, embedded in this assembly (one file per strategy, named after
/// its type), so a copy can be made from the installed tool: `hvolab new strategy NAME --from D`.</summary>
public static class StrategySource
{
    /// <summary>The source file of <paramref name="strategy"/>, or null when it is not built in.</summary>
    public static string? Of(Strategy strategy)
    {
        var type = strategy.GetType();
        if (type.Assembly != typeof(Strategy).Assembly) return null;
        using var stream = type.Assembly.GetManifestResourceStream($"HvoLab.Strategies.Source.{type.Name}.cs");
        if (stream is null) return null;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>A copy of a built-in strategy's source as a new strategy: class <paramref name="className"/>, name
    /// <paramref name="name"/>, its own namespace (so its option types do not collide with the built-in ones).</summary>
    public static string Copy(Strategy from, string name, string className)
    {
        var text = Of(from) ?? throw new ArgumentException($"--from: \"{from.Name}\" is not a built-in strategy");
        var type = from.GetType().Name;
        text = text.Replace("namespace HvoLab.Strategies;", "using HvoLab.Strategies;\n\nnamespace MyStrategies;")
            .Replace($"class {type} ", $"class {className} ")
            .Replace($"public override string Name => \"{from.Name}\";", $"public override string Name => \"{name}\";");
        if (from is OffStrategy) text = text.Replace("public override string Name => Id;", $"public override string Name => \"{name}\";");
        return $"// {name}: a copy of HvoLab's built-in strategy \"{from.Name}\" ({type}.cs). Edit it, then:\n" +
               $"//   hvolab check   --strategy-file {name}.cs\n//   hvolab compare --strategy-file {name}.cs\n" +
               "// The API and the steps from an idea to a verdict: docs/writing-a-strategy.md.\n" + text;
    }
}
