namespace HvoLab.Engine.Schedulers;

/// <summary>
/// Race reversal under the Arm data model. A race whose later process could not run at the earlier node falls back,
/// in Flanagan &amp; Godefroid's stateless algorithm, to trying every enabled action there; buffered stores add such
/// nodes (a CPU blocked until its drain, a drain not offered yet). Where the reason is the store buffer, the node tries
/// one member of the paper's set E (POPL 2005, Fig. 3: a process enabled there with a later action that happens
/// before the racing one) instead. Off, and the search unchanged, when the run has no store buffers.
/// </summary>
internal static class DrainRaces
{
    /// <summary>Adds a member of E to <paramref name="prev"/>'s backtrack set where the racing process could not run
    /// there for a reason of the store buffer; false otherwise (then every enabled action is tried).</summary>
    internal static bool TryAddSetE(DfsScheduler.Node prev, int action, in Footprint fp, int proc)
    {
        int cpu = Actions.Cpu(action);
        int run = Actions.Make(cpu, Actions.RunOp), drain = Actions.Make(cpu, Actions.RunOpAlternative);
        // The CPU's code waited there for its own buffered stores: the drains that let it go on happen before its op.
        if (proc == run && Array.IndexOf(prev.BufferBlocked, cpu) >= 0 && DrainEnabled(prev, drain)) { prev.AddBacktrack(drain); return true; }
        // A drain not offered there waits for its CPU's code (the store it makes visible, or the ChooseOne or passing
        // store that held it back, happens before it).
        if (fp.Drain && prev.IsEnabled(run)) { prev.AddBacktrack(run); return true; }
        return false;
    }

    /// <summary>The CPU's own code ran at <paramref name="prev"/> while the drain was not offered there: it enabled the
    /// drain (the store it makes visible) or held it back (a ChooseOne, a passing store), so it happens before the drain
    /// and is no race. Walking on finds the races with other CPUs behind it; stopping there (as at a race) hid them.</summary>
    internal static bool RanBeforeItsDrain(DfsScheduler.Node prev, int prevAction, int drain) =>
        Actions.Cpu(prevAction) == Actions.Cpu(drain) && Actions.Kind(prevAction) == Actions.RunOp && !DrainEnabled(prev, drain);

    /// <summary>Whether the drain, its store already issued, was held back at <paramref name="prev"/>: its CPU's code ran
    /// there (the op or its second action, not the drain) while the drain was not offered, because the pending op could
    /// pass the buffered stores or was a ChooseOne. The code step that made that op pending disabled the drain — the two
    /// do not commute even when their footprints do (DrainCommutes): the drain was enabled before that step and not after
    /// it (Flanagan &amp; Godefroid count disabling as dependence). Without <see cref="DrainBeforeItsHolder"/> the
    /// executions in which the drain came first were lost: its race walk passed over the holder
    /// (<see cref="RanBeforeItsDrain"/>) and the step before it (independent), so e.g. a store by VA drained before its
    /// CPU's load by VA — the buffer empty, so the load's walk may see another CPU's pending descriptor stores — was never
    /// explored when a global store followed the load.</summary>
    internal static bool HeldBackAt(DfsScheduler.Node prev, int drain) =>
        RanOwnCode(prev, Actions.Cpu(drain)) && !DrainEnabled(prev, drain);

    /// <summary>Tries the drain held back at node <paramref name="held"/> (<see cref="HeldBackAt"/>) first at the latest
    /// own code step before it, after its store's issue at <paramref name="issuedAt"/>, where it was enabled.</summary>
    internal static void DrainBeforeItsHolder(List<DfsScheduler.Node> stack, int held, int issuedAt, int drain)
    {
        int cpu = Actions.Cpu(drain);
        for (int k = held - 1; k > issuedAt && k >= 0; k--)
        {
            var node = stack[k];
            if (RanOwnCode(node, cpu) && DrainEnabled(node, drain)) { node.AddBacktrack(drain); return; }
        }
    }

    /// <summary>Whether <paramref name="action"/>'s DPOR process (<see cref="Footprint.Drain"/>: its CPU's memory
    /// system, else its CPU's code) can take that action at <paramref name="prev"/>. One action id, the CPU's second
    /// action, is a drain at one node and the CPU's code at another (a store passing the buffered ones, a walk of the
    /// newest descriptors, a ChooseOne's other outcome, a load of an older value): where a store could pass, its drain
    /// was held back, and taking the pass for the drain there both stopped the drain's race walk at the passing store
    /// (hiding the races behind it) and tried the pass instead of the drain (issue #20's fault-entry differential).</summary>
    internal static bool EnabledAsItsProcess(DfsScheduler.Node prev, int action, in Footprint fp) =>
        EnabledAs(prev.Enabled, prev.Ops, action, fp.Drain);

    /// <summary>Among <paramref name="enabled"/> (footprints <paramref name="ops"/>), <paramref name="action"/> is enabled
    /// as a drain (<paramref name="drain"/>) or as its CPU's code: the one test behind every "enabled here" of a drain
    /// or a CPU's second action (race walks, set E, sleep sets inherited by a child).</summary>
    internal static bool EnabledAs(ReadOnlySpan<int> enabled, Footprint[] ops, int action, bool drain)
    {
        int i = enabled.IndexOf(action);
        return i >= 0 && ops[i].Drain == drain;
    }

    /// <summary>The CPU's drain (not its code's second action, which has the same id) is enabled at <paramref name="prev"/>.</summary>
    private static bool DrainEnabled(DfsScheduler.Node prev, int drain) => EnabledAs(prev.Enabled, prev.Ops, drain, drain: true);

    /// <summary>At <paramref name="node"/> CPU <paramref name="cpu"/>'s code ran (its op or its code's second action),
    /// not its drain.</summary>
    private static bool RanOwnCode(DfsScheduler.Node node, int cpu)
    {
        int chosen = node.Enabled[node.Chosen];
        return Actions.Cpu(chosen) == cpu && !node.Ops[node.Chosen].Drain && Actions.Kind(chosen) is Actions.RunOp or Actions.RunOpAlternative;
    }

    /// <summary>CPUs whose pending op waits for their own buffered stores (Arm data model; empty otherwise).</summary>
    internal static int[] BufferBlockedCpus(Simulator sim)
    {
        if (!sim.HasStoreBuffers) return [];
        int[]? blocked = null;
        int n = 0;
        foreach (var c in sim.Cpus)
        {
            if (!sim.BlockedByStoreBuffer(c)) continue;
            blocked ??= new int[sim.Cpus.Length];
            blocked[n++] = c.Id;
        }
        return blocked is null ? [] : blocked[..n];
    }
}
