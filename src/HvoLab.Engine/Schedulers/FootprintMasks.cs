using HvoLab.Arch;

namespace HvoLab.Engine.Schedulers;

/// <summary>
/// Interrupt masks beside a CPU's own op. Taking an interrupt depends on every op of its CPU (the handler runs in
/// their place), so each op of the CPU's code races with a pending interrupt's take. But the masks (PSTATE.I, PMR,
/// the NMI/IRQ nesting) are the CPU's own state, changed only by its own code and its own interrupt entries and
/// returns: in every state in which that op is the CPU's next one, the CPU has these masks. So an interrupt these
/// masks block is never enabled beside that op — Flanagan &amp; Godefroid's race needs co-enabledness — and where it
/// could have been taken before the op, an earlier op of the CPU (one where it was not masked) races with it too,
/// which the race walk goes on to find. Before, such a node tried every enabled action (the fallback for a race
/// partner that could not run there): 93 % of the backtrack points of D with two updaters came from it.
/// </summary>
public readonly partial record struct Footprint
{
    /// <summary>Whether <paramref name="code"/>, an op of <paramref name="cpu"/>'s own code, ran with every interrupt
    /// now pending on that CPU masked: then it and the take of any of them are never co-enabled.</summary>
    public static bool MasksEveryPending(in Footprint code, Simulator sim, int cpu) =>
        code.HasCodeMasks && code.Cpu == cpu && sim.Gic.BlocksEveryPending(cpu, code.CodeMasks);

    /// <summary>Whether <paramref name="send"/> found nothing pending on <paramref name="cpu"/>, so that it enabled the
    /// CPU's next take: in a search only SGI sends (all dependent with each other) and the CPU's own takes make
    /// interrupts pending, so in no reordering of the execution can that take run just before the send — with the send
    /// and every later send moved after it, the CPU has nothing to take (docs/engine.md, item 16).</summary>
    public static bool EnablesTake(in Footprint send, int cpu) =>
        send.Kind == FootprintKind.SendSgi && cpu < 64 && ((send.Addr >> cpu) & 1) != 0;
}
