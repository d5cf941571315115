namespace HvoLab.Engine.Schedulers;

/// <summary>
/// When the value-based rules (docs/engine.md 7–9: blind adds, zero-tested adds, rendezvous acknowledgements) hold
/// under the Arm data model (docs/engine.md 13). An RMW is never buffered there: it is performed on memory, atomically,
/// once its own CPU's buffered stores to the word have drained (and, fully ordered or release, once its whole buffer
/// has), so two RMWs of different CPUs on one word still meet in memory, and what each reads and leaves there is what
/// it would be on a sequentially consistent machine; neither changes what enables the other (a CPU's own buffer).
/// Two things the store buffers add: a word whose relaxed loads may read older values keeps its intermediate values
/// as messages (the order of two adds then shows), and the last acknowledger of a rendezvous keeps set_state()'s
/// stores in its own buffer (who was last then shows).
/// </summary>
public readonly partial record struct Footprint
{
    /// <summary>The value-based rules apply to an RMW of <paramref name="pa"/>: always under SC; under the Arm data model
    /// only if the word keeps no messages (<see cref="IGuest.MayReadOlderValue"/>): with messages, a ← a + x; a ← a + y
    /// appends the message a + x where the other order appends a + y, and a later relaxed load may read either.</summary>
    private static bool ValueRulesHold(Simulator sim, ulong pa) => !sim.HasStoreBuffers || !sim.DataBuffer.HasMessages(pa);

    /// <summary>The value an RMW of <paramref name="pa"/> by <paramref name="cpu"/> reads when it runs: memory with the
    /// CPU's own buffered stores to the word laid over it (it runs only once they have drained; for an action that is
    /// blocked now this is the value it will see unless another CPU's write, dependent with it, comes first).</summary>
    private static ulong RmwReads(Simulator sim, int cpu, ulong pa) => sim.DataBuffer.Read(cpu, pa, 8);

    /// <summary>Two acknowledgements of one round under the Arm data model, one of which makes the count zero: the one
    /// that does runs set_state() into its own store buffer, and until those stores drain only that CPU sees the new
    /// state; its later stores may even pass the state store (same epoch). Another CPU that reads the state and a word
    /// the last CPU writes after the round tells which CPU was last, so the two orders are different executions and
    /// must both be explored, as zero-tested adds (rule 8: every race of the zeroing acknowledgement is reversed).</summary>
    private static bool LastShows(in Footprint a, in Footprint b) => (a.ZeroTest || b.ZeroTest) && (a.MakesZero || b.MakesZero);

    /// <summary>Under the Arm data model the last acknowledgement puts set_state()'s state store in its CPU's buffer
    /// (<paramref name="issuer"/> is the acknowledgement's step); by the caller's promise nobody else writes the state
    /// until that store drains, so the drain runs while memory holds the round's state, and a wait of another CPU whose
    /// condition is false for that state is never enabled beside it: the two are no race (as for the acknowledgement
    /// itself, <see cref="NeverCoEnabled"/>). Without this, every wait for the next state fell back to trying every
    /// enabled action at the drain's node.</summary>
    public static bool StateDrainBlocksWait(in Footprint drain, in Footprint issuer, in Footprint wait) =>
        drain.Drain && drain.Addr == issuer.AlsoWrites && wait.Cpu != drain.Cpu && BlocksWait(issuer, wait);
}
