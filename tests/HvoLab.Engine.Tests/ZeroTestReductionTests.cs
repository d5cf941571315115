using Xunit;
using HvoLab.Engine.Schedulers;

namespace HvoLab.Engine.Tests;

/// <summary>Differential check of zero-tested adds (atomic_dec_and_test: two that both leave the word non-zero
/// commute, <see cref="Footprint.ZeroTest"/>; an asleep one is judged at the value the action taken saw,
/// <see cref="Footprint.IndependentAfter"/>): DPOR observes every outcome of the unreduced search on generated
/// programs, and on a stop_machine-like rendezvous it explores fewer executions than with fetch-adds.</summary>
public class ZeroTestReductionTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DporObservesEverythingWithDecAndTest(bool preemptWork) =>
        ReductionDifferential.Check(output, preemptWork, TinyAdds.DecAndTest);

    [Fact]
    public void DporObservesEverythingOnAddHeavyPrograms()
    {
        var (compared, hits) = ReductionDifferential.CheckAddHeavy(output, TinyAdds.DecAndTest,
            (_, expected) => expected.Count(o => o.Contains("z ", StringComparison.Ordinal)) > 1, "with several outcomes that make a word zero");
        Assert.True(compared >= 80 && hits >= 30, $"{compared} programs compared, {hits} with zero hits");
    }

    /// <summary>Three CPUs acknowledge two rounds on one counter (multi_cpu_stop's ack_state): the last of each round
    /// resets the count and moves the state on; the others wait for it. Each round has 3 distinguishable orders (who is
    /// last), not 3! = 6.</summary>
    [Fact]
    public void RendezvousExploresWhoIsLastNotEveryOrder()
    {
        var (seenZero, zero) = Rendezvous(SplitSearchTests.Dpor, zeroTest: true);
        var (seenFull, full) = Rendezvous(SplitSearchTests.Unreduced with { MaxExecutions = 200_000 }, zeroTest: true);
        var (seenFetch, fetch) = Rendezvous(SplitSearchTests.Dpor, zeroTest: false);
        output.WriteLine($"unreduced {full.Executions} ({seenFull.Count} outcomes), DPOR with fetch-adds {fetch.Executions} ({seenFetch.Count}), "
            + $"DPOR with dec_and_test {zero.Executions} ({seenZero.Count}: {string.Join(" ", seenZero)})");
        Assert.True(zero.Complete && full.Complete && fetch.Complete);
        Assert.Equal(9, seenFull.Count);   // who is last in round 1 × who is last in round 2
        Assert.True(seenFull.SetEquals(seenZero));
        Assert.True(zero.Executions < fetch.Executions, $"{zero.Executions} executions with dec_and_test, {fetch.Executions} with fetch-adds");
    }

    private const ulong Ack = 0x1000, State = 0x1008;

    private static (HashSet<string> Seen, ExplorationResult Result) Rendezvous(ExplorationOptions options, bool zeroTest)
    {
        var seen = new HashSet<string>();
        string[] log = [];
        // Who was last in each round (an execution the sleep sets cut early may not have decided both).
        void Harvest() { if (log.Length == 2 && log.All(l => l.Length == 1)) seen.Add(string.Join(",", log)); }
        var r = new ExhaustiveExplorer(search =>
        {
            Harvest();
            var sim = TestMachines.Make(3, search);
            log = ["", ""];
            sim.Arch.WritePhys(0, Ack, 3);
            for (int c = 0; c < 3; c++)
                sim.Spawn(c, async cpu =>
                {
                    for (ulong round = 0; round < 2; round++)
                    {
                        await cpu.WaitPhys(State, round);
                        bool lastOne = zeroTest ? await cpu.DecAndTestPhys(Ack) : await cpu.FetchAddPhys(Ack, ulong.MaxValue) == 1;
                        if (!lastOne) continue;
                        log[round] += cpu.Id.ToString();
                        await cpu.StorePhys(Ack, 3);
                        await cpu.StorePhys(State, round + 1);
                    }
                });
            return sim;
        }, options).Explore();
        Harvest();
        return (seen, r);
    }
}
