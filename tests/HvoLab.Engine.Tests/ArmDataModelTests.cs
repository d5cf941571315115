using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using Xunit;
using static HvoLab.Engine.Tests.SearchPresets;

namespace HvoLab.Engine.Tests;

/// <summary>The Arm data model of the engine (<see cref="DataStoreBuffers"/>) on the classic shapes: what Arm allows
/// shows up (store buffering, message passing without barriers), what it forbids does not (with smp_mb, smp_wmb and
/// in-order reads, release/acquire, coherence), and SC stays SC.</summary>
public class ArmDataModelTests
{
    private static ulong X => ArmDataPrograms.Word(0);
    private static ulong Y => ArmDataPrograms.Word(1);

    /// <summary>Every (r0, r1) pair two threads can read, over a complete search.</summary>
    internal static HashSet<(ulong, ulong)> Outcomes(DataMemoryModel model, ExplorationOptions options,
        Func<Cpu, SimTask<ulong>> t0, Func<Cpu, SimTask<ulong>> t1)
    {
        var seen = new HashSet<(ulong, ulong)>();
        ulong[]? regs = null;
        // An execution the search cut short (sleep set) leaves a register unset: only finished ones count.
        void Harvest() { if (regs is not null && regs[0] != ulong.MaxValue && regs[1] != ulong.MaxValue) seen.Add((regs[0], regs[1])); }
        var r = new ExhaustiveExplorer(s =>
        {
            Harvest();
            var sim = TestMachines.Make(2, s, new SimOptions { MemoryModel = model });
            sim.AttachGuest(new ArmDataPrograms.GlobalsGuest((_, _) => default));
            var mine = regs = [ulong.MaxValue, ulong.MaxValue];
            sim.Spawn(0, async cpu => mine[0] = await t0(cpu));
            sim.Spawn(1, async cpu => mine[1] = await t1(cpu));
            return sim;
        }, options).Explore();
        Harvest();
        Assert.True(r.Complete, r.StopReason);
        return seen;
    }

    private static async SimTask<ulong> StoreThenLoad(Cpu cpu, ulong store, ulong load, BarrierKind? between)
    {
        await cpu.StorePhys(store, 1);
        if (between is { } b) await cpu.Barrier(b);
        return await cpu.LoadPhys(load);
    }

    [Theory]
    [InlineData(DataMemoryModel.Arm, null, true)]
    [InlineData(DataMemoryModel.Arm, BarrierKind.DmbIshSt, true)]      // smp_wmb does not order a store before a load
    [InlineData(DataMemoryModel.Arm, BarrierKind.DmbIsh, false)]       // smp_mb does
    [InlineData(DataMemoryModel.Arm, BarrierKind.DsbIshSt, false)]     // a DSB waits for the store to complete
    [InlineData(DataMemoryModel.Sc, null, false)]
    public void StoreBuffering(DataMemoryModel model, BarrierKind? barrier, bool bothZeroAllowed)
    {
        foreach (var options in new[] { Plain, Dpor })
        {
            var seen = Outcomes(model, options, c => StoreThenLoad(c, X, Y, barrier), c => StoreThenLoad(c, Y, X, barrier));
            Assert.Equal(bothZeroAllowed, seen.Contains((0, 0)));
            Assert.Contains((1UL, 1UL), seen);
        }
    }

    /// <summary>MP: CPU0 writes data then flag; CPU1 reads flag then data. (flag 1, data 0) is the weak outcome: the
    /// stores reordered (no smp_wmb / release) or the loads (no smp_rmb / acquire: an older value of data).</summary>
    [Theory]
    [InlineData(DataMemoryModel.Arm, "plain", "acquire", true)]
    [InlineData(DataMemoryModel.Arm, "wmb", "plain", true)]        // load→load: smp_wmb needs an smp_rmb on the reader
    [InlineData(DataMemoryModel.Arm, "wmb", "rmb", false)]
    [InlineData(DataMemoryModel.Arm, "wmb", "mb", false)]
    [InlineData(DataMemoryModel.Arm, "wmb", "isb", false)]         // ctrl+ISB (the model takes every ISB as one)
    [InlineData(DataMemoryModel.Arm, "wmb", "acquire", false)]
    [InlineData(DataMemoryModel.Arm, "release", "plain", true)]
    [InlineData(DataMemoryModel.Arm, "release", "acquire", false)]
    [InlineData(DataMemoryModel.Arm, "wmb", "wmb", true)]          // smp_wmb orders no loads
    [InlineData(DataMemoryModel.Sc, "plain", "plain", false)]
    public void MessagePassing(DataMemoryModel model, string writer, string reader, bool weakAllowed)
    {
        foreach (var options in new[] { Plain, Dpor })
        {
            var seen = Outcomes(model, options, async cpu =>
            {
                await cpu.StorePhys(X, 1);
                if (writer == "wmb") await cpu.Barrier(BarrierKind.DmbIshSt);
                await cpu.StorePhys(Y, 1, writer == "release" ? MemOrder.Release : MemOrder.Relaxed);
                return 0;
            }, async cpu =>
            {
                ulong flag = await cpu.LoadPhys(Y, reader == "acquire" ? MemOrder.Acquire : MemOrder.Relaxed);
                switch (reader)
                {
                    case "rmb": await cpu.Barrier(BarrierKind.DmbIshLd); break;
                    case "mb": await cpu.Barrier(BarrierKind.DmbIsh); break;
                    case "isb": await cpu.Barrier(BarrierKind.Isb); break;
                    case "wmb": await cpu.Barrier(BarrierKind.DmbIshSt); break;
                }
                ulong data = await cpu.LoadPhys(X);
                return flag * 10 + data;
            });
            Assert.Equal(weakAllowed, seen.Contains((0, 10)));
            Assert.Contains((0UL, 11UL), seen);
        }
    }

