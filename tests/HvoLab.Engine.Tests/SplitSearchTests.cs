using Xunit;
using HvoLab.Engine.Schedulers;

namespace HvoLab.Engine.Tests;

/// <summary>Differential check of the split search on generated tiny programs: with split nodes it still observes
/// everything the unreduced search observes; and its parallel workers and its shards explore exactly the executions
/// of one worker (same count, same observations), and stop at the violation one worker stops at.</summary>
public class SplitSearchTests(Xunit.Abstractions.ITestOutputHelper output)
{
    internal static readonly ExplorationOptions Unreduced = new() { Dpor = false, SleepSets = false, StopAtFirstViolation = false, MaxExecutions = 5_000 };
    internal static readonly ExplorationOptions Dpor = new() { Dpor = true, StopAtFirstViolation = false };

    [Fact]
    public void WorkersAndShardsExploreTheExecutionsOfOneSearch()
    {
        int compared = 0, split = 0;
        for (int i = 0; i < 80; i++)
        {
            var p = TinyPrograms.Nth(i);
            var (expected, full) = TinyPrograms.Observe(p, Unreduced);
            if (!full.Complete) continue;
            foreach (int depth in new[] { 1, 3 })
            {
                var one = Dpor with { SplitDepth = depth };
                var (seen, r) = TinyPrograms.Observe(p, one);
                Assert.True(r.Complete, $"program {i}: {p}");
                Assert.True(expected.SetEquals(seen), $"program {i}, split depth {depth}: {p}\nmissed {expected.Except(seen).FirstOrDefault()}");
                var (seenParallel, parallel) = TinyPrograms.Observe(p, one with { Workers = 3 });
                Assert.Equal(r.Executions, parallel.Executions);
                Assert.Equal(r.Transitions, parallel.Transitions);
                Assert.True(seen.SetEquals(seenParallel), $"program {i}: workers observed something else");
                long sharded = 0;
                var seenShards = new HashSet<string>();
                for (int s = 0; s < 3; s++)
                {
                    var (seenShard, shard) = TinyPrograms.Observe(p, one with { Shard = (s, 3) });
                    Assert.True(shard.Complete);
                    Assert.Equal(r.Subtrees, shard.Subtrees);
                    sharded += shard.Executions;
                    seenShards.UnionWith(seenShard);
                }
                Assert.Equal(r.Executions, sharded);
                Assert.True(seen.SetEquals(seenShards), $"program {i}: shards observed something else");
                if (r.Subtrees > 1) split++;
            }
            compared++;
        }
        output.WriteLine($"{compared} programs compared, {split} searches split into more than one subtree");
        Assert.True(compared >= 60 && split >= compared, $"{compared} programs, {split} split searches");
    }

    [Fact]
    public void WorkersStopAtTheViolationOneWorkerStopsAt()
    {
        int found = 0;
        for (int i = 0; i < 80; i++)
        {
            var p = TinyPrograms.Nth(i);
            var options = Dpor with { SplitDepth = 3, StopAtFirstViolation = true };
            var (_, one) = TinyPrograms.Observe(p, options);
            if (one.Failures.Count == 0) continue;
            found++;
            var (_, parallel) = TinyPrograms.Observe(p, options with { Workers = 4 });
            Assert.Equal(one.Failures[0].Choices, Assert.Single(parallel.Failures).Choices);
            Assert.Equal(one.FailureSubtrees, parallel.FailureSubtrees);
        }
        Assert.True(found >= 5, $"only {found} programs fail");
    }
}

/// <summary>Differential check of work sharing (<see cref="SearchPart"/>): parts cut off a running search and searched
/// apart, then merged back, give exactly the search of one unbroken worker — same executions, transitions and
/// observations, the same first violation. Cutting on a fixed schedule (<see cref="ExplorationOptions.CutPartsEvery"/>)
/// tests the part logic deterministically; threads with nothing pre-split (split depth 0) test the hand-over.</summary>
public class WorkSharingTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void PartsCutOffTheSearchGiveTheSearchOfOneWorker()
    {
        int compared = 0;
        long parts = 0;
        for (int i = 0; i < 80; i++)
        {
            var p = TinyPrograms.Nth(i);
            foreach (int depth in new[] { 0, 2 })
            {
                var plain = SplitSearchTests.Dpor with { SplitDepth = depth };
                var (seen, one) = TinyPrograms.Observe(p, plain);
                if (!one.Complete) continue;
                foreach (int every in new[] { 1, 3 })
                {
                    var (seenCut, cut) = TinyPrograms.Observe(p, plain with { CutPartsEvery = every });
                    Assert.True(cut.Complete, $"program {i}: {p}");
                    Assert.Equal(one.Executions, cut.Executions);
                    Assert.Equal(one.Transitions, cut.Transitions);
                    Assert.Equal(one.Pruned, cut.Pruned);
                    Assert.True(seen.SetEquals(seenCut), $"program {i}, split depth {depth}, cut every {every}: observed something else");
                    parts += cut.SharedParts;
                }
                var (seenThreads, threads) = TinyPrograms.Observe(p, plain with { Workers = 3 });
                Assert.Equal(one.Executions, threads.Executions);
                Assert.Equal(one.Transitions, threads.Transitions);
                Assert.True(seen.SetEquals(seenThreads), $"program {i}: workers observed something else");
                compared++;
            }
        }
        output.WriteLine($"{compared} searches compared, {parts} parts cut");
        Assert.True(compared >= 100 && parts >= 1_000, $"{compared} searches, {parts} parts");
    }

    [Fact]
    public void PartsStopAtTheViolationOneWorkerStopsAt()
    {
        int found = 0;
        for (int i = 0; i < 80; i++)
        {
            var p = TinyPrograms.Nth(i);
            var options = SplitSearchTests.Dpor with { StopAtFirstViolation = true };
            var (_, one) = TinyPrograms.Observe(p, options);
            if (one.Failures.Count == 0) continue;
            found++;
            foreach (var variant in new[] { options with { CutPartsEvery = 1 }, options with { CutPartsEvery = 2 }, options with { Workers = 3 } })
            {
                var (_, other) = TinyPrograms.Observe(p, variant);
                Assert.Equal(one.Failures[0].Choices, Assert.Single(other.Failures).Choices);
            }
        }
        Assert.True(found >= 5, $"only {found} programs fail");
    }
}

