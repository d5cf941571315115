using System.Globalization;
using System.Text.Json;
using HvoLab.Experiments.Scenarios;

namespace HvoLab.Experiments.Savings;

/// <summary>JSON rendering of savings rows (the table is rendered by the CLI with Spectre.Console).</summary>
public static class SavingsReport
{
    public static string ToJson(IReadOnlyList<SavingsRow> rows)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var r in rows)
            {
                w.WriteStartObject();
                w.WriteString("granule", r.Granule.Name);
                w.WriteString("hugepage", Units.FormatSize(r.Hugepage));
                w.WriteNumber("vmemmap_pages", r.VmemmapPages);
                w.WriteNumber("freed_pages", r.FreedPages);
                w.WriteNumber("freed_bytes", r.FreedBytes);
                if (r.PoolFreedBytes is long p) w.WriteNumber("pool_freed_bytes", p);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>"0.25", "8", "4096": whole numbers without decimals.</summary>
    public static string Pages(double pages) => pages.ToString(pages == Math.Floor(pages) ? "0" : "0.####", CultureInfo.InvariantCulture);

    /// <summary>Bytes as the largest binary unit with up to two decimals ("28KiB", "1.37GiB").</summary>
    public static string Bytes(long bytes)
    {
        foreach (var (suffix, shift) in new[] { ("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10) })
            if (bytes >= 1L << shift)
                return (bytes / (double)(1L << shift)).ToString("0.##", CultureInfo.InvariantCulture) + suffix;
        return bytes.ToString(CultureInfo.InvariantCulture) + "B";
    }
}
