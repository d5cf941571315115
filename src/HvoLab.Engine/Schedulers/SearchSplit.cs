using System.Diagnostics;

namespace HvoLab.Engine.Schedulers;

/// <summary>
/// Names the subtrees of a split search (<see cref="ExplorationOptions.SplitDepth"/>): each is the list of choices
/// (indices into the enabled actions) at the split nodes above it, in the order a single search visits them. Found
/// by probes: partial executions that follow a prefix of pins and stop at the next split node, one level of split
/// nodes at a time. A level that would make more than <see cref="ExplorationOptions.MaxSubtrees"/> subtrees is not
/// split (the split depth actually used is returned): with many CPUs the tree is wide, and probing it 8 levels deep
/// would cost more than the search. The probes depend only on the model, so every worker and every shard derives
/// the same list and the same depth.
/// </summary>
public static class SearchSplit
{
    private sealed class Prefix(int[] pins)
    {
        public int[] Pins = pins;
        public List<Prefix>? Children;
    }

    /// <returns>The subtrees in single-search order and the split depth used; null when the wall budget ran out or the search was cancelled.</returns>
    public static (List<int[]> Subtrees, int Depth)? Subtrees(Func<IScheduler, Simulator> factory, ExplorationOptions options, Stopwatch clock)
    {
        var root = new Prefix([]);
        var frontier = new List<Prefix> { root };
        int depth = 0, leaves = 1;
        while (depth < options.SplitDepth && frontier.Count > 0)
        {
            var next = new List<Prefix>();
            int expanded = 0;
            var probeOptions = options with { SplitDepth = depth + 1 };
            foreach (var p in frontier)
            {
                if (clock.Elapsed > options.WallBudget || options.Cancel.IsCancellationRequested) return null;
                var probe = new DfsScheduler([], probeOptions, p.Pins, probe: true);
                factory(probe).Run();
                if (probe.ProbeOrder is not { } order) continue;   // no split node below: one subtree
                p.Children = [.. order.Select(c => new Prefix([.. p.Pins, c]))];
                next.AddRange(p.Children);
                expanded++;
            }
            if (leaves - expanded + next.Count > options.MaxSubtrees)
            {
                foreach (var p in frontier) p.Children = null;   // too wide: stop splitting above this level
                break;
            }
            leaves += next.Count - expanded;
            frontier = next;
            depth++;
        }
        var result = new List<int[]>();
        Flatten(root);
        return (result, depth);

        void Flatten(Prefix p)
        {
            if (p.Children is null) { result.Add(p.Pins); return; }
            foreach (var c in p.Children) Flatten(c);
        }
    }
}