/// <summary>Differential check of the preempting-work footprint (starting queued work commutes with every other
/// CPU's action; the step that queued it happens before it) and of blind adds (two atomic_inc on one word commute):
/// on tiny programs whose IRQ sends queue the target's handler as preempting work instead, and/or whose FetchAdds
/// are atomic_inc, DPOR observes every outcome the unreduced search observes.</summary>
public class PreemptWorkReductionTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void DporObservesEverythingWithQueuedPreemptingWorkAndBlindAdds(bool preemptWork, bool blindAdds)
        => ReductionDifferential.Check(output, preemptWork, blindAdds ? TinyAdds.Blind : TinyAdds.Fetch);
}

/// <summary>The differential check the reductions share: on the first 150 tiny programs, DPOR observes every outcome
/// the unreduced search observes.</summary>
internal static class ReductionDifferential
{
    /// <summary>Fails, naming <paramref name="what"/> and a missed outcome, unless <paramref name="seen"/> holds every
    /// outcome of <paramref name="expected"/>.</summary>
    public static void AssertObservesAll(HashSet<string> expected, HashSet<string> seen, string what)
    {
        var missed = expected.Except(seen).ToList();
        Assert.True(missed.Count == 0, $"{what}\nmissed {missed.Count} of {expected.Count} outcomes, e.g. {missed.FirstOrDefault()}");
    }

    /// <summary>The unreduced search against <paramref name="reduced"/> on programs <paramref name="nth"/>(0 ..
    /// <paramref name="count"/> - 1): each program whose unreduced search completes must be searched completely and
    /// observe every outcome. Prints and returns how many were compared, how many were <paramref name="hit"/> (the shape
    /// the reduction under test is about) and both execution totals.</summary>
    public static (int Compared, int Hits, long Unreduced, long Reduced) CompareOnPrograms<TProgram>(Xunit.Abstractions.ITestOutputHelper output,
        int count, Func<int, TProgram> nth, Func<TProgram, ExplorationOptions, (HashSet<string> Seen, ExplorationResult Result)> observe,
        ExplorationOptions unreduced, ExplorationOptions reduced, Func<TProgram, HashSet<string>, bool> hit, string hitName)
    {
        int compared = 0, hits = 0;
        long unreducedExecutions = 0, reducedExecutions = 0;
        for (int i = 0; i < count; i++)
        {
            var p = nth(i);
            var (expected, full) = observe(p, unreduced);
            if (!full.Complete) continue;
            var (seen, r) = observe(p, reduced);
            Assert.True(r.Complete, $"program {i}: {p}");
            AssertObservesAll(expected, seen, $"program {i}: {p}");
            compared++;
            if (hit(p, expected)) hits++;
            unreducedExecutions += full.Executions; reducedExecutions += r.Executions;
        }
        output.WriteLine($"{compared} programs ({hits} {hitName}): {unreducedExecutions} unreduced executions, {reducedExecutions} with DPOR");
        return (compared, hits, unreducedExecutions, reducedExecutions);
    }

    /// <summary>DPOR against the unreduced search on the first 120 add-heavy programs (<see cref="TinyPrograms.NthAddHeavy"/>)
    /// whose adds are <paramref name="adds"/>; returns how many were compared and how many were <paramref name="hit"/>.</summary>
    public static (int Compared, int Hits) CheckAddHeavy(Xunit.Abstractions.ITestOutputHelper output, TinyAdds adds,
        Func<TinyProgram, HashSet<string>, bool> hit, string hitName)
    {
        var (compared, hits, _, _) = CompareOnPrograms(output, 120, TinyPrograms.NthAddHeavy, (p, o) => TinyPrograms.Observe(p, o, adds: adds),
            SplitSearchTests.Unreduced, SplitSearchTests.Dpor, hit, hitName);
        return (compared, hits);
    }

    public static void Check(Xunit.Abstractions.ITestOutputHelper output, bool preemptWork, TinyAdds adds)
    {
        int compared = 0, withWork = 0;
        long unreduced = 0, dpor = 0;
        for (int i = 0; i < 150; i++)
        {
            var p = TinyPrograms.Nth(i);
            var (expected, full) = TinyPrograms.Observe(p, SplitSearchTests.Unreduced, preemptWork, adds);
            if (!full.Complete) continue;
            var (seen, r) = TinyPrograms.Observe(p, SplitSearchTests.Dpor, preemptWork, adds);
            Assert.True(r.Complete, $"program {i}: {p}");
            AssertObservesAll(expected, seen, $"program {i}: {p}");
            compared++;
            if (expected.Any(o => o.Contains("[work", StringComparison.Ordinal))) withWork++;
            unreduced += full.Executions; dpor += r.Executions;
        }
        output.WriteLine($"{compared} programs ({withWork} run preempting work): {unreduced} unreduced executions, {dpor} with DPOR");
        Assert.True(compared >= 100 && (!preemptWork || withWork >= 20), $"{compared} programs compared, {withWork} with preempting work");
    }
}
