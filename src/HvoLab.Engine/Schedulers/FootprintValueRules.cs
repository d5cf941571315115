namespace HvoLab.Engine.Schedulers;

/// <summary>
/// When the value-based rules (docs/engine.md 7–9: blind adds, zero-tested adds, rendezvous acknowledgements) hold
/// under the Arm data model (docs/engine.md item 15). An RMW is never buffered there: it is performed on memory, atomically,
/// once its own CPU's buffered stores to the word have drained (and, fully ordered or release, once its whole buffer
/// has), so two RMWs of different CPUs on one word still meet in memory, and what each reads and leaves there is what
/// it would be on a sequentially consistent machine; neither changes what enables the other (a CPU's own buffer).
/// What the store buffers add: a word whose relaxed loads may read older values keeps its intermediate values as
/// messages (the order of two adds then shows). A rendezvous's last acknowledger writes set_state()'s stores straight
/// to memory (<see cref="DataStoreBuffers.WillBuffer"/>), so who was last leaves no trace in a buffer either.
/// </summary>
public static partial class FootprintReader
{
    /// <summary>The value-based rules apply to an RMW of <paramref name="pa"/>: always under SC; under the Arm data model
    /// only if the word keeps no messages (<see cref="IGuest.MayReadOlderValue"/>): with messages, a ← a + x; a ← a + y
    /// appends the message a + x where the other order appends a + y, and a later relaxed load may read either.</summary>
    private static bool ValueRulesHold(Simulator sim, ulong pa) => !sim.HasStoreBuffers || !sim.DataBuffer.HasMessages(pa);

    /// <summary>The value an RMW of <paramref name="pa"/> by <paramref name="cpu"/> reads when it runs: memory with the
    /// CPU's own buffered stores to the word laid over it (it runs only once they have drained; for an action that is
    /// blocked now this is the value it will see unless another CPU's write, dependent with it, comes first).</summary>
    private static ulong RmwReads(Simulator sim, int cpu, ulong pa) => sim.DataBuffer.Read(cpu, pa, 8);
}
