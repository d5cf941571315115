using Xunit;

namespace HvoLab.Engine.Tests;

/// <summary>Stores by VA under the Arm data model (docs/arch.md, "Data accesses in the kernel model"): buffered after
/// their translation, forwarded to their own CPU's loads, drained to the physical word they were translated to, and
/// complete before a DSB that completes a TLBI removing their translation.</summary>
public class ArmVaStoreTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static SmallProgram<VaStep> Program(params ProgramOp<VaStep>[][] tasks) => new(tasks, [.. tasks.Select(_ => Array.Empty<ProgramOp<VaStep>>())]);
    private static ProgramOp<VaStep> Op(VaStep step, int page = 0, int value = 0) => new(step, page, value);

    private static HashSet<string> Outcomes(SmallProgram<VaStep> p, bool dpor)
    {
        var (seen, r) = ArmVaPrograms.Observe(p, dpor ? SearchPresets.Dpor : SearchPresets.Plain);
        Assert.True(r.Complete, r.StopReason);
        return seen;
    }

    /// <summary>Store buffering by VA: each CPU stores to its page and loads the other's frame. Both loads may see the
    /// initial values (the stores still buffered); a DMB ISH between store and load forbids it.</summary>
    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void StoreBufferingThroughVas(bool mb, bool allowed)
    {
        ProgramOp<VaStep>[] Task(int own, int other) => mb
            ? [Op(VaStep.StoreVa, own), Op(VaStep.Mb), Op(VaStep.LoadPhys, other)]
            : [Op(VaStep.StoreVa, own), Op(VaStep.LoadPhys, other)];
        var p = Program(Task(0, 1), Task(1, 0));
        foreach (bool dpor in new[] { false, true })
        {
            var seen = Outcomes(p, dpor);
            Assert.Equal(allowed, seen.Any(o => o.Contains("CPU0:p101 ") && o.Contains("CPU1:p100 ")));
            Assert.Contains(seen, o => o.Contains("CPU0:p20 ") && o.Contains("CPU1:p10 "));
        }
    }

    /// <summary>A CPU reads its own buffered store by VA and by PA (forwarding) while another CPU may still read the old
    /// value; the store ends in memory.</summary>
    [Fact]
    public void ItsOwnCpuReadsTheBufferedStoreFirst()
    {
        var p = Program([Op(VaStep.StoreVa, 0, 2), Op(VaStep.LoadVa, 0), Op(VaStep.LoadPhys, 0)], [Op(VaStep.LoadPhys, 0)]);
        var seen = Outcomes(p, dpor: false);
        Assert.All(seen, o => Assert.Contains("CPU0:12 p12 ", o));
        Assert.All(seen, o => Assert.Contains("w0=12 ", o));
        Assert.Contains(seen, o => o.Contains("CPU1:p100 "));
        Assert.Contains(seen, o => o.Contains("CPU1:p12 "));
    }

    /// <summary>The drain of a store by VA writes its physical word: DPOR must order it against another CPU's load of the
    /// word by PA and by VA, or it would only see one of the two values (the test fails if the drain is made independent
    /// of those loads).</summary>
    [Theory]
    [InlineData(VaStep.LoadPhys, "p")]
    [InlineData(VaStep.LoadVa, "")]
    public void DporSeesBothOrdersOfADrainAndALoadOfItsWord(VaStep load, string tag)
    {
        var p = Program([Op(VaStep.StoreVa, 0), Op(VaStep.StoreGlobal)], [Op(VaStep.LoadGlobal), Op(load, 0)]);
        var seen = Outcomes(p, dpor: true);
        Assert.Contains(seen, o => o.Contains($"CPU1:g1 {tag}100 "));
        Assert.Contains(seen, o => o.Contains($"CPU1:g1 {tag}10 "));
        ReductionDifferential.AssertObservesAll(Outcomes(p, dpor: false), seen, p.ToString());
    }

    /// <summary>A data write by PA commutes with the drain of a store by VA only when they write different words
    /// (Footprint.Dependent, engine.md item 18): a write of the drained word itself must still be ordered both ways (the
    /// final word is the CPU0 store's or the PA store's), while a write of the next word in the frame is independent of
    /// it. DPOR must see every outcome the plain search sees in both programs (fails if the drain and the data write are
    /// taken as independent whatever words they write).</summary>
    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    public void ADrainByVaAndADataWriteByPaAreOrderedOnlyOnTheSameWord(int word, bool sameWord)
    {
        var p = Program([Op(VaStep.StoreVa, 0), Op(VaStep.StoreGlobal)], [Op(VaStep.LoadGlobal), Op(VaStep.StorePhys, 0, word)]);
        var plain = Outcomes(p, dpor: false);
        var dpor = Outcomes(p, dpor: true);
        Assert.Equal(sameWord, plain.Any(o => o.Contains("w0=10 ")) && plain.Any(o => o.Contains("w0=60 ")));
        ReductionDifferential.AssertObservesAll(plain, dpor, p.ToString());
    }

    /// <summary>A broadcast TLBI completes (at its issuer's DSB ISH) only once the accesses made through the translation
    /// it removes are complete (arm-arch.md §3.2, obtlbi): CPU0's store through the old mapping of page 0 is in the old
    /// frame by the time CPU1's DSB completes, so CPU1 cannot then read the old frame's initial value while the store
    /// lands there afterwards. The store may also go through the new mapping (then to frame 1), or be read.</summary>
    [Fact]
    public void ADsbThatCompletesATlbiWaitsForStoresThroughTheOldTranslation()
    {
        var p = Program(
            [Op(VaStep.StoreVa, 0)],
            [Op(VaStep.WritePte, 0), Op(VaStep.DsbIshSt), Op(VaStep.TlbiPage, 0), Op(VaStep.DsbIsh), Op(VaStep.LoadPhys, 0)]);
        foreach (bool dpor in new[] { false, true })
        {
            var seen = Outcomes(p, dpor);
            output.WriteLine($"{(dpor ? "DPOR" : "plain")}: {seen.Count} outcomes");
            Assert.DoesNotContain(seen, o => o.Contains("CPU1:p100 ") && o.Contains("w0=10 "));
            Assert.Contains(seen, o => o.Contains("CPU1:p10 ") && o.Contains("w0=10 "));
            Assert.Contains(seen, o => o.Contains("CPU1:p100 ") && o.Contains("w1=10 "));
        }
    }

    /// <summary>Issue #20's fault-entry differential: a store by VA between two buffered stores to a kernel global, while
    /// the other CPU rewrites the page's PTE twice without a DSB (last to <paramref name="second"/>: invalid, so the
    /// store's walk may fault and the test-only fixup remaps the page, or another frame). The store's walk may see
    /// either descriptor or none; DPOR must observe all of the plain search's outcomes.</summary>
    [Theory]
    [InlineData(VaStep.UnmapPte, true)]
    [InlineData(VaStep.WritePte, false)]
    public void DporObservesEveryWalkOfAStoreByVaBetweenBufferedGlobalStores(VaStep second, bool faultFixup)
    {
        var p = Program(
            [Op(VaStep.StoreGlobal), Op(VaStep.StoreVa, 0), Op(VaStep.StoreGlobal, 0, 1), Op(VaStep.LoadPhys, 1)],
            [Op(VaStep.WritePte, 0), Op(second, 0, 1)]);
        var (expected, full) = ArmVaPrograms.Observe(p, SearchPresets.Plain, faultFixup);
        Assert.True(full.Complete, full.StopReason);
        var (seen, r) = ArmVaPrograms.Observe(p, SearchPresets.Dpor, faultFixup);
        Assert.True(r.Complete, r.StopReason);
        output.WriteLine($"plain {full.Executions} executions, {expected.Count} outcomes; DPOR {r.Executions}, {seen.Count}");
        foreach (var o in expected) output.WriteLine((seen.Contains(o) ? "  " : "! ") + o);
        ReductionDifferential.AssertObservesAll(expected, seen, p.ToString());
    }

    /// <summary>The family around that program, with and without faults: CPU0 stores to the global, then stores, loads or
    /// adds by VA, then stores to the global again, stores by VA to the other page, or orders with DMB ST / DSB ISHST,
    /// and reads frame 1 or the global; CPU1 rewrites the PTE and then rewrites or unmaps it again, publishes (DSB
    /// ISHST), or invalidates the TLB. 96 programs, each compared in full.</summary>
    [Fact]
    public void DporObservesEveryOutcomeAroundBufferedStoresBesideDescriptorStores()
    {
        VaStep[] middles = [VaStep.StoreVa, VaStep.LoadVa, VaStep.AddVa];
        ProgramOp<VaStep>[] thirds = [Op(VaStep.StoreGlobal, 0, 1), Op(VaStep.StoreVa, 1), Op(VaStep.Wmb), Op(VaStep.DsbIshSt)];
        ProgramOp<VaStep>[] lasts = [Op(VaStep.LoadPhys, 1), Op(VaStep.LoadGlobal)];
        ProgramOp<VaStep>[] seconds = [Op(VaStep.WritePte, 0, 1), Op(VaStep.UnmapPte), Op(VaStep.DsbIshSt), Op(VaStep.TlbiPage, 0)];
        int compared = 0;
        long plain = 0, dpor = 0;
        foreach (var middle in middles)
            foreach (var third in thirds)
                foreach (var last in lasts)
                    foreach (var second in seconds)
                    {
                        var p = Program([Op(VaStep.StoreGlobal), Op(middle, 0), third, last], [Op(VaStep.WritePte, 0), second]);
                        var (expected, full) = ArmVaPrograms.Observe(p, SearchPresets.Plain, faultFixup: true);
                        Assert.True(full.Complete, full.StopReason);
                        var (seen, r) = ArmVaPrograms.Observe(p, SearchPresets.Dpor, faultFixup: true);
                        Assert.True(r.Complete, r.StopReason);
                        ReductionDifferential.AssertObservesAll(expected, seen, p.ToString());
                        compared++;
                        plain += full.Executions; dpor += r.Executions;
                    }
        output.WriteLine($"{compared} programs: {plain} unreduced executions, {dpor} with DPOR");
        Assert.Equal(middles.Length * thirds.Length * lasts.Length * seconds.Length, compared);
    }

    /// <summary>A generated program (no fault) on which DPOR missed an outcome: CPU1's store by VA to page 0 drains before
    /// its load by VA of page 1 (its buffer then empty, the load's walk may see CPU0's pending PTE rewrite of page 1) and
    /// before CPU0 loads page 0. CPU1's load made its store to the global pending, which may pass the buffered store and
    /// so held its drain back: the load disabled the drain, and the drain's race walk, passing over both, never tried
    /// the drain before the load (DrainRaces.DrainBeforeItsHolder).</summary>
    [Theory]
    [InlineData(433)]
    public void DporObservesEverythingOnAKnownHardProgram(int index)
    {
        var p = ArmVaPrograms.Nth(index);
        var (expected, full) = ArmVaPrograms.Observe(p, SearchPresets.Plain);
        Assert.True(full.Complete, full.StopReason);
        var (seen, r) = ArmVaPrograms.Observe(p, SearchPresets.Dpor);
        Assert.True(r.Complete, r.StopReason);
        ReductionDifferential.AssertObservesAll(expected, seen, $"program {index}: {p}");
    }

    /// <summary>DPOR observes every outcome of the plain search on generated programs with stores, loads and adds by VA,
    /// loads by PA of the same words, PTE rewrites, TLBIs, DSBs, DMBs and a kernel global, under the Arm data model.
    /// <c>HVOLAB_ARM_PROGRAMS=N</c> compares N programs (default 40).</summary>
    [Fact]
    public void DporObservesWhatThePlainSearchObservesWithStoresByVa()
    {
        var (compared, drained, _, _) = ReductionDifferential.CompareOnPrograms(output, Programs, ArmVaPrograms.Nth, (p, o) => ArmVaPrograms.Observe(p, o),
            SplitSearchTests.Unreduced, SearchPresets.Dpor, (p, _) =>
                p.Tasks.Any(t => t.Any(s => s.Step == VaStep.StoreVa)) && p.Tasks.Any(t => t.Any(s => s.Step is VaStep.LoadVa or VaStep.LoadPhys or VaStep.AddVa)),
            "with a store by VA beside a load");
        Assert.True(compared >= Programs * 3 / 4 && drained >= Programs / 3, $"{compared} programs compared, {drained} with a store by VA beside a load");
    }

    private static int Programs => int.TryParse(Environment.GetEnvironmentVariable("HVOLAB_ARM_PROGRAMS"), out int n) ? n : 40;
}
