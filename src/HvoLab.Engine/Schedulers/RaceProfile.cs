using System.Collections.Concurrent;

namespace HvoLab.Engine.Schedulers;

/// <summary>
/// A debug profile of the race walk (<c>HVOLAB_RACE_PROFILE=1</c>, off otherwise: one static read per decision): for
/// each kind of backtrack decision and pair of footprints (the earlier step's, the racing action's), how often it was
/// made and how many backtrack points it added; printed to stderr, largest first, when the process exits.
/// <c>HVOLAB_RACE_DUMP=text</c> also prints the steps around the first three decisions whose line contains the text.
/// Used to find what a search that does not complete spends its executions on (docs/performance.md, session 7).
/// </summary>
internal static class RaceProfile
{
    public static readonly bool On = Environment.GetEnvironmentVariable("HVOLAB_RACE_PROFILE") == "1";
    private static readonly string? DumpKey = Environment.GetEnvironmentVariable("HVOLAB_RACE_DUMP");
    private static readonly ConcurrentDictionary<string, long[]> Counts = new();
    private static int _dumps;

    static RaceProfile()
    {
        if (On) AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            Console.Error.WriteLine("     added  decisions  decision | earlier step vs racing action");
            foreach (var kv in Counts.OrderByDescending(k => k.Value[1]).Take(60))
                Console.Error.WriteLine($"{kv.Value[1],10} {kv.Value[0],10}  {kv.Key}");
        };
    }

    /// <summary>cCPU kKIND:footprint@address (W: a wait, B: a blind add).</summary>
    private static string Describe(int action, in Footprint f) =>
        $"c{Actions.Cpu(action)}k{Actions.Kind(action)}:{f.Kind}@{f.Addr:x}{(f.IsWait ? "W" : "")}{(f.Blind ? "B" : "")}";

    public static void Count(string decision, DfsScheduler.Node at, int action, in Footprint fp, int backtrackBefore)
    {
        var key = $"{decision} | {Describe(at.Enabled[at.Chosen], at.Ops[at.Chosen])} vs {Describe(action, fp)}";
        var c = Counts.GetOrAdd(key, _ => new long[2]);
        Interlocked.Increment(ref c[0]);
        Interlocked.Add(ref c[1], at.Backtrack.Count - backtrackBefore);
    }

    /// <summary>A race whose partner could not run at step <paramref name="j"/>.</summary>
    public static void Fallback(List<DfsScheduler.Node> stack, int j, int depth, int action, in Footprint fp, bool initial, bool interrupted, int backtrackBefore)
    {
        var prev = stack[j];
        string decision = (initial ? "one initial" : "every enabled") + (interrupted ? ", interrupt taken since"
            : Array.IndexOf(prev.Waiting, Actions.Cpu(action)) >= 0 ? ", partner parked" : prev.IsSleeping(action) ? ", partner asleep" : ", partner not enabled");
        Count(decision, prev, action, fp, backtrackBefore);
        string key = $"{decision} | {Describe(prev.Enabled[prev.Chosen], prev.Ops[prev.Chosen])} vs {Describe(action, fp)}";
        if (DumpKey is null || !key.Contains(DumpKey, StringComparison.Ordinal) || Interlocked.Increment(ref _dumps) > 3) return;
        Console.Error.WriteLine($"=== {key} at step {j} of {depth}");
        for (int i = Math.Max(0, j - 40); i < depth; i++)
        {
            var n = stack[i];
            Console.Error.WriteLine($"{(i == j ? ">>" : "  ")}{i,4} {Describe(n.Enabled[n.Chosen], n.Ops[n.Chosen])}  enabled=[{string.Join(",", n.Enabled.Select(a => $"c{Actions.Cpu(a)}k{Actions.Kind(a)}"))}] waiting=[{string.Join(",", n.Waiting)}]");
        }
    }
}
