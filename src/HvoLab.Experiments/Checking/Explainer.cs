using System.Globalization;
using HvoLab.Engine;

namespace HvoLab.Experiments.Checking;

/// <summary>
/// Turns a violating execution into the few events a reviewer needs: replays its trace with event recording and
/// keeps, before the violation, the page-table writes, TLB maintenance, interrupts, faults and parks of every CPU,
/// plus the last accesses of the CPUs the violation names.
/// </summary>
public static class Explainer
{
    public static IReadOnlyList<string> KeyEvents(ScheduleTrace trace, int maxEvents = 16)
    {
        var (run, sim) = CheckRunner.Replay(trace);
        var v = run.Violations.FirstOrDefault();
        var involved = v?.Cpus.ToHashSet() ?? [];
        var events = sim.Trace.Events;
        var keep = new List<TraceEvent>();
        foreach (var e in events)
        {
            bool structural = e.Kind is TraceKind.Mark or TraceKind.Begin or TraceKind.End
                || (e.Kind == TraceKind.Op && (e.Text.StartsWith("tlbi", StringComparison.Ordinal) || e.Text.StartsWith("Dsb", StringComparison.Ordinal)
                    || e.Text.StartsWith("fault", StringComparison.Ordinal) || e.Text.StartsWith("send SGI", StringComparison.Ordinal)
                    || (e.Text == "phys Write" && IsPageTableWrite(sim, e))));
            bool mine = involved.Contains(e.Cpu) && e.Kind == TraceKind.Op && !e.Text.StartsWith("phys", StringComparison.Ordinal);
            if (structural || mine) keep.Add(e);
        }
        return keep.TakeLast(maxEvents).Select(Format).ToArray();
    }

    private static bool IsPageTableWrite(Simulator sim, TraceEvent e) => sim.Arch.Tables.IsTable(e.Addr);

    private static string Format(TraceEvent e) => e.Kind switch
    {
        TraceKind.Op => string.Create(CultureInfo.InvariantCulture, $"{e.Time,12:F0} ns  CPU{e.Cpu} ({e.Context}) {e.Text} 0x{e.Addr:x} = 0x{e.Value:x}"),
        TraceKind.Begin => string.Create(CultureInfo.InvariantCulture, $"{e.Time,12:F0} ns  CPU{e.Cpu} enters {e.Text} context"),
        TraceKind.End => string.Create(CultureInfo.InvariantCulture, $"{e.Time,12:F0} ns  CPU{e.Cpu} leaves {e.Text} context"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{e.Time,12:F0} ns  CPU{e.Cpu} {e.Text}"),
    };
}
