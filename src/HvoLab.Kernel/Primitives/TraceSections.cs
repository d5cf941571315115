using HvoLab.Engine;

namespace HvoLab.Kernel.Primitives;

/// <summary>
/// Named phases of kernel routines in the recorded trace (the pause, stop_machine's states, the pause's set-up and
/// tear-down), so a Perfetto export shows "paused" or "multi_cpu_stop: RUN" rather than anonymous spins. Recorded only
/// when the trace is on: timed runs without a trace pay one branch.
/// </summary>
public static class TraceSections
{
    /// <summary>Records the phase <paramref name="name"/> on <paramref name="cpu"/> from <paramref name="start"/> to now.</summary>
    public static void Section(this Cpu cpu, double start, string name)
    {
        if (cpu.Sim.Trace.Enabled && cpu.Time > start) cpu.Sim.Trace.Slice(start, cpu.Time, cpu.Id, cpu.Sim.Label(name));
    }
}
