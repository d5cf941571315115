namespace HvoLab.Engine.Schedulers;

/// <summary>
/// Splitting the search tree into subtrees that can be searched independently (<see cref="SearchSplit"/>). The
/// first <see cref="ExplorationOptions.SplitDepth"/> nodes of an execution that have two or more candidates (enabled,
/// not asleep) are <i>split nodes</i>: they try every candidate, in a fixed order, instead of only those a race asks
/// for. So which branches a split node has no longer depends on what the executions below it found, and each
/// branch — a subtree, named by its choices at the split nodes above it (its pins) — can be searched on its own
/// with the same sleep sets a single search gives it: a pinned node marks the siblings before it as done.
/// </summary>
public sealed partial class DfsScheduler
{
    private readonly int[] _pins = [];
    private readonly bool _probe;
    private int _splitSeen;

    /// <summary>Set when a probe stops at a split node: its candidates in the order a single search tries them.</summary>
    public int[]? ProbeOrder { get; private set; }

    private bool IsSplitNode(Node node)
    {
        if (_splitSeen >= _opt.SplitDepth || node.Forced is not null) return false;
        int candidates = 0;
        foreach (int a in node.Enabled) if (!node.IsSleeping(a) && ++candidates >= 2) return true;
        return false;
    }

    /// <summary>Makes <paramref name="node"/> a fully branched split node; pins it when this subtree fixes its
    /// choice. Returns the index to run, or -1 when a probe stops here.</summary>
    private int Split(Node node, int first)
    {
        node.SplitOrdinal = _splitSeen++;
        node.AddAllToBacktrack();
        var order = node.CandidateOrder(first);
        if (node.SplitOrdinal >= _pins.Length)
        {
            if (!_probe) return first;
            ProbeOrder = order;
            return -1;
        }
        int pin = _pins[node.SplitOrdinal];
        int at = Array.IndexOf(order, pin);
        if (at < 0)
            throw new InvalidOperationException($"search split: choice {pin} at split node {node.SplitOrdinal} is not a candidate here (the model or scenario differs from the one the subtree was named in)");
        // A single search would have explored the siblings before this one already: they are done (and asleep below
        // where independent), exactly as there.
        for (int k = 0; k < at; k++) node.Done.Add(node.Enabled[order[k]]);
        node.Pinned = true;
        return pin;
    }
}
