using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using Xunit;
using static HvoLab.Engine.Tests.TestMachines;

namespace HvoLab.Engine.Tests;

public class ExhaustiveSearchTests
{
    private static Simulator CounterSim(IScheduler s, Func<Cpu, SimTask> body)
    {
        var sim = Make(2, s);
        sim.Spawn(0, body);
        sim.Spawn(1, body);
        sim.FinalChecks.Add(CounterEquals(2));
        return sim;
    }

    [Fact]
    public void FindsLostUpdateWithLoadStoreAndReplayReproducesIt()
    {
        var result = new ExhaustiveExplorer(s => CounterSim(s, IncrementWithLoadStore)).Explore();
        Assert.Single(result.Failures);
        var (run, choices) = result.Failures[0];
        Assert.Equal("lost-update", run.Violations[0].Kind);

        var replay = CounterSim(new ReplayScheduler(choices), IncrementWithLoadStore).Run();
        Assert.Equal(RunOutcome.Violation, replay.Outcome);
        Assert.Equal(run.Violations[0].Explanation, replay.Violations[0].Explanation);
        Assert.Equal(choices, replay.Choices);
    }

    [Fact]
    public void AtomicIncrementIsSafeAndTheSearchCompletes()
    {
        var result = new ExhaustiveExplorer(s => CounterSim(s, IncrementAtomically)).Explore();
        Assert.True(result.Complete);
        Assert.Empty(result.Failures);
        // Two dependent RMWs: exactly two orders. Stable across runs.
        Assert.Equal(2, result.Executions - result.Pruned);
        var again = new ExhaustiveExplorer(s => CounterSim(s, IncrementAtomically)).Explore();
        Assert.Equal(result.Executions, again.Executions);
    }

    [Fact]
    public void SleepSetsPruneIndependentReaders()
    {
        Simulator Readers(IScheduler s)
        {
            var sim = Make(3, s);
            for (int c = 0; c < 3; c++)
                sim.Spawn(c, async cpu => { for (int i = 0; i < 3; i++) await cpu.LoadPhys(Counter + (ulong)(8 * cpu.Id)); });
            return sim;
        }
        var with = new ExhaustiveExplorer(Readers).Explore();
        var without = new ExhaustiveExplorer(Readers, new ExplorationOptions { SleepSets = false, Dpor = false }).Explore();
        Assert.True(with.Complete && without.Complete);
        Assert.Equal(1, with.Executions - with.Pruned);           // all reads commute: one interleaving suffices
        Assert.Equal(1680, without.Executions);                   // 9! / (3!·3!·3!) interleavings
    }

    [Fact]
    public void OppositeLockOrderIsReportedAsDeadlock()
    {
        Simulator Locks(IScheduler s)
        {
            var sim = Make(2, s);
            sim.Spawn(0, async cpu => { await SpinLock(cpu, LockA); await SpinLock(cpu, LockB); await SpinUnlock(cpu, LockB); await SpinUnlock(cpu, LockA); });
            sim.Spawn(1, async cpu => { await SpinLock(cpu, LockB); await SpinLock(cpu, LockA); await SpinUnlock(cpu, LockA); await SpinUnlock(cpu, LockB); });
            return sim;
        }
        var result = new ExhaustiveExplorer(Locks).Explore();
        var (run, _) = Assert.Single(result.Failures);
        Assert.Equal(RunOutcome.Deadlock, run.Outcome);
        Assert.Contains("spins on", run.Violations[0].Explanation);
        Assert.True(run.Steps < 100);
    }
}
