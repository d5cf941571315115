using System.Globalization;
using System.Text;

namespace HvoLab.Experiments.Scenarios;

/// <summary>CPU set text: "others", a range list "1-3,8", or (in JSON) an array of integers.</summary>
public static class CpuSets
{
    public const string Others = "others";

    /// <summary>Parses "1-3,8" into ascending distinct CPUs; null with a reason when malformed.</summary>
    public static int[]? TryParseRanges(string text, out string? error)
    {
        error = null;
        var set = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var ends = part.Split('-', StringSplitOptions.TrimEntries);
            if (ends.Length is < 1 or > 2 || !ends.All(e => int.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                error = $"\"{part}\" is not a CPU number or range";
                return null;
            }
            int lo = int.Parse(ends[0], CultureInfo.InvariantCulture), hi = int.Parse(ends[^1], CultureInfo.InvariantCulture);
            if (hi < lo) { error = $"range \"{part}\" is backwards"; return null; }
            if (hi - lo > ScenarioDefaults.MaxCpus) { error = $"range \"{part}\" is larger than {ScenarioDefaults.MaxCpus} CPUs"; return null; }
            for (int c = lo; c <= hi; c++) set.Add(c);
        }
        return set.ToArray();
    }

    /// <summary>Compact text for ascending CPUs: [1,2,3,8] → "1-3,8".</summary>
    public static string Format(IReadOnlyList<int> cpus)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < cpus.Count;)
        {
            int j = i;
            while (j + 1 < cpus.Count && cpus[j + 1] == cpus[j] + 1) j++;
            if (sb.Length > 0) sb.Append(',');
            sb.Append(cpus[i].ToString(CultureInfo.InvariantCulture));
            if (j > i) sb.Append('-').Append(cpus[j].ToString(CultureInfo.InvariantCulture));
            i = j + 1;
        }
        return sb.ToString();
    }

    /// <summary>Workload entries on a machine of <paramref name="cpus"/> CPUs: each keeps the CPUs that still exist and
    /// is dropped when none is left; "others" stays.</summary>
    public static IReadOnlyList<WorkloadSpec> Clip(IReadOnlyList<WorkloadSpec> workload, int cpus) => workload
        .Select(w => w.CpusText == Others ? w : w with { CpusText = Format((TryParseRanges(w.CpusText, out _) ?? []).Where(c => c < cpus).ToArray()) })
        .Where(w => w.CpusText.Length > 0).ToArray();
}
