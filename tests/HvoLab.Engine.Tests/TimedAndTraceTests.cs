using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using Xunit;
using static HvoLab.Engine.Tests.TestMachines;

namespace HvoLab.Engine.Tests;

public class TimedAndTraceTests
{
    private static Simulator Workload(IScheduler s, ulong seed, bool record = false)
    {
        var sim = Make(4, s, new SimOptions { Seed = seed, RecordEvents = record });
        for (int c = 0; c < 4; c++)
            sim.Spawn(c, async cpu =>
            {
                for (int i = 0; i < 50; i++) { await SpinLock(cpu, LockA); await cpu.FetchAddPhys(Counter, 1); await cpu.Work(100); await SpinUnlock(cpu, LockA); }
            });
        sim.FinalChecks.Add(s2 => { if (s2.Arch.ReadPhys(Counter) != 200) s2.ReportViolation("lost-update", [0], Counter, "count"); });
        return sim;
    }

    [Fact]
    public void TimedRunsAreIdenticalForTheSameSeed()
    {
        var a = Workload(new TimedScheduler(), 7, record: true); var ra = a.Run();
        var b = Workload(new TimedScheduler(), 7, record: true); var rb = b.Run();
        var c = Workload(new TimedScheduler(), 8, record: true); var rc = c.Run();
        Assert.Equal(RunOutcome.Completed, ra.Outcome);
        Assert.Equal(ra.EndTimeNs, rb.EndTimeNs);
        Assert.Equal(a.Trace.ToText(), b.Trace.ToText());
        Assert.NotEqual(ra.EndTimeNs, rc.EndTimeNs);
    }

    [Fact]
    public void RandomRunRoundTripsThroughReplay()
    {
        var first = Workload(new RandomScheduler(42), 1, record: true);
        var r1 = first.Run();
        var replay = Workload(new ReplayScheduler(r1.Choices), 1, record: true);
        var r2 = replay.Run();
        Assert.Equal(r1.Choices, r2.Choices);
        Assert.Equal(first.Trace.ToText(), replay.Trace.ToText());
        Assert.Contains("traceEvents", replay.Trace.ToPerfettoJson(4));
    }

    [Fact]
    public void PctFindsTheLostUpdate()
    {
        bool found = false;
        for (ulong seed = 0; seed < 200 && !found; seed++)
        {
            var sim = Make(2, new PctScheduler(seed, bugDepth: 2, estimatedSteps: 10));
            sim.Spawn(0, IncrementWithLoadStore); sim.Spawn(1, IncrementWithLoadStore);
            sim.FinalChecks.Add(CounterEquals(2));
            found = sim.Run().Outcome == RunOutcome.Violation;
        }
        Assert.True(found);
    }
}
