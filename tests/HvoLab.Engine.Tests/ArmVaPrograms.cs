using CsCheck;
using HvoLab.Arch;
using HvoLab.Engine;
using HvoLab.Engine.Schedulers;

namespace HvoLab.Engine.Tests;

/// <summary>One step of a generated program on mapped pages under the Arm data model: a store, load or add by VA, a
/// load of the same word by PA, a PTE rewrite (the page moves to another frame, without break-before-make), a TLBI of
/// the page, DSB ISH or ISHST, DMB ST, DMB ISH, a store or load of a kernel global, and a store to a frame's word by PA
/// (<see cref="StorePhys"/>: only in hand-written programs, the generator's weights leave it out).</summary>
/// <remarks><see cref="VaStep.UnmapPte"/> (the PTE made invalid) is not generated: it is for directed programs run with
/// <see cref="ArmVaPrograms.Observe"/>'s fault fixup, where a fault is an outcome rather than an oops.</remarks>
public enum VaStep { StoreVa, LoadVa, LoadPhys, AddVa, WritePte, TlbiPage, DsbIsh, DsbIshSt, Wmb, Mb, StoreGlobal, LoadGlobal, StorePhys, UnmapPte }

/// <summary>
/// Programs over two mapped pages (four frames, each holding distinct values), run by 2 CPUs under the Arm data model, where stores by VA are buffered (docs/arch.md, "Data accesses in the kernel
/// model"). What an execution observes: every value each CPU loaded, the final words of each frame, each PTE and the
/// global, and the oracle's violation kinds. The differential test for stores by VA: their drains are writes of
/// their physical words (dependent with the loads of those words, by VA or PA), and a DSB that completes a TLBI waits
/// for the stores another CPU made through the translation it removes. TLBs fill on access only: with adversarial
/// fills a PTE rewrite without break-before-make makes TLB conflict aborts, whose fault would end the execution (an
/// oops) where the outcome comparison cannot follow it.
/// </summary>
internal static class ArmVaPrograms
{
    private static readonly VaStep[] Weighted =
        [VaStep.StoreVa, VaStep.StoreVa, VaStep.StoreVa, VaStep.LoadVa, VaStep.LoadVa, VaStep.LoadPhys, VaStep.LoadPhys, VaStep.AddVa,
         VaStep.WritePte, VaStep.TlbiPage, VaStep.DsbIsh, VaStep.DsbIshSt, VaStep.Wmb, VaStep.Mb, VaStep.StoreGlobal, VaStep.LoadGlobal];

    public static readonly Gen<SmallProgram<VaStep>> Programs = SmallPrograms.Weighted(Weighted);

    public static SmallProgram<VaStep> Nth(int index) => Programs.Generate(new PCG(17, (ulong)index), null!, out _);

    private const int Pages = 2, Frames = 4;
    private const ulong Global = 0x1000;
    private static ulong Va(int page) => PageTablePrograms.Va(page);
    private static ulong Frame(int f) => PageTablePrograms.Frame(f);

    /// <summary>Runs every execution of <paramref name="p"/> the search makes. With <paramref name="faultFixup"/> a
    /// translation fault enters a test-only handler that logs it ("F" in its CPU's reads), maps the page back onto
    /// its own frame (DSB ISHST) and retries the access, so a fault is one more outcome rather than an oops.</summary>
    public static (HashSet<string> Seen, ExplorationResult Result) Observe(SmallProgram<VaStep> p, ExplorationOptions options, bool faultFixup = false) =>
        ObservedExecution.Observe(s => new Execution(p, s, faultFixup), options);

    /// <summary>The kernel global of <see cref="ArmDataPrograms.GlobalsGuest"/>, with a fault handler that remaps the
    /// faulting page (a fixup like a kernel's fault-around: the retried access then completes).</summary>
    private sealed class FixupGuest(Execution execution) : IGuest
    {
        public SimTask HandleSgi(Cpu cpu, int sgi) => SimTask.CompletedTask;
        public SimTask<bool> HandleFault(Cpu cpu, FaultInfo fault) => execution.Fixup(cpu, fault);
        public bool IsPrivateKernelData(ulong pa) => pa >= ArmDataPrograms.Base && pa < 0x3000;
        public bool MayReadOlderValue(ulong pa) => IsPrivateKernelData(pa);
    }

