using System.Text;
using CsCheck;
using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;

namespace HvoLab.Engine.Tests;

/// <summary>One step of a tiny program under the Arm data model: accesses with each ordering, barriers, a wait, an
/// SGI, a ChooseOne, smp_rmb and ISB (load ordering points), a frame store (a whole page, as copy_page or a PTE table's
/// fill: one buffered store) and a load of one of its words, and a store and a load by VA of a word of that page (a
/// struct page field: the store is buffered after its translation).</summary>
public enum ArmStep { Load, Store, StoreRelease, LoadAcquire, AddRelaxed, AddFull, Cas, Wait, Wmb, Mb, Dsb, SendIrq, Choose, Rmb, Isb, FrameStore, FrameLoad, VaStore, VaLoad }

/// <summary>
/// Runs small programs on a machine whose words are kernel globals (so the Arm data model buffers their stores) and
/// records what each execution observed: the values each CPU read, in its order, the final words, violations and
/// deadlocks. Equivalent interleavings observe the same, so a sound reduction observes what the plain search does.
/// </summary>
internal static class ArmDataPrograms
{
    public const int IrqSgi = 1;
    public const ulong Base = 0x1000;
    public static ulong Word(int w) => Base + 8 * (ulong)w;
    /// <summary>A data page (not a kernel global) that <see cref="ArmStep.FrameStore"/> writes whole.</summary>
    public const ulong Frame = 0x4000;
    public static ulong FrameWord(int w) => Frame + 8 * (ulong)w;
    /// <summary>The VA that maps <see cref="Frame"/> (<see cref="ArmStep.VaStore"/>, <see cref="ArmStep.VaLoad"/>).</summary>
    public static readonly ulong FrameVa = PageTableBuilder.KernelVaBase + 0x4000_0000UL;

    public static readonly Gen<ArmProgram> Programs = SmallPrograms.Of<ArmStep>(maxTaskSteps: 4, handlerKinds: 4);

    /// <summary>The <paramref name="index"/>-th program of a fixed, seeded sequence.</summary>
    public static ArmProgram Nth(int index) => Programs.Generate(new PCG(11, (ulong)index), null!, out _);

    public static (HashSet<string> Seen, ExplorationResult Result) Observe(ArmProgram p, ExplorationOptions options, DataMemoryModel model) =>
        ObservedExecution.Observe(s => new Execution(p, s, model), options);

    /// <summary>A guest whose words from <see cref="Base"/> to 0x3000 are kernel globals (no VA maps them), each of
    /// which may be read at an older value unless <paramref name="olderValues"/> says otherwise.</summary>
    internal sealed class GlobalsGuest(Func<Cpu, int, SimTask> handler, Func<ulong, bool>? olderValues = null) : IGuest
    {
        public SimTask HandleSgi(Cpu cpu, int sgi) => handler(cpu, sgi);
        public SimTask<bool> HandleFault(Cpu cpu, FaultInfo fault) => throw new InvalidOperationException($"CPU{cpu.Id}: unexpected fault");
        public bool IsPrivateKernelData(ulong pa) => pa >= Base && pa < 0x3000;
        public bool MayReadOlderValue(ulong pa) => IsPrivateKernelData(pa) && (olderValues?.Invoke(pa) ?? true);
    }

    private sealed class Execution : ObservedExecution
    {
        public Execution(ArmProgram p, IScheduler search, DataMemoryModel model) : base(search, p.Tasks.Length, 6)
        {
            int cpus = p.Tasks.Length;
            Sim = TestMachines.Make(cpus, this, new SimOptions { StepBudget = 500, MemoryModel = model });
            var tables = new PageTableBuilder(Sim.Arch);
            tables.CreateRoot();
            tables.Map(FrameVa, Frame, 4096, Prot.PAGE_KERNEL);
            Func<Cpu, ArmOp, SimTask> run = (cpu, op) => Run(cpu, op, cpus);
            Sim.AttachGuest(new GlobalsGuest((cpu, sgi) => RunHandler(p, cpu, "[irq ", run)));
            SpawnTasks(p, run);
        }

        /// <summary>The program's words (kernel globals), then the first words of the frame (outcomes record both).</summary>
        protected override ulong Word(int w) => w < 3 ? ArmDataPrograms.Word(w) : FrameWord(w - 3);

        private async SimTask Run(Cpu cpu, ArmOp op, int cpus)
        {
            var log = Reads[cpu.Id];
            ulong w = Word(op.Word), v = (ulong)op.Value;
            int target = (cpu.Id + 1 + op.Value % (cpus - 1)) % cpus;
            switch (op.Step)
            {
                case ArmStep.Load: log.Append(await cpu.LoadPhys(w)).Append(' '); break;
                case ArmStep.Store: await cpu.StorePhys(w, v + 1); break;
                case ArmStep.StoreRelease: await cpu.StorePhys(w, v + 1, MemOrder.Release); break;
                case ArmStep.LoadAcquire: log.Append('a').Append(await cpu.LoadPhys(w, MemOrder.Acquire)).Append(' '); break;
                case ArmStep.AddRelaxed: log.Append(await cpu.FetchAddPhys(w, 1, MemOrder.Relaxed)).Append(' '); break;
                case ArmStep.AddFull: log.Append(await cpu.FetchAddPhys(w, 1, MemOrder.Full)).Append(' '); break;
                case ArmStep.Cas: log.Append(await cpu.CasPhys(w, v, v + 1, MemOrder.Relaxed)).Append(' '); break;
                case ArmStep.Wait: await cpu.WaitPhys(w, v); break;
                case ArmStep.Wmb: await cpu.Barrier(BarrierKind.DmbIshSt); break;
                case ArmStep.Mb: await cpu.Barrier(BarrierKind.DmbIsh); break;
                case ArmStep.Dsb: await cpu.Barrier(BarrierKind.DsbIshSt); break;
                case ArmStep.Rmb: await cpu.Barrier(BarrierKind.DmbIshLd); break;
                case ArmStep.Isb: await cpu.Isb(); break;
                case ArmStep.SendIrq: await cpu.SendSgi(CpuMask.Of(target), IrqSgi); break;
                case ArmStep.FrameStore: await cpu.StoreFrame(1, 0, 0, 0, Frame, ulong.MaxValue, 10 * (v + 1), 1, 512); break;
                case ArmStep.FrameLoad: log.Append('f').Append(await cpu.LoadPhys(FrameWord(op.Word))).Append(' '); break;
                case ArmStep.VaStore: await cpu.Store(FrameVa + 8 * (ulong)op.Word, v + 1); break;
                case ArmStep.VaLoad: log.Append('v').Append(await cpu.Load(FrameVa + 8 * (ulong)op.Word)).Append(' '); break;
                case ArmStep.Choose:
                    ulong alt = await cpu.ChooseOne();
                    log.Append('c').Append(alt).Append(' ');
                    if (alt == 1) await cpu.StorePhys(w, v + 1);
                    break;
            }
        }
    }
}
