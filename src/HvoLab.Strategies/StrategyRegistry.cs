using System.Reflection;

namespace HvoLab.Strategies;

/// <summary>
/// Every strategy by name, found by reflection: the <see cref="Strategy"/> subclasses of this assembly (the built-in
/// ones) plus those of assemblies added with <see cref="Add"/> (a compiled --strategy-file). Names are matched
/// case-insensitively and must be unique. This is the only list of strategy names.
/// </summary>
public static class StrategyRegistry
{
    private static readonly object Gate = new();
    private static Strategy[] _all = Discover(typeof(Strategy).Assembly);

    /// <summary>The built-in strategies, in <see cref="Strategy.Order"/>: the default "strategies" of a scenario.</summary>
    public static IReadOnlyList<Strategy> BuiltIn { get; } = _all;

    /// <summary>Built-in and added strategies (one prototype instance each, with default options).</summary>
    public static IReadOnlyList<Strategy> All => Volatile.Read(ref _all);

    public static IReadOnlyList<string> Names => All.Select(s => s.Name).ToArray();

    /// <summary>The names for an error message: "off", "unsafe", ...</summary>
    public static string AllowedText => string.Join(", ", All.Select(s => $"\"{s.Name}\""));

    public static bool TryGet(string? name, out Strategy strategy)
    {
        strategy = All.FirstOrDefault(s => string.Equals(s.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase))!;
        return strategy is not null;
    }

    public static Strategy Get(string name) => TryGet(name, out var s) ? s
        : throw new ArgumentException($"strategy \"{name}\" is unknown; use one of {AllowedText}");

    /// <summary>Adds the strategies defined in <paramref name="assembly"/>; returns them. A name already taken by a
    /// different type is an error; adding the same types again is a no-op.</summary>
    public static IReadOnlyList<Strategy> Add(Assembly assembly)
    {
        var found = Discover(assembly);
        if (found.Length == 0) throw new ArgumentException($"{assembly.GetName().Name}: no public non-abstract class derived from HvoLab.Strategies.Strategy with a public parameterless constructor");
        lock (Gate)
        {
            var all = _all.ToList();
            var added = new List<Strategy>();
            foreach (var s in found)
            {
                var same = all.FirstOrDefault(x => string.Equals(x.Name, s.Name, StringComparison.OrdinalIgnoreCase));
                if (same is not null && same.GetType().FullName == s.GetType().FullName && same.GetType().Assembly.FullName == s.GetType().Assembly.FullName) { added.Add(same); continue; }
                if (same is not null) throw new ArgumentException($"strategy name \"{s.Name}\" ({s.GetType().FullName}) is already taken by {same.GetType().FullName}; choose another Name");
                all.Add(s);
                added.Add(s);
            }
            Volatile.Write(ref _all, all.ToArray());
            return added;
        }
    }

    private static Strategy[] Discover(Assembly assembly)
    {
        var list = assembly.GetTypes()
            .Where(t => t.IsPublic && t.IsClass && !t.IsAbstract && typeof(Strategy).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (Strategy)Activator.CreateInstance(t)!)
            .OrderBy(s => s.Order).ThenBy(s => s.Name, StringComparer.Ordinal).ToArray();
        foreach (var s in list)
        {
            if (string.IsNullOrWhiteSpace(s.Name) || s.Name.Any(ch => ch is ':' or ',' or ' ' or '"'))
                throw new ArgumentException($"strategy {s.GetType().FullName}: Name \"{s.Name}\" is not allowed; use letters, digits, '-' or '_'");
            var dup = list.FirstOrDefault(x => x != s && string.Equals(x.Name, s.Name, StringComparison.OrdinalIgnoreCase));
            if (dup is not null) throw new ArgumentException($"strategies {s.GetType().FullName} and {dup.GetType().FullName} share the name \"{s.Name}\"");
        }
        return list;
    }
}