    private sealed class Execution : ObservedExecution
    {
        private readonly ulong[] _ptes;

        public Execution(SmallProgram<VaStep> p, IScheduler search, bool faultFixup) : base(search, p.Tasks.Length, Frames + Pages + 1)
        {
            (var arch, _ptes) = PageTablePrograms.MappedPages(p.Tasks.Length, Pages, Frames, TlbFillPolicy.OnAccess);
            Sim = new Simulator(arch, HardwareCosts.Default, this, new SimOptions { StepBudget = 500, StopOnViolation = false, MemoryModel = DataMemoryModel.Arm });
            Sim.AttachGuest(faultFixup ? new FixupGuest(this) : new ArmDataPrograms.GlobalsGuest((_, _) => SimTask.CompletedTask));
            SpawnTasks(p, Run);
        }

        internal async SimTask<bool> Fixup(Cpu cpu, FaultInfo fault)
        {
            Reads[cpu.Id].Append('F').Append(' ');
            for (int page = 0; page < Pages; page++)
                if (fault.Va >> 12 == Va(page) >> 12)
                {
                    await cpu.StorePhys(_ptes[page], PageTablePrograms.Mapping(page));
                    await cpu.Barrier(BarrierKind.DsbIshSt);
                    return true;
                }
            return false;
        }

        /// <summary>The words an outcome records: each frame's first word, each PTE, the global.</summary>
        protected override ulong Word(int w) => w < Frames ? Frame(w) : w < Frames + Pages ? _ptes[w - Frames] : Global;

        private async SimTask Run(Cpu cpu, ProgramOp<VaStep> op)
        {
            var log = Reads[cpu.Id];
            int page = op.Word;
            ulong v = (ulong)op.Value;
            switch (op.Step)
            {
                case VaStep.StoreVa: await cpu.Store(Va(page), 10 * (ulong)(cpu.Id + 1) + v); break;
                case VaStep.LoadVa: log.Append(await cpu.Load(Va(page))).Append(' '); break;
                // The frame the page maps at the start: after a PTE rewrite this is the old frame.
                case VaStep.LoadPhys: log.Append('p').Append(await cpu.LoadPhys(Frame(page))).Append(' '); break;
                case VaStep.AddVa: log.Append('a').Append(await cpu.FetchAdd(Va(page), 1)).Append(' '); break;
                case VaStep.WritePte:
                    int frame = (page + 1 + op.Value) % Frames;
                    await cpu.StorePhys(_ptes[page], PageTablePrograms.Mapping(frame));
                    break;
                case VaStep.UnmapPte: await cpu.StorePhys(_ptes[page], 0); break;
                case VaStep.TlbiPage: await cpu.Tlbi(TlbiOp.VAAE1IS, Va(page)); break;
                case VaStep.DsbIsh: await cpu.Barrier(BarrierKind.DsbIsh); break;
                case VaStep.DsbIshSt: await cpu.Barrier(BarrierKind.DsbIshSt); break;
                case VaStep.Wmb: await cpu.Barrier(BarrierKind.DmbIshSt); break;
                case VaStep.Mb: await cpu.Barrier(BarrierKind.DmbIsh); break;
                case VaStep.StoreGlobal: await cpu.StorePhys(Global, v + 1); break;
                case VaStep.LoadGlobal: log.Append('g').Append(await cpu.LoadPhys(Global)).Append(' '); break;
                // Word Value (0 or 1) of the frame the page maps at the start, by PA (a struct page written through the
                // linear map while another CPU writes its neighbour by VA).
                case VaStep.StorePhys: await cpu.StorePhys(Frame(page) + 8 * (ulong)(op.Value & 1), 50 + 10 * (ulong)cpu.Id); break;
            }
        }
    }
}
