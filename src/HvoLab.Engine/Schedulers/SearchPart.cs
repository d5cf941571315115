namespace HvoLab.Engine.Schedulers;

/// <summary>
/// A part of a running subtree search given to an idle worker (work sharing; <see cref="WorkSharing"/>): one untried
/// sibling at a node of the giver's stack whose order of siblings up to it is fixed. A node tries its backtrack set by
/// index (<see cref="DfsScheduler.Node.NextCandidate"/>); when every enabled action with a lower index than an untried
/// sibling is in the backtrack set already (or asleep), no race can add one before it, so a single search tries
/// exactly the siblings below it first, then it, then whatever the races add above it. The part is searched below a
/// copy of the giver's nodes, pinned, with those predecessors marked done; what a search below a node reads of the
/// nodes above it — actions, footprints, sleep sets, clocks, the predecessors done at the branching node — is then
/// the same. What it changes there — backtrack points its races add, at the branching node too — is merged into the
/// giver's nodes before the giver tries any sibling after the part or backtracks above the node, which is where a
/// single search would next read them; from then on the part counts as done at the node (a later sibling's sleep set
/// holds it where independent). So the execution count, the verdict and the order of violations are those of a single
/// search, however the parts are cut.
/// </summary>
internal sealed class SearchPart
{
    private SearchPart(int index, List<DfsScheduler.Node> prefix, int given) { Index = index; Prefix = prefix; Given = given; }

    /// <summary>The subtree (in single-search order) the part belongs to.</summary>
    public int Index { get; }
    /// <summary>Copies of the giver's nodes down to the branching node, all pinned; the part's races add backtrack
    /// points to them, merged back into the giver's nodes.</summary>
    public List<DfsScheduler.Node> Prefix { get; }
    public int Depth => Prefix.Count - 1;
    /// <summary>Index (among the branching node's enabled actions) of the sibling given away.</summary>
    public int Given { get; }
    /// <summary>Set when the giver stopped before needing the part (a violation earlier in search order, a budget).</summary>
    public volatile bool Cancelled;
    /// <summary>Set when another worker took the part; a part nobody took is searched by its giver.</summary>
    public volatile bool Taken;
    private volatile SubtreeSearch.Outcome? _result;
    public SubtreeSearch.Outcome? Result => _result;
    public void Finish(SubtreeSearch.Outcome outcome) => _result = outcome;

    /// <summary>Cuts a part off <paramref name="stack"/> (the giver's, between two executions): at the shallowest
    /// unpinned node that has one, the highest untried sibling whose predecessors are fixed (<see cref="Fixed"/>);
    /// null when there is none. The shallowest node's siblings have the largest subtrees left.</summary>
    public static SearchPart? CutFrom(List<DfsScheduler.Node> stack, int index)
    {
        for (int d = 0; d < stack.Count; d++)
        {
            var node = stack[d];
            if (node.Pinned || node.Forced is not null) continue;
            int give = -1;
            for (int i = node.Enabled.Length - 1; i >= 0 && give < 0; i--)
                if (i != node.Chosen && IsLeft(node, i) && Fixed(node, i)) give = i;
            if (give < 0) continue;
            // Tried before it in a single search: the done ones, the current one, and every other candidate with a
            // lower index (left, or given away before); not the ones after it (tried after it, or given away).
            var before = new List<int>(node.Done);
            for (int i = 0; i < node.Enabled.Length; i++)
                if (i != give && !node.Done.Contains(node.Enabled[i]) && (i == node.Chosen || (i < give && !node.IsSleeping(node.Enabled[i])))) before.Add(node.Enabled[i]);
            (node.GivenAway ??= []).Add(node.Enabled[give]);
            var prefix = new List<DfsScheduler.Node>(d + 1);
            for (int j = 0; j < d; j++) prefix.Add(stack[j].CopyPinned(stack[j].Chosen, stack[j].Done));
            prefix.Add(node.CopyPinned(give, before));
            return new SearchPart(index, prefix, give);
        }
        return null;
    }

    /// <summary>Whether the siblings a single search tries before index <paramref name="i"/> are known now: every
    /// enabled action with a lower index is in the backtrack set (or asleep, never tried). A race may still add an
    /// action, but only one with a higher index, which the node tries after <paramref name="i"/>.</summary>
    private static bool Fixed(DfsScheduler.Node node, int i)
    {
        for (int j = 0; j < i; j++)
            if (!node.Backtrack.Contains(node.Enabled[j]) && !node.IsSleeping(node.Enabled[j])) return false;
        return true;
    }

    /// <summary>An untried sibling: in the backtrack set, not done, not asleep, not given away.</summary>
    private static bool IsLeft(DfsScheduler.Node node, int i)
    {
        int a = node.Enabled[i];
        return node.Backtrack.Contains(a) && !node.Done.Contains(a) && !node.IsSleeping(a) && node.GivenAway?.Contains(a) != true;
    }

    /// <summary>Adds the backtrack points the part's races found to the giver's nodes down to the branching node, and
    /// marks the sibling done there: it precedes every sibling the giver tries from now on.</summary>
    public void MergeInto(List<DfsScheduler.Node> stack)
    {
        for (int j = 0; j <= Depth; j++) stack[j].Backtrack.UnionWith(Prefix[j].Backtrack);
        var node = stack[Depth];
        int action = node.Enabled[Given];
        node.GivenAway!.Remove(action);
        node.Done.Add(action);
    }
}
