namespace HvoLab.Engine.Schedulers;

/// <summary>
/// A part of a running subtree search given to an idle worker (work sharing; <see cref="WorkSharing"/>): the
/// siblings left at the shallowest node of the giver's stack whose backtrack set is complete. Such a node has every
/// action it can try in its backtrack set, so no race can add one and its siblings are tried in a fixed order; the
/// part takes the last one. Searched below a copy of the giver's nodes (pinned, the sibling's predecessors marked
/// done), it explores exactly the executions a single search explores there: what a search below a node reads of the
/// nodes above it — actions, footprints, sleep sets, clocks, the predecessors done at the branching node — is the
/// same. What it changes above it — backtrack points its races add — is merged into the giver's nodes before the
/// giver backtracks above the branching node, which is where a single search would next read them. So the execution
/// count, the verdict and the order of violations are those of a single search, however the parts are cut.
/// </summary>
internal sealed class SearchPart
{
    private SearchPart(int index, List<DfsScheduler.Node> prefix) { Index = index; Prefix = prefix; }

    /// <summary>The subtree (in single-search order) the part belongs to.</summary>
    public int Index { get; }
    /// <summary>Copies of the giver's nodes down to the branching node, all pinned; the part's races add backtrack
    /// points to them, merged back into the giver's nodes.</summary>
    public List<DfsScheduler.Node> Prefix { get; }
    public int Depth => Prefix.Count - 1;
    /// <summary>Set when the giver stopped before needing the part (a violation earlier in search order, a budget).</summary>
    public volatile bool Cancelled;
    /// <summary>Set when another worker took the part; a part nobody took is searched by its giver.</summary>
    public volatile bool Taken;
    private volatile SubtreeSearch.Outcome? _result;
    public SubtreeSearch.Outcome? Result => _result;
    public void Finish(SubtreeSearch.Outcome outcome) => _result = outcome;

    /// <summary>Cuts a part off <paramref name="stack"/> (the giver's, between two executions): the last untried
    /// sibling at the shallowest unpinned node with a complete backtrack set; null when there is none.</summary>
    public static SearchPart? CutFrom(List<DfsScheduler.Node> stack, int index)
    {
        for (int d = 0; d < stack.Count; d++)
        {
            var node = stack[d];
            if (node.Pinned || node.Forced is not null || !node.FullyBranched()) continue;
            int give = -1;
            for (int i = node.Enabled.Length - 1; i >= 0 && give < 0; i--)
                if (i != node.Chosen && IsLeft(node, i)) give = i;
            if (give < 0) continue;
            // Tried before it in a single search: the done ones, the current one and every other one still left
            // (those have lower indices); not the ones given away before (higher indices, tried after it).
            var before = new List<int>(node.Done);
            for (int i = 0; i < node.Enabled.Length; i++)
                if (i != give && !node.Done.Contains(node.Enabled[i]) && (i == node.Chosen || IsLeft(node, i))) before.Add(node.Enabled[i]);
            (node.GivenAway ??= []).Add(node.Enabled[give]);
            var prefix = new List<DfsScheduler.Node>(d + 1);
            for (int j = 0; j < d; j++) prefix.Add(stack[j].CopyPinned(stack[j].Chosen, stack[j].Done));
            prefix.Add(node.CopyPinned(give, before));
            return new SearchPart(index, prefix);
        }
        return null;
    }

    /// <summary>An untried sibling: not done, not asleep, not given away. A fully branched node tries what is left after
    /// its current choice by index, so the highest index left is the one a single search tries last.</summary>
    private static bool IsLeft(DfsScheduler.Node node, int i)
    {
        int a = node.Enabled[i];
        return !node.Done.Contains(a) && !node.IsSleeping(a) && node.GivenAway?.Contains(a) != true;
    }

    /// <summary>Adds the backtrack points the part's races found to the giver's nodes above the branching node.</summary>
    public void MergeInto(List<DfsScheduler.Node> stack)
    {
        for (int j = 0; j < Depth; j++) stack[j].Backtrack.UnionWith(Prefix[j].Backtrack);
    }
}
