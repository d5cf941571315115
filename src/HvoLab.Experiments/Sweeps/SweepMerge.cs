using System.Text;
using HvoLab.Experiments.IO;

namespace HvoLab.Experiments.Sweeps;

/// <summary>Joins shard files: every complete row once (by key), sorted by key, i.e. in the order the unsharded run
/// writes them, byte for byte (rows are copied as written, not re-serialised). Torn last lines are ignored.</summary>
public static class SweepMerge
{
    public static int Merge(IReadOnlyList<string> inputs, string output)
    {
        var rows = new SortedDictionary<string, (string Text, string From)>(StringComparer.Ordinal);
        (string Id, string From)? sweep = null;
        foreach (var path in inputs)
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"sweep merge: \"{path}\" does not exist");
            foreach (var row in JsonlReader.ReadRows(path))
            {
                var key = row.TryGetProperty("key", out var k) ? k.GetString() : null;
                if (key is null) throw new InvalidDataException($"{path}: a row has no \"key\"; is it a sweep file?");
                var id = row.TryGetProperty("sweep", out var s) ? s.GetString() ?? "" : "";
                sweep ??= (id, path);
                if (id != sweep.Value.Id)
                    throw new InvalidDataException($"sweep merge: \"{path}\" holds rows of sweep {Shown(id)} but \"{sweep.Value.From}\" of sweep " +
                        $"{Shown(sweep.Value.Id)}; merge only shards of one sweep (same scenario and --param values)");
                var text = row.GetRawText();
                // A row seen twice (a shard merged again, a resumed file) is fine; the same key with other values is not.
                if (rows.TryGetValue(key, out var seen) && seen.Text != text)
                    throw new InvalidDataException($"sweep merge: conflicting rows for key \"{key}\" in \"{seen.From}\" and \"{path}\"; " +
                        "the shards disagree (different builds or edited files); re-run one of them");
                rows.TryAdd(key, (text, path));
            }
        }
        var sb = new StringBuilder();
        foreach (var (line, _) in rows.Values) sb.Append(line).Append('\n');
        AtomicFile.WriteAllText("--out", output, sb.ToString());
        return rows.Count;
    }

    private static string Shown(string id) => id.Length == 0 ? "(not recorded)" : id;
}
