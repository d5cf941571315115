using System.Text;
using HvoLab.Experiments.IO;

namespace HvoLab.Experiments.Sweeps;

/// <summary>Joins shard files: every complete row once (by key), sorted by key, i.e. in the order the unsharded run
/// writes them, byte for byte (rows are copied as written, not re-serialised). Torn last lines are ignored.</summary>
public static class SweepMerge
{
    public static int Merge(IReadOnlyList<string> inputs, string output)
    {
        var rows = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in inputs)
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"sweep merge: \"{path}\" does not exist");
            foreach (var row in JsonlReader.ReadRows(path))
            {
                var key = row.TryGetProperty("key", out var k) ? k.GetString() : null;
                if (key is null) throw new InvalidDataException($"{path}: a row has no \"key\"; is it a sweep file?");
                rows.TryAdd(key, row.GetRawText());
            }
        }
        var sb = new StringBuilder();
        foreach (var line in rows.Values) sb.Append(line).Append('\n');
        AtomicFile.WriteAllText("--out", output, sb.ToString());
        return rows.Count;
    }
}