    /// <summary>MP+wmb with dependency views on the reader (the view passed to <see cref="Cpu.AccessPhys(in MemOp, MemOrder, int)"/>,
    /// Promising-ARM's vaddr and forwarding view): "addr" — data loaded at an address computed from flag may not be
    /// older than the newest write at flag's read view, so (flag 1, data 0) is forbidden; "addr-unrelated" — a
    /// dependency on an earlier load of another word orders nothing after it (a DMB LD would); "data-rfi-addr" — flag
    /// stored to z, z read back, data loaded at an address from it: aarch64.cat orders "(addr | data); rfi", forbidden;
    /// "const-rfi-addr" — a constant stored carries no view and reading one's own write orders nothing by itself.
    /// Plain search only: footprints do not account for dependency views (Ops.cs, PendingOp.AddressView).</summary>
    [Theory]
    [InlineData("addr", false)]
    [InlineData("addr-unrelated", true)]
    [InlineData("data-rfi-addr", false)]
    [InlineData("const-rfi-addr", true)]
    public void DependencyViewsOrderOnlyWhatTheyCover(string reader, bool weakAllowed)
    {
        ulong z = ArmDataPrograms.Word(2);
        var seen = Outcomes(DataMemoryModel.Arm, Plain, cpu => StoresWithWmbBetween(cpu, (X, 1), (Y, 1)), async cpu =>
        {
            await cpu.LoadPhys(z);
            int unrelated = cpu.LastReadView;
            ulong flag = await cpu.LoadPhys(Y);
            int view = reader == "addr-unrelated" ? unrelated : cpu.LastReadView;
            if (reader.EndsWith("rfi-addr", StringComparison.Ordinal))
            {
                bool data = reader == "data-rfi-addr";
                await cpu.AccessPhys(MemOp.Store(z, data ? flag : 5, 8), MemOrder.Relaxed, data ? view : 0);
                await cpu.LoadPhys(z);
                view = cpu.LastReadView;
            }
            ulong loaded = await cpu.AccessPhys(MemOp.Load(X, 8), MemOrder.Relaxed, view);
            return flag * 10 + loaded;
        });
        Assert.Equal(weakAllowed, seen.Contains((0, 10)));
        Assert.Contains((0UL, 11UL), seen);
    }

    /// <summary>Two stores with smp_wmb() between them; returns 0.</summary>
    private static async SimTask<ulong> StoresWithWmbBetween(Cpu cpu, (ulong Pa, ulong Value) first, (ulong Pa, ulong Value) second)
    {
        await cpu.StorePhys(first.Pa, first.Value);
        await cpu.Barrier(BarrierKind.DmbIshSt);
        await cpu.StorePhys(second.Pa, second.Value);
        return 0;
    }

    /// <summary>CoRR across CPUs with an older value: a reader that saw the newer of two stores to a word never reads
    /// the older one after it, even though each load alone may read an older value.</summary>
    [Fact]
    public void OlderValuesRespectCoherenceAndBarriers()
    {
        var seen = Outcomes(DataMemoryModel.Arm, Dpor, cpu => StoresWithWmbBetween(cpu, (X, 1), (X, 2)), async cpu =>
        {
            ulong a = await cpu.LoadPhys(X);
            ulong b = await cpu.LoadPhys(X);
            await cpu.Barrier(BarrierKind.DmbIshLd);
            ulong c = await cpu.LoadPhys(X);
            return a * 100 + b * 10 + c;
        });
        var triples = seen.Select(o => o.Item2).ToList();
        Assert.DoesNotContain(triples, t => t / 100 > t / 10 % 10 || t / 10 % 10 > t % 10);   // never goes back
        Assert.Contains(12UL, triples);     // 0, 1, 2: every value is seen, in order
    }

