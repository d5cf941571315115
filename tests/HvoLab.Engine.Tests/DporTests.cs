using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using Xunit;
using static HvoLab.Engine.Tests.SearchPresets;
using static HvoLab.Engine.Tests.TestMachines;

namespace HvoLab.Engine.Tests;

/// <summary>Dynamic partial-order reduction must find what the unreduced search finds, in the shapes where it once
/// did not.</summary>
public class DporTests
{
    private const int Sgi = 1;

    /// <summary>CPU0 stores a flag and finishes; CPU1 sends CPU0 an SGI whose handler reads the flag. If the SGI is
    /// sent first, CPU0 can take it before its store and the handler sees 0. In the execution DPOR tries first
    /// (store, send, take) the last action dependent with the take is the send that made it possible; the search used
    /// to stop at that race (which cannot be reversed: the take needs the send) and never looked further back, at the
    /// store, where the take could have come first — the shape of the missed bd225530a4c7 race, where the walker's
    /// RMW ran before the pause NMI that CPU0's later SGI delivered.</summary>
    private static Simulator InterruptBeforeTheStore(IScheduler s)
    {
        var sim = Make(2, s);
        sim.OnSgi(async (cpu, _) =>
        {
            if (await cpu.LoadPhys(Flag) == 0) cpu.Sim.ReportViolation("handler-saw-old-flag", [cpu.Id], Flag, "the SGI handler ran before the store");
        });
        sim.Spawn(0, async cpu => await cpu.StorePhys(Flag, 1));
        sim.Spawn(1, async cpu => await cpu.SendSgi(CpuMask.Of(0), Sgi));
        return sim;
    }

    [Fact]
    public void AnInterruptMayBeTakenBeforeAStoreThatPrecededItsSend()
    {
        Assert.Contains("handler-saw-old-flag", Kinds(new ExhaustiveExplorer(InterruptBeforeTheStore, Plain).Explore()));
        var dpor = new ExhaustiveExplorer(InterruptBeforeTheStore, Dpor).Explore();
        Assert.True(dpor.Complete, dpor.StopReason);
        Assert.Contains("handler-saw-old-flag", Kinds(dpor));
    }

    /// <summary>Generated programs (see <see cref="TinyPrograms"/>) on which earlier versions of the fix still missed
    /// outcomes: 2 — a handler's read races with a store made before the interrupt was taken, so reversing it needs
    /// the interrupt first, not the CPU's task code; 214 — the interrupted CPU is parked on a spin where the interrupt
    /// is taken, so its op can only come first after another CPU wakes it; 286 — the interrupted CPU's op is asleep
    /// where the interrupt is taken and must still run first after another CPU's write.</summary>
    [Theory]
    [InlineData(2)]
    [InlineData(214)]
    [InlineData(286)]
    public void DporObservesWhatTheUnreducedSearchObservesOnKnownHardPrograms(int index)
    {
        var p = TinyPrograms.Nth(index);
        var (expected, _) = TinyPrograms.Observe(p, Plain);
        var (seen, r) = TinyPrograms.Observe(p, Dpor);
        Assert.True(r.Complete, r.StopReason);
        Assert.Equal(expected.Order(), seen.Order());
    }

    private static string[] Kinds(ExplorationResult r) =>
        r.Failures.SelectMany(f => f.Run.Violations).Select(v => v.Kind).Distinct().ToArray();
}

/// <summary>Differential check on generated tiny programs: DPOR (with sleep sets) observes every outcome — values
/// read, final words, deadlocks — that the unreduced search observes, and so do sleep sets alone. The programs are
/// the first <see cref="Programs"/> of a fixed seeded sequence, so the test is the same on every run;
/// HVOLAB_TINY_PROGRAMS and HVOLAB_TINY_FIRST widen or move the window when hunting for a counterexample.</summary>
public class DporPropertyTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly ExplorationOptions Unreduced = new() { Dpor = false, SleepSets = false, StopAtFirstViolation = false, MaxExecutions = 5_000 };
    private static readonly ExplorationOptions SleepSets = new() { Dpor = false, StopAtFirstViolation = false };

    [Fact]
    public void ReducedSearchesObserveEverythingTheUnreducedSearchObserves()
    {
        int compared = 0;
        long unreduced = 0, sleep = 0, dpor = 0;
        for (int i = First; i < First + Programs; i++)
        {
            var p = TinyPrograms.Nth(i);
            var (expected, full) = TinyPrograms.Observe(p, Unreduced);
            if (!full.Complete) continue;   // too many interleavings for a quick test
            sleep += Compare(i, p, expected, SleepSets);
            dpor += Compare(i, p, expected, Dpor);
            compared++;
            unreduced += full.Executions;
        }
        output.WriteLine($"{compared} programs: {unreduced} unreduced executions, {sleep} with sleep sets, {dpor} with DPOR");
        Assert.True(compared >= Programs * 3 / 4, $"only {compared} of {Programs} programs were small enough to compare");
        Assert.True(dpor < sleep && sleep < unreduced, "the reductions did not reduce");
    }

    private static long Compare(int index, TinyProgram p, HashSet<string> expected, ExplorationOptions options)
    {
        var (seen, r) = TinyPrograms.Observe(p, options);
        Assert.True(r.Complete, $"program {index}: {p}");
        var missed = expected.Except(seen).ToList();
        Assert.True(missed.Count == 0,
            $"program {index} (dpor={options.Dpor}): {p}\nmissed {missed.Count} of {expected.Count} outcomes, e.g. {missed.FirstOrDefault()}");
        Assert.Subset(expected, seen);   // and nothing the program cannot do
        return r.Executions;
    }

    private static int Programs => Env("HVOLAB_TINY_PROGRAMS", 120);
    private static int First => Env("HVOLAB_TINY_FIRST", 0);
    private static int Env(string name, int fallback) => int.TryParse(Environment.GetEnvironmentVariable(name), out int n) ? n : fallback;
}
