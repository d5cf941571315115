using CsCheck;
using HvoLab.Arch;
using HvoLab.Engine;
using HvoLab.Engine.Schedulers;
using Xunit;

namespace HvoLab.Engine.Tests;

/// <summary>One step of a generated page-table program: a load through a mapped VA, a PTE rewrite (the page moves to
/// another frame, without break-before-make), a TLBI of one page or of everything, a DSB ISH (completes the CPU's
/// TLBIs and publishes its descriptor stores) or DSB ISHST (publishes only), a store to a frame's data.</summary>
public enum PtStep { LoadVa, WritePte, TlbiPage, DsbIsh, DsbIshSt, TlbiAll, StoreData }

/// <summary>
/// Programs over two of three mapped pages (six frames, each holding a distinct value) on a machine with adversarial TLB
/// fills, run by 2 CPUs. What an execution observes: every value each CPU loaded through a VA, the final data of
/// each frame and each PTE, and the violations the Arch oracle reported (break-before-make, TLB conflicts). The
/// differential test for the DSB footprint (docs/engine.md item 13): a DSB depends only on accesses to the VAs its
/// pending maintenance covers.
/// </summary>
internal static class PageTablePrograms
{
    /// <summary>Two CPUs, 2–4 steps each, on two pages; loads and writes weighted so that a load often follows another
    /// CPU's write of a flag page between its PTE rewrite and its DSB (the order only the DSB's footprint decides).</summary>
    private static readonly PtStep[] Weighted =
        [PtStep.LoadVa, PtStep.LoadVa, PtStep.LoadVa, PtStep.WritePte, PtStep.WritePte, PtStep.StoreData, PtStep.StoreData,
         PtStep.DsbIsh, PtStep.DsbIshSt, PtStep.TlbiPage, PtStep.TlbiAll];
    public static readonly Gen<SmallProgram<PtStep>> Programs = SmallPrograms.Weighted(Weighted);

    public static SmallProgram<PtStep> Nth(int index) => Programs.Generate(new PCG(13, (ulong)index), null!, out _);

    private const int Pages = 3, Frames = 6;
    private const ulong FrameBase = 0x100000;
    internal static ulong Va(int page) => PageTableBuilder.KernelVaBase + 0x4000_0000UL + (ulong)page * 4096;
    internal static ulong Frame(int f) => FrameBase + (ulong)f * 4096;
    /// <summary>A valid kernel PTE mapping frame <paramref name="f"/>.</summary>
    internal static ulong Mapping(int f) => (Prot.PAGE_KERNEL | DescBits.TableOrPage) & ~DescBits.AddressMask(12) | Frame(f);

    /// <summary>A machine whose pages 0..<paramref name="pages"/>-1 map frames of the same number, the first word of
    /// each of <paramref name="frames"/> frames holding 100 + its number; returns it with each page's PTE address.</summary>
    internal static (ArchMachine Arch, ulong[] Ptes) MappedPages(int cpus, int pages, int frames, TlbFillPolicy fill)
    {
        var arch = new ArchMachine(new MachineConfig { Cpus = cpus, FillPolicy = fill, MemoryBytes = 16UL << 20 });
        var tables = new PageTableBuilder(arch);
        tables.CreateRoot();
        var ptes = new ulong[pages];
        for (int page = 0; page < pages; page++)
        {
            tables.Map(Va(page), Frame(page), 4096, Prot.PAGE_KERNEL);
            ptes[page] = tables.DescriptorPa(Va(page), 3);
        }
        for (int f = 0; f < frames; f++) arch.Memory.WriteWord(Frame(f), 100 + (ulong)f);
        return (arch, ptes);
    }

    public static (HashSet<string> Seen, ExplorationResult Result) Observe(SmallProgram<PtStep> p, ExplorationOptions options) =>
        ObservedExecution.Observe(s => new Execution(p, s), options);

    private sealed class Execution : ObservedExecution
    {
        private readonly ulong[] _ptes;

        public Execution(SmallProgram<PtStep> p, IScheduler search) : base(search, p.Tasks.Length, Frames + Pages)
        {
            (var arch, _ptes) = MappedPages(p.Tasks.Length, Pages, Frames, TlbFillPolicy.Adversarial);
            Sim = new Simulator(arch, HardwareCosts.Default, this, new SimOptions { StepBudget = 500, StopOnViolation = false });
            SpawnTasks(p, Run);
        }

        /// <summary>The words an outcome records: each frame's first word, then each PTE.</summary>
        protected override ulong Word(int w) => w < Frames ? Frame(w) : _ptes[w - Frames];

        private async SimTask Run(Cpu cpu, ProgramOp<PtStep> op)
        {
            var log = Reads[cpu.Id];
            int page = op.Word;
            switch (op.Step)
            {
                case PtStep.LoadVa: log.Append(await cpu.Load(Va(page))).Append(' '); break;
                case PtStep.WritePte:
                    // Another frame for the page: which one depends on the value, never the one it maps now.
                    int frame = (page + 1 + op.Value) % Frames;
                    await cpu.StorePhys(_ptes[page], Mapping(frame));
                    break;
                case PtStep.TlbiPage: await cpu.Tlbi(TlbiOp.VAAE1IS, Va(page)); break;
                case PtStep.TlbiAll: await cpu.Tlbi(TlbiOp.VMALLE1IS); break;
                case PtStep.DsbIsh: await cpu.Barrier(BarrierKind.DsbIsh); break;
                case PtStep.DsbIshSt: await cpu.Barrier(BarrierKind.DsbIshSt); break;
                case PtStep.StoreData: await cpu.StorePhys(Frame(page), (ulong)op.Value); break;
            }
        }
    }
}

/// <summary>DPOR with the DSB footprint narrowed to the VAs of its pending maintenance (docs/engine.md item 13)
/// observes every outcome of the unreduced search on generated page-table programs.</summary>
public class MaintenanceFootprintTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>A generated program on which a DSB that depended on no VA access missed an outcome: CPU1's loads of
    /// page 1 between CPU0's PTE rewrite of page 1 and its DSB ISHST see the old frame, after it the new one.</summary>
    [Theory]
    [InlineData(225)]
    public void DporObservesEverythingOnAKnownHardProgram(int index)
    {
        var p = PageTablePrograms.Nth(index);
        var (expected, full) = PageTablePrograms.Observe(p, SplitSearchTests.Unreduced);
        Assert.True(full.Complete, full.StopReason);
        var (seen, r) = PageTablePrograms.Observe(p, SplitSearchTests.Dpor);
        Assert.True(r.Complete, r.StopReason);
        ReductionDifferential.AssertObservesAll(expected, seen, $"program {index}: {p}");
    }

    [Fact]
    public void DporObservesEverythingOnPageTablePrograms()
    {
        var (compared, withDsb, _, _) = ReductionDifferential.CompareOnPrograms(output, Programs, PageTablePrograms.Nth, PageTablePrograms.Observe,
            SplitSearchTests.Unreduced, SplitSearchTests.Dpor, (p, _) =>
                p.Tasks.Any(t => t.Any(s => s.Step is PtStep.DsbIsh or PtStep.DsbIshSt)) && p.Tasks.Any(t => t.Any(s => s.Step == PtStep.LoadVa)),
            "with a DSB beside a VA load");
        Assert.True(compared >= Programs * 3 / 4 && withDsb >= Programs / 3, $"{compared} programs compared, {withDsb} with a DSB beside a VA load");
    }

    private static int Programs => int.TryParse(Environment.GetEnvironmentVariable("HVOLAB_PT_PROGRAMS"), out int n) ? n : 40;
}