    /// <summary>CoRR / CoWR: a CPU never reads a value older than one it has read or written to the same word.</summary>
    [Fact]
    public void CoherenceHoldsPerWord()
    {
        var seen = Outcomes(DataMemoryModel.Arm, Plain, async cpu =>
        {
            await cpu.StorePhys(X, 1);
            await cpu.StorePhys(X, 2);
            return await cpu.LoadPhys(X);   // forwarding: its own newest store
        }, async cpu =>
        {
            ulong a = await cpu.LoadPhys(X);
            ulong b = await cpu.LoadPhys(X);
            return a * 10 + b;
        });
        Assert.All(seen, o => Assert.Equal(2UL, o.Item1));
        Assert.DoesNotContain(seen, o => o.Item2 / 10 > o.Item2 % 10);   // never 2 then 1, 1 then 0, 2 then 0
        Assert.Contains(seen, o => o.Item2 == 12);                       // both values are seen in order
    }

    /// <summary>A relaxed RMW (atomic_inc) may be seen before an earlier plain store to another word; a fully ordered
    /// one (atomic_inc_return) may not.</summary>
    [Fact]
    public void RelaxedAtomicMayBeSeenBeforeAnEarlierStoreAFullyOrderedOneMayNot()
    {
        Assert.Contains((0UL, 10UL), StoreThenAtomicSeenBackwards(MemOrder.Relaxed));
        Assert.DoesNotContain((0UL, 10UL), StoreThenAtomicSeenBackwards(MemOrder.Full));
    }

    /// <summary>CPU0 stores x then adds to y with <paramref name="order"/>; CPU1 reads y (acquire, so its loads stay in
    /// order) then x (y*10 + x).</summary>
    private static HashSet<(ulong, ulong)> StoreThenAtomicSeenBackwards(MemOrder order) =>
        Outcomes(DataMemoryModel.Arm, Plain, async cpu =>
        {
            await cpu.StorePhys(X, 1);
            await cpu.FetchAddPhys(Y, 1, order);
            return 0;
        }, async cpu =>
        {
            ulong y = await cpu.LoadPhys(Y, MemOrder.Acquire);
            ulong x = await cpu.LoadPhys(X);
            return y * 10 + x;
        });
}

/// <summary>DPOR against the plain search under the Arm data model on generated tiny programs: the same outcomes
/// (values read, final words, violations, deadlocks). HVOLAB_ARM_PROGRAMS / HVOLAB_ARM_FIRST widen or move the window.</summary>
public class ArmDporPropertyTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly ExplorationOptions Unreduced = new() { Dpor = false, SleepSets = false, StopAtFirstViolation = false, MaxExecutions = 5_000 };

    [Fact]
    public void DporObservesWhatThePlainSearchObservesUnderArm()
    {
        int compared = 0;
        long unreduced = 0, dpor = 0;
        for (int i = First; i < First + Programs; i++)
        {
            var p = ArmDataPrograms.Nth(i);
            var (expected, full) = ArmDataPrograms.Observe(p, Unreduced, DataMemoryModel.Arm);
            if (!full.Complete) continue;
            var (seen, r) = ArmDataPrograms.Observe(p, Dpor, DataMemoryModel.Arm);
            Assert.True(r.Complete, $"program {i}: {p}");
            var missed = expected.Except(seen).ToList();
            Assert.True(missed.Count == 0, $"program {i}: {p}\nmissed {missed.Count} of {expected.Count} outcomes, e.g. {missed.FirstOrDefault()}");
            Assert.Subset(expected, seen);
            compared++;
            unreduced += full.Executions;
            dpor += r.Executions;
        }
        output.WriteLine($"{compared} programs: {unreduced} unreduced executions, {dpor} with DPOR");
        Assert.True(compared >= Programs * 3 / 4, $"only {compared} of {Programs} programs were small enough to compare");
        Assert.True(dpor < unreduced, "DPOR did not reduce");
    }

    private static int Programs => Env("HVOLAB_ARM_PROGRAMS", 80);
    private static int First => Env("HVOLAB_ARM_FIRST", 0);
    private static int Env(string name, int fallback) => int.TryParse(Environment.GetEnvironmentVariable(name), out int n) ? n : fallback;
}
