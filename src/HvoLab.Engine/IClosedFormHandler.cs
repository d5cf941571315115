namespace HvoLab.Engine;

/// <summary>
/// An NMI handler of the shape "prologue; spin until a word holds a value; epilogue", given in closed form so a timed
/// run can pause hundreds of CPUs without running the handler op by op on each (pause_local_cpu is the case:
/// <c>atomic_inc; while (READ_ONCE(cpu_paused)) cpu_relax(); atomic_dec; isb</c>). The engine uses it only in timed
/// runs, only for a CPU that is inside private work when the SGI arrives, and gives exactly the times the op-level
/// handler gives (<see cref="Simulator"/> Simulator.ClosedForm.cs); searches always run the op-level handler.
/// Implementations keep the op-level handler beside this one, step for step, so a reviewer can compare them.
/// </summary>
public interface IClosedFormHandler
{
    /// <summary>The prologue, starting at <paramref name="start"/> (after exception entry): performs its stores through
    /// <see cref="Simulator.ClosedFormRmw"/> and returns the time the CPU starts to wait.</summary>
    double Enter(Cpu cpu, double start);

    /// <summary>Reverts the prologue's stores: the hold was cancelled before the interrupt would have been taken
    /// (another interrupt reaches the CPU first), and the op-level handler will run instead.</summary>
    void CancelEnter(Cpu cpu);

    /// <summary>The word the handler spins on and the value that ends the spin.</summary>
    ulong WaitPa { get; }
    ulong WaitValue { get; }

    /// <summary>The epilogue, from the moment the spin ends (<paramref name="woken"/>, before the successful read):
    /// performs its stores and returns the time the handler returns.</summary>
    double Leave(Cpu cpu, double woken);

    /// <summary>Operations the op-level handler executes (for step counts).</summary>
    int Ops { get; }

    /// <summary>Label the op-level handler charges its whole duration to (0 for none).</summary>
    int Label { get; }
}
