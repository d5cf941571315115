namespace HvoLab.Engine;

/// <summary>A CPU's second action (<see cref="Actions.RunOpAlternative"/>): the other outcome of a ChooseOne, or under
/// the Arm data model a store that passes older buffered ones, or the drain of its oldest buffered store
/// (<see cref="DataStoreBuffers"/>). It belongs to the CPU's DPOR process, like a ChooseOne's two outcomes.</summary>
public sealed partial class Simulator
{
    private bool ChoosePending(Cpu c) => c.Depth > 0 && c.Frames[c.Depth - 1].Pending.Kind == OpKind.Choose;

    /// <summary>Whether CPU <paramref name="c"/> has a second action now (also when its code is parked or finished:
    /// its buffer still drains).</summary>
    public bool HasOpAlternative(Cpu c) => ChoosePending(c) || DataBuffer.HasAlternative(c);

    /// <summary>The pending op may not run yet: it must wait for the CPU's buffered stores (a barrier, an acquire...).</summary>
    public bool BlockedByStoreBuffer(Cpu c) => DataBuffer.Blocks(c);

    /// <summary>The word the second action writes to memory when it is a drain, or null (ChooseOne, a store passing
    /// others: then it touches what the op does).</summary>
    public ulong? AlternativeDrainWord(int cpu)
    {
        var c = Cpus[cpu];
        return ChoosePending(c) ? null : DataBuffer.AlternativeWrite(c);
    }

    /// <summary>Performs CPU <paramref name="c"/>'s second action.</summary>
    internal void RunAlternative(Cpu c)
    {
        if (ChoosePending(c)) { c.ChoiceAlt = 1; Resume(c); return; }
        if (DataBuffer.CanPass(c)) { c.PassStore = true; Resume(c); return; }
        ulong word = DataBuffer.DrainFront(c.Id);
        Steps++;
        if (Trace.Enabled) Trace.Op(c.Time, c.Id, c.Context, "store visible", word, Arch.ReadPhys(word));
        Ops.NotifyWrite(word, c.Time);
    }

    /// <summary>The Arm data model is on in this run (stores to kernel globals are buffered).</summary>
    public bool HasStoreBuffers => DataBuffer.Active;

    /// <summary>Whether the action of kind <paramref name="kind"/> of CPU <paramref name="cpu"/> depends on that CPU's
    /// buffered stores beyond the words it touches (footprints of the search, FootprintDrains.cs).</summary>
    public bool IsBufferSensitive(int cpu, int kind) =>
        kind is Actions.TakeInterrupt or Actions.TakePreemptWork || DataBuffer.Sensitive(Cpus[cpu]);
}
