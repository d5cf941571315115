namespace HvoLab.Engine;

/// <summary>What a CPU's second action (<see cref="Actions.RunOpAlternative"/>) does now. Computed in one place
/// (<see cref="Simulator.SecondActionOf"/>, in this order of precedence) so that running it, offering it and reading its
/// footprint agree.</summary>
public enum SecondAction : byte
{
    /// <summary>No second action: the CPU only runs its pending op.</summary>
    None,
    /// <summary>The other outcome of a pending ChooseOne.</summary>
    ChooseOther,
    /// <summary>The CPU's code has finished and its buffer is empty: its latent frame stores become visible (FrameStores.cs).</summary>
    LatentFramesVisible,
    /// <summary>The pending plain store is issued ahead of the buffered stores to other words it may pass.</summary>
    PassStore,
    /// <summary>The pending access by VA walks with every pending descriptor store visible (buffer empty).</summary>
    NewestWalk,
    /// <summary>The pending relaxed load of a kernel global reads the oldest value its view allows (buffer empty).</summary>
    OlderRead,
    /// <summary>The buffer's front is a frame store (copy_page, a PTE table's fill): it drains, the page at once.</summary>
    DrainFrame,
    /// <summary>The buffer's front is a store by VA: it drains to the physical word its walk gave when it was issued.</summary>
    DrainByVa,
    /// <summary>The buffer's front is a store to a kernel global: it drains to its word.</summary>
    DrainWord,
}
