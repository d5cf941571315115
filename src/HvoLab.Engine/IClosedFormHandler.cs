namespace HvoLab.Engine;

/// <summary>
/// An NMI handler of the shape "prologue; spin until a word holds a value; epilogue", given in closed form so a timed
/// run can pause hundreds of CPUs without running the handler op by op on each (pause_local_cpu is the case:
/// <c>atomic_inc; while (READ_ONCE(cpu_paused)) cpu_relax(); atomic_dec; isb</c>). The engine uses it only in timed
/// runs, only for a CPU that is inside private work when the SGI arrives, and gives exactly the times the op-level
/// handler gives (<see cref="ClosedFormRunner"/>); searches always run the op-level handler.
/// <see cref="SpinHandler"/> implements it from the same list of steps its op-level form runs.
/// </summary>
public interface IClosedFormHandler
{
    /// <summary>The prologue, starting at <paramref name="start"/> (after exception entry): when the CPU starts to wait
    /// and the atomic add the prologue makes (the engine applies it, summing those of CPUs entering together).</summary>
    ClosedFormStep Enter(Cpu cpu, double start);

    /// <summary>The word the handler spins on and the value that ends the spin.</summary>
    ulong WaitPa { get; }
    ulong WaitValue { get; }

    /// <summary>The epilogue, from the moment the spin ends (<paramref name="woken"/>, before the successful read):
    /// when the handler returns and the atomic add the epilogue makes.</summary>
    ClosedFormStep Leave(Cpu cpu, double woken);

    /// <summary>Operations the op-level handler executes (for step counts).</summary>
    int Ops { get; }

    /// <summary>Label the op-level handler charges its whole duration to (0 for none).</summary>
    int Label { get; }
}

/// <summary>One closed-form step of a handler: when it ends, and the one atomic add it makes — <paramref name="Delta"/>
/// to the word at <paramref name="Pa"/>, starting at <paramref name="AddStart"/> (when the op-level handler would
/// perform it) and completing at <paramref name="VisibleAt"/> (no add when Delta is 0).</summary>
public readonly record struct ClosedFormStep(double End, ulong Pa = 0, ulong Delta = 0, double VisibleAt = 0, double AddStart = 0);
