using HvoLab.Engine.Schedulers;
using Xunit;

namespace HvoLab.Engine.Tests;

/// <summary>Differential check of the wait rule (docs/engine.md item 14: a write that a wait could not precede in any
/// reordering is no race of that wait): on generated programs of blind adds (atomic_inc), stores and waits on counts —
/// the shape of nr_cpus_paused in the pause — DPOR observes every outcome of the unreduced search.</summary>
public class WaitRaceTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>CPU0 stores a flag, then increments a count; CPU1 increments the count; CPU2 waits for the count to be
    /// 1 and reads the flag. CPU2 reads 0 only when CPU1's increment lets it through before CPU0's store. In the first
    /// execution CPU0 runs first and CPU2's wait follows both increments' race with it; the race with CPU0's increment
    /// is reversible only because CPU1's increment, which commutes with it, can make the count 1 without it — a rule
    /// that skipped every write a disabled wait races with never reads 0.</summary>
    [Fact]
    public void AWaitEnabledByAnotherCpusCommutingAddIsStillReversed()
    {
        TinyOp Op(TinyStep s, int w, int v = 0) => new(s, w, v);
        var p = new TinyProgram(
            [[Op(TinyStep.Store, 1, 1), Op(TinyStep.FetchAdd, 0)], [Op(TinyStep.FetchAdd, 0)], [Op(TinyStep.Wait, 0, 1), Op(TinyStep.Load, 1)]],
            [[], [], []]);
        var (expected, _) = TinyPrograms.Observe(p, SplitSearchTests.Unreduced, adds: TinyAdds.Blind);
        Assert.Contains(expected, o => o.Contains("CPU2:0 ", StringComparison.Ordinal));
        var (seen, r) = TinyPrograms.Observe(p, SplitSearchTests.Dpor, adds: TinyAdds.Blind);
        Assert.True(r.Complete, r.StopReason);
        ReductionDifferential.AssertObservesAll(expected, seen, p.ToString());
    }

    [Fact]
    public void DporObservesEverythingOnAddHeavyProgramsWithBlindAdds()
    {
        var (compared, waits) = ReductionDifferential.CheckAddHeavy(output, TinyAdds.Blind,
            (p, _) => p.Tasks.Any(t => t.Any(s => s.Step == TinyStep.Wait)), "with a wait");
        Assert.True(compared >= 80 && waits >= 40, $"{compared} programs compared, {waits} with a wait");
    }
}
