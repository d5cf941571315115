using HvoLab.Experiments.Comparison;
using HvoLab.Experiments.IO;
using HvoLab.Experiments.Running;

namespace HvoLab.Experiments.Sweeps;

public sealed record SweepOptions
{
    public bool Resume { get; init; }
    /// <summary>Run only points with index % Count == Index.</summary>
    public (int Index, int Count) Shard { get; init; } = (0, 1);
    public int Parallel { get; init; } = Environment.ProcessorCount;
    public Action<int, int>? Progress { get; init; }
    /// <summary>Stops starting new runs; rows already appended stay, the in-flight ones are dropped, and the call
    /// throws OperationCanceledException. The file is then a prefix that --resume completes.</summary>
    public CancellationToken Cancel { get; init; }
}

public sealed record SweepSummary(int Points, int Rows, int Skipped, int Written);

/// <summary>
/// Runs a sweep into a JSON Lines file. Jobs run on a thread pool but rows are appended strictly in key order
/// (a finished job waits for its predecessors), each flushed before the next, so the file is always a prefix of the
/// full run: killing it loses only unflushed work, and --resume (skip rows whose key is present) continues it into
/// exactly the file an uninterrupted run writes.
/// </summary>
public static class SweepRunner
{
    private sealed record Job(string Key, SweepPoint Point, StrategyVariant Variant, int SeedIndex, string? Refusal);

    public static SweepSummary Run(SweepGrid grid, string outPath, SweepOptions options)
    {
        var points = grid.Points.Where(p => p.Index % options.Shard.Count == options.Shard.Index).ToArray();
        var all = new List<Job>();
        foreach (var p in points)
            for (int si = 0; si < grid.Strategies.Count; si++)
            {
                var v = StrategyVariant.Parse(p.Scenario, grid.Strategies[si]);
                var refusal = v.RefusalOn(p.Scenario);   // asked before anything runs
                for (int k = 0; k < p.Scenario.Scheduler.Seeds; k++)
                    all.Add(new Job(SweepRow.MakeKey(p, si, v.Label, k), p, v, k, refusal));
            }

        var kind = HvoLab.Engine.Host.HostFile.KindOf(outPath);
        if (kind is not (HvoLab.Engine.Host.HostFileKind.Missing or HvoLab.Engine.Host.HostFileKind.Regular))
            throw new HvoLab.Engine.Host.HostFileException($"--out: \"{outPath}\" {HvoLab.Engine.Host.HostFile.Describe(kind)}; a sweep appends to and resumes a regular file");
        try { if (!options.Resume && File.Exists(outPath)) File.Delete(outPath); }
        catch (Exception e) when (HvoLab.Engine.Host.HostFile.IsIo(e)) { throw HvoLab.Engine.Host.HostFile.Wrap("--out", outPath, "cannot replace", e); }
        var done = options.Resume && File.Exists(outPath) ? KeysOfSameSweep(outPath, grid.Id) : [];
        var todo = all.Where(j => !done.Contains(j.Key)).ToArray();

        using var appender = new JsonlAppender(outPath);
        var results = new SweepRow?[todo.Length];
        int next = 0, finished = 0;
        var gate = new object();
        System.Threading.Tasks.Parallel.For(0, todo.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallel), CancellationToken = options.Cancel }, i =>
        {
            var j = todo[i];
            ulong seed = j.Point.Scenario.Seed + (ulong)j.SeedIndex;
            results[i] = j.Refusal is { } reason
                ? SweepRow.Refused(j.Key, grid.Id, j.Point, j.Variant.Label, seed, reason)
                : SweepRow.From(j.Key, grid.Id, j.Point, j.Variant.Label, seed,
                    TimedRunner.RunOne(j.Point.Scenario, j.Variant.Strategy, seed, false, out _, j.Variant.Options));
            lock (gate)
            {
                while (next < results.Length && results[next] is { } row)
                {
                    appender.Append(row);
                    results[next++] = null;   // written: let it be collected
                }
                options.Progress?.Invoke(++finished, todo.Length);
            }
        });
        return new SweepSummary(points.Length, all.Count, all.Count - todo.Length, todo.Length);
    }

    /// <summary>Keys already in <paramref name="path"/>; a row of another sweep (the scenario file or the --param values
    /// changed since the file was written) stops the resume instead of mixing two sweeps in one file.</summary>
    private static HashSet<string> KeysOfSameSweep(string path, string id)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in JsonlReader.ReadRows(path, "--out"))
        {
            var sweep = row.TryGetProperty("sweep", out var s) ? s.GetString() : null;
            if (sweep != id)
                throw new InvalidDataException($"--resume: \"{path}\" holds rows of another sweep (sweep {sweep ?? "not recorded"}, this one is {id}): " +
                    "the scenario or the --param values changed since it was written; resume with the same ones, or use another --out");
            keys.Add(row.GetProperty("key").GetString() ?? "");
        }
        return keys;
    }
}
