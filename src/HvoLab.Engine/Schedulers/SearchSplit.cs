namespace HvoLab.Engine.Schedulers;

/// <summary>
/// Names the subtrees of a split search (<see cref="ExplorationOptions.SplitDepth"/>): each is the list of choices
/// (indices into the enabled actions) at the split nodes above it, in the order a single search visits them. Found
/// by probes: partial executions that follow a prefix of pins and stop at the next split node. The probes depend
/// only on the model, so every worker and every shard derives the same list.
/// </summary>
public static class SearchSplit
{
    public static List<int[]> Subtrees(Func<IScheduler, Simulator> factory, ExplorationOptions options)
    {
        var result = new List<int[]>();
        Expand([]);
        return result;

        void Expand(int[] pins)
        {
            if (pins.Length >= options.SplitDepth) { result.Add(pins); return; }
            var probe = new DfsScheduler([], options, pins, probe: true);
            factory(probe).Run();
            if (probe.ProbeOrder is not { } order) { result.Add(pins); return; }   // no split node below: one subtree
            foreach (int choice in order) Expand([.. pins, choice]);
        }
    }
}
