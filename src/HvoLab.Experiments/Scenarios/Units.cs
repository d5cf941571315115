using System.Globalization;

namespace HvoLab.Experiments.Scenarios;

/// <summary>
/// Text forms of sizes and durations, shared by the scenario loader and the CLI so that "2MiB" or "50us" means
/// the same everywhere. Size suffixes are binary (K = KiB): kernel and Arm documents write "2M" for 2 MiB, and a
/// decimal reading would never name a page size.
/// </summary>
public static class Units
{
    private static readonly (string Suffix, int Shift)[] SizeSuffixes =
    [
        ("tib", 40), ("tb", 40), ("t", 40), ("gib", 30), ("gb", 30), ("g", 30),
        ("mib", 20), ("mb", 20), ("m", 20), ("kib", 10), ("kb", 10), ("k", 10), ("b", 0), ("", 0),
    ];

    private static readonly (string Suffix, double Ns)[] DurationSuffixes =
    [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9),
    ];

    public const string SizeForms = "a size such as \"2MiB\", \"64KiB\", \"1GiB\", \"1TiB\" or a byte count";
    public const string DurationForms = "a duration such as \"50us\", \"2ms\", \"800ns\" or \"1s\"";

    /// <summary>Parses "2MiB", "2M", "2 MiB", "1TiB", "4096". False on anything else, on a fraction of a byte,
    /// or on overflow of 64 bits.</summary>
    public static bool TryParseSize(string? text, out ulong bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.Trim().ToLowerInvariant();
        foreach (var (suffix, shift) in SizeSuffixes)
        {
            if (!t.EndsWith(suffix, StringComparison.Ordinal)) continue;
            var number = t[..^suffix.Length].Trim();
            if (number.Length == 0) return false;
            if (ulong.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var whole))
            {
                if (shift > 0 && whole > ulong.MaxValue >> shift) return false;
                bytes = whole << shift;
                return true;
            }
            // "1.5GiB" is fine as long as it lands on a whole byte.
            if (!decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var frac)) return false;
            // Compared before multiplying: 99999999999999999999TiB overflows decimal too (issue #19, defect 4).
            if (frac > (decimal)(ulong.MaxValue >> shift) + 1) return false;
            var value = frac * (decimal)Math.Pow(2, shift);
            if (value != decimal.Truncate(value) || value > ulong.MaxValue) return false;
            bytes = (ulong)value;
            return true;
        }
        return false;
    }

    public static ulong ParseSize(string text, string what) => TryParseSize(text, out var b) ? b
        : throw new ArgumentException($"{what}: \"{text}\" is not allowed; use {SizeForms}");

    /// <summary>Shortest exact form: 2097152 → "2MiB", 1536 → "1536B".</summary>
    public static string FormatSize(ulong bytes)
    {
        if (bytes == 0) return "0B";
        foreach (var (suffix, shift) in new[] { ("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10) })
            if (bytes % (1UL << shift) == 0) return $"{bytes >> shift}{suffix}";
        return $"{bytes}B";
    }

    /// <summary>Parses "50us", "2ms", "800ns", "1s", or a bare number of ns. Result in ns.</summary>
    public static bool TryParseDuration(string? text, out double ns)
    {
        ns = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.Trim().ToLowerInvariant();
        foreach (var (suffix, scale) in DurationSuffixes)
        {
            if (!t.EndsWith(suffix, StringComparison.Ordinal)) continue;
            return TryNumber(t[..^suffix.Length], scale, out ns);
        }
        return TryNumber(t, 1, out ns);
    }

    private static bool TryNumber(string number, double scale, out double ns)
    {
        ns = 0;
        number = number.Trim();
        if (number.Length == 0 || !double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v)) return false;
        ns = v * scale;
        return double.IsFinite(ns);
    }

    public static double ParseDuration(string text, string what) => TryParseDuration(text, out var ns) ? ns
        : throw new ArgumentException($"{what}: \"{text}\" is not allowed; use {DurationForms}");

    public static string FormatDuration(double ns) => ns switch
    {
        >= 1e9 => $"{(ns / 1e9).ToString("0.###", CultureInfo.InvariantCulture)}s",
        >= 1e6 => $"{(ns / 1e6).ToString("0.###", CultureInfo.InvariantCulture)}ms",
        >= 1e3 => $"{(ns / 1e3).ToString("0.###", CultureInfo.InvariantCulture)}us",
        _ => $"{ns.ToString("0.###", CultureInfo.InvariantCulture)}ns",
    };
}
