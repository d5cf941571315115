using HvoLab.Strategies;
using System.Globalization;
using HvoLab.Arch;
using HvoLab.Experiments.Scenarios;

namespace HvoLab.Cli;

/// <summary>
/// Parsers for option values, shared by every command so "--hugepage 2MiB" or "--granule 16k" mean the same
/// everywhere. Each throws ArgumentException naming the option, the value and what is allowed; CliErrors turns
/// that into one line and exit 2.
/// </summary>
public static class CliValues
{
    public static ulong Size(string option, string text) => Units.ParseSize(text, option);

    /// <summary>Duration in ns: "50us", "2ms", "800ns". A bare number is refused: "50" could mean ns or µs, and a
    /// budget silently read as ns is a wrong answer, not an error.</summary>
    public static double Duration(string option, string text)
    {
        if (double.TryParse(text?.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            throw new ArgumentException($"{option}: \"{text}\" has no unit; write it with one, e.g. {text?.Trim()}us or {text?.Trim()}ms (ns, us, ms, s)");
        return Units.ParseDuration(text!, option);
    }

    /// <summary>"0,2" or "0-3" (CPU ids below <paramref name="cpus"/>).</summary>
    public static IReadOnlySet<int> CpuList(string option, string text, int cpus)
    {
        var set = new HashSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var ends = part.Split('-');
            if (ends.Length is 1 or 2 && int.TryParse(ends[0], NumberStyles.None, CultureInfo.InvariantCulture, out int a)
                && int.TryParse(ends[^1], NumberStyles.None, CultureInfo.InvariantCulture, out int b) && a <= b && b < cpus)
            {
                for (int c = a; c <= b; c++) set.Add(c);
                continue;
            }
            throw new ArgumentException($"{option}: \"{text}\" is not allowed; use CPU ids 0..{cpus - 1} as a list or ranges, e.g. 0,2 or 0-3");
        }
        return set.Count > 0 ? set : throw new ArgumentException($"{option}: \"{text}\" names no CPU; use e.g. 0,2 or 0-3");
    }

    public static Granule Granule(string option, string text) => Arch.Granule.TryParse(text, out var g) ? g
        : throw new ArgumentException($"{option}: \"{text}\" is not allowed; use 4k, 16k or 64k");

    public static string Strategy(string option, string text) => StrategyRegistry.TryGet(text, out var s) ? s.Name
        : throw new ArgumentException($"{option}: \"{text}\" is not allowed; use one of {StrategyRegistry.AllowedText}" + Suggest.Hint(text, StrategyRegistry.Names));

    public static int Positive(string option, int value) => value >= 1 ? value
        : throw new ArgumentException($"{option}: {value} is not allowed; use an integer >= 1");

    public static int NonNegative(string option, int value) => value >= 0 ? value
        : throw new ArgumentException($"{option}: {value} is not allowed; use an integer >= 0");

    public static string OneOf(string option, string text, IReadOnlyList<string> allowed) =>
        allowed.FirstOrDefault(a => string.Equals(a, text, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"{option}: \"{text}\" is not allowed; use {string.Join(", ", allowed)}" + Suggest.Hint(text, allowed));

    /// <summary>"--shard i/n" with 0 ≤ i &lt; n.</summary>
    public static (int Index, int Count) Shard(string option, string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && i < n)
            return (i, n);
        throw new ArgumentException($"{option}: \"{text}\" is not allowed; use i/n with 0 <= i < n, e.g. 0/4");
    }

    /// <summary>"NAME=V1,V2,..." for sweeps and "FIELD=VALUE" for pte encode.</summary>
    public static (string Name, string[] Values) Assignment(string option, string text)
    {
        int eq = text.IndexOf('=');
        if (eq <= 0 || eq == text.Length - 1)
            throw new ArgumentException($"{option}: \"{text}\" is not allowed; use NAME=VALUE or NAME=V1,V2,...");
        return (text[..eq].Trim(), text[(eq + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
    }
}
