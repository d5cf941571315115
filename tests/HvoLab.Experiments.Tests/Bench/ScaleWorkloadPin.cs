using System.Globalization;
using HvoLab.Engine;
using HvoLab.Experiments.Bench;
using Xunit;

namespace HvoLab.Experiments.Tests.Bench;

/// <summary>
/// Pins what the 1 TiB bench workload simulates (<see cref="BenchWorkloads.ScaleSystem"/>: D on CPU 0 building a pool,
/// background load with IRQ-off sections on every other CPU), scaled down, so that work on the engine's speed
/// (event queue, closed-form pause holds and releases, TLBI completion) cannot change the simulation unnoticed:
/// the end time to the last bit, the op, scheduling-event and closed-form-hold counts, and a hash of every CPU's
/// statistics. The speed changes of session 5 kept 65432dd's values (11553925.55491835 141667 28526 16443 361fb9de369eb757
/// and 8613528.864797186 239272 94071 16830 6ace2640b41791a6); re-pinned once when jitter became one stream per CPU
/// and the closed-form handler started to wake waiters as the op-level one does (same holds, other samples); the 64-CPU case
/// re-keys the event heap in bulk (a pause holds 63 CPUs), the 256-CPU case fills every CPU mask. Session 6: the
/// workload turned on <see cref="SimOptions.BackgroundLookahead"/>, which moved only the scheduling-event counts
/// (28859 → 21130, 101599 → 71663); end times, ops, holds and statistics hashes are unchanged.
/// Re-pin only with a commit that says what in the model changed and why.
/// </summary>
public class ScaleWorkloadPin
{
    [Theory]
    [InlineData(64, 256, "11796975.658309467 142843 21130 16443 5d56b60b292937d6")]
    [InlineData(256, 64, "9309746.050023468 253112 71663 16830 b54d3185adcc0c2c")]
    public void ScaleRunSimulatesTheSameExecution(int cpus, long folios, string expected)
    {
        var sys = BenchWorkloads.ScaleSystem(cpus, folios);
        var r = sys.Sim.Run();
        Assert.Equal(RunOutcome.Completed, r.Outcome);
        Assert.Equal(folios, sys.Linux.Hugetlb.FreeFolios.Count);
        string got = string.Join(' ', r.EndTimeNs.ToString("R", CultureInfo.InvariantCulture), r.Steps, sys.Sim.SchedulingEvents,
            sys.Sim.ClosedFormHolds, StatsDigest(sys.Sim).ToString("x16"));
        Assert.Equal(expected, got);
    }

    /// <summary>FNV-1a over the bits of each CPU's clock and statistics, in CPU order.</summary>
    private static ulong StatsDigest(Simulator sim)
    {
        ulong d = 1469598103934665603UL;
        void Mix(double v) { d ^= BitConverter.DoubleToUInt64Bits(v); d *= 1099511628211UL; }
        foreach (var c in sim.Cpus)
        {
            var s = c.Stats;
            Mix(c.Time); Mix(s.SpinNs); Mix(s.MaxIrqsOffNs); Mix(s.TotalIrqsOffNs); Mix(s.Ops); Mix(s.NmisTaken);
            Mix(s.InterruptsTaken); Mix(s.SgisSent); Mix(s.Tlbis);
            foreach (var t in s.TimeInContext) Mix(t);
        }
        return d;
    }

    /// <summary>The bench workload runs background CPUs' local ops past the horizon (<see cref="SimOptions.BackgroundLookahead"/>):
    /// fewer scheduling events, the same simulated kernel — the updater's clock and statistics, every CPU's pause
    /// statistics (time spun, NMIs, NMI-context time, longest IRQ-off stretch), the holds and the run's end time.
    /// Only where a background loop sees the end of the run (one iteration more or less at the end) may differ.</summary>
    [Theory]
    [InlineData(64, 256)]
    [InlineData(256, 64)]
    public void LookaheadKeepsTheSimulatedKernel(int cpus, long folios)
    {
        string Kernel(bool lookahead, out long events)
        {
            var sys = BenchWorkloads.ScaleSystem(cpus, folios, lookahead: lookahead);
            var r = sys.Sim.Run();
            events = sys.Sim.SchedulingEvents;
            var c0 = sys.Sim.Cpus[0];
            var sb = new System.Text.StringBuilder();
            sb.Append(CultureInfo.InvariantCulture, $"{r.Outcome} end={r.EndTimeNs:R} holds={sys.Sim.ClosedFormHolds} cpu0 t={c0.Time:R} ops={c0.Stats.Ops} spin={c0.Stats.SpinNs:R} ");
            sb.Append(string.Join(",", c0.Stats.TimeInContext.Select(t => t.ToString("R", CultureInfo.InvariantCulture)))).Append('\n');
            foreach (var c in sys.Sim.Cpus)
                sb.Append(CultureInfo.InvariantCulture, $"cpu{c.Id} spin={c.Stats.SpinNs:R} nmi={c.Stats.NmisTaken} nmictx={c.Stats.TimeInContext[(int)ContextKind.Nmi]:R} irqoff={c.Stats.MaxIrqsOffNs:R}\n");
            return sb.ToString();
        }
        string with = Kernel(true, out long eventsWith), without = Kernel(false, out long eventsWithout);
        Assert.Equal(without, with);
        Assert.True(eventsWith < eventsWithout, $"{eventsWith} vs {eventsWithout} scheduling events");
    }
}
