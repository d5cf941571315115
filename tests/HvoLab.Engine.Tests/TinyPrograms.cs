using System.Text;
using CsCheck;
using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;

namespace HvoLab.Engine.Tests;

/// <summary>One step of a tiny generated program: an access to one of three words, a wait or a spin on one, an SGI
/// to another CPU (a normal IRQ or a pseudo-NMI), a masked access, or a ChooseOne.</summary>
public enum TinyStep { Load, Store, FetchAdd, Cas, Wait, Spin, SendIrq, SendNmi, IrqOffLoad, DaifMaskedStore, Choose }

/// <summary>What a FetchAdd step of a tiny program is: an add whose old value the CPU reads (atomic_fetch_add), an
/// atomic_inc whose value it never sees (<see cref="Cpu.AtomicAddPhys"/>), or an atomic_dec_and_test
/// (<see cref="Cpu.DecAndTestPhys"/>: the words start at 3, and a CPU that makes one zero sets it back to 3, as
/// multi_cpu_stop's last acknowledgement resets the count).</summary>
public enum TinyAdds { Fetch, Blind, DecAndTest }

/// <summary>
/// Generates tiny programs and runs them on a small machine (physical words, no page tables), recording what each
/// execution observed: every value each CPU read (handlers included, in the order the CPU ran them), the final
/// words, and whether it ended in a deadlock. Equivalent interleavings observe the same, so a sound reduction
/// observes every outcome the unreduced search observes.
/// </summary>
internal static class TinyPrograms
{
    public const int IrqSgi = 1, NmiSgi = 3;
    /// <summary>With <see cref="TinyAdds.DecAndTest"/>, the words' first value and the one the CPU that makes a word
    /// zero writes back: three acknowledgements per round, as multi_cpu_stop on 3 CPUs.</summary>
    private const ulong DecAndTestStart = 3;
    private const ulong Base = 0x1000;
    internal static ulong Word(int w) => Base + 8 * (ulong)w;

    public static readonly Gen<TinyProgram> Programs = SmallPrograms.Of<TinyStep>(maxTaskSteps: 3, handlerKinds: 3);

    /// <summary>The <paramref name="index"/>-th program of a fixed, seeded sequence (the same on every run).</summary>
    public static TinyProgram Nth(int index) => Programs.Generate(new PCG(7, (ulong)index), null!, out _);

    /// <summary>Programs of mostly adds to two words (half the steps; the rest loads, stores, waits and IRQs), 3 CPUs,
    /// so that several adds race on one word in most of them.</summary>
    private static readonly TinyStep[] Steps = [TinyStep.FetchAdd, TinyStep.FetchAdd, TinyStep.FetchAdd, TinyStep.Load, TinyStep.Store, TinyStep.Wait, TinyStep.SendIrq];
    private static readonly Gen<TinyOp> AddHeavyOp = Gen.Select(
        Gen.Int[0, 6].Select(k => Steps[k]),
        Gen.Int[0, 1], Gen.Int[0, 2], (s, w, v) => new TinyOp(s, w, v));
    private static readonly Gen<TinyProgram> AddHeavyPrograms =
        from tasks in AddHeavyOp.Array[1, 3].Array[3]
        from handlers in Gen.Select(Gen.Int[0, 1].Select(k => Steps[k * 3]), Gen.Int[0, 1], Gen.Int[0, 2], (s, w, v) => new TinyOp(s, w, v)).Array[0, 1].Array[3]
        select new TinyProgram(tasks, handlers);

    public static TinyProgram NthAddHeavy(int index) => AddHeavyPrograms.Generate(new PCG(11, (ulong)index), null!, out _);

    /// <summary>Every distinct observation of an exhaustive search of <paramref name="p"/>, and whether it completed.</summary>
    /// <param name="irqAsPreemptWork">Each SendIrq queues the target's handler as preempting work (a stopper) instead
    /// of sending an SGI: it starts at any point where the target has interrupts on.</param>
    /// <param name="adds">What the FetchAdd steps are.</param>
    public static (HashSet<string> Seen, ExplorationResult Result) Observe(TinyProgram p, ExplorationOptions options, bool irqAsPreemptWork = false, TinyAdds adds = TinyAdds.Fetch) =>
        ObservedExecution.Observe(s => new Execution(p, s, irqAsPreemptWork, adds), options);

    /// <summary>One execution: the simulator, what each CPU read, and whether the search cut it (sleep set).</summary>
    private sealed class Execution : ObservedExecution
    {
        private readonly TinyProgram _program;
        private readonly bool _irqAsPreemptWork;

        private readonly TinyAdds _adds;

        public Execution(TinyProgram p, IScheduler search, bool irqAsPreemptWork = false, TinyAdds adds = TinyAdds.Fetch)
            : base(search, p.Tasks.Length, 3)
        {
            _adds = adds;
            _program = p;
            _irqAsPreemptWork = irqAsPreemptWork;
            int cpus = p.Tasks.Length;
            Sim = TestMachines.Make(cpus, this, new SimOptions { PseudoNmi = true, StepBudget = 500 });
            Sim.Gic.SetPriority(NmiSgi, Gic.PrioNmi);
            if (adds == TinyAdds.DecAndTest) for (int w = 0; w < 3; w++) Sim.Arch.WritePhys(0, Word(w), DecAndTestStart);
            Func<Cpu, TinyOp, SimTask> run = (cpu, op) => Run(cpu, op, cpus);
            Sim.OnSgi((cpu, sgi) => RunHandler(p, cpu, sgi == NmiSgi ? "[nmi " : "[irq ", run));
            SpawnTasks(p, run);
        }

        protected override ulong Word(int w) => TinyPrograms.Word(w);

        private async SimTask Run(Cpu cpu, TinyOp op, int cpus)
        {
            var log = Reads[cpu.Id];
            ulong w = Word(op.Word), v = (ulong)op.Value;
            int target = (cpu.Id + 1 + op.Value % (cpus - 1)) % cpus;   // another CPU
            switch (op.Step)
            {
                case TinyStep.Load: log.Append(await cpu.LoadPhys(w)).Append(' '); break;
                case TinyStep.Store: await cpu.StorePhys(w, v); break;
                case TinyStep.FetchAdd when _adds == TinyAdds.Blind: await cpu.AtomicAddPhys(w, 1); break;
                case TinyStep.FetchAdd when _adds == TinyAdds.DecAndTest:
                    bool zero = await cpu.DecAndTestPhys(w);
                    log.Append(zero ? "z " : "nz ");
                    if (zero) await cpu.StorePhys(w, DecAndTestStart);
                    break;
                case TinyStep.FetchAdd: log.Append(await cpu.FetchAddPhys(w, 1)).Append(' '); break;
                case TinyStep.Cas: log.Append(await cpu.CasPhys(w, v, v + 1)).Append(' '); break;
                case TinyStep.Wait: await cpu.WaitPhys(w, v); break;
                case TinyStep.Spin:
                    while (await cpu.LoadPhys(w) != v) await cpu.Relax();
                    break;
                case TinyStep.SendIrq when _irqAsPreemptWork:
                    await cpu.StorePhys(Word(op.Word), v);   // the queueing step: work is queued as this store completes
                    cpu.Sim.Cpus[target].QueuePreemptWork(c => RunHandler(_program, c, "[work ", (c2, h) => Run(c2, h, cpus)), 0);
                    break;
                case TinyStep.SendIrq: await cpu.SendSgi(CpuMask.Of(target), IrqSgi); break;
                case TinyStep.SendNmi: await cpu.SendSgi(CpuMask.Of(target), NmiSgi); break;
                case TinyStep.IrqOffLoad:
                    await cpu.LocalIrqDisable();
                    log.Append(await cpu.LoadPhys(w)).Append(' ');
                    await cpu.LocalIrqEnable();
                    break;
                case TinyStep.DaifMaskedStore:
                    await cpu.DaifMask();
                    await cpu.StorePhys(w, v + 1);
                    await cpu.DaifRestore();
                    break;
                case TinyStep.Choose:
                    ulong alt = await cpu.ChooseOne();
                    log.Append('c').Append(alt).Append(' ');
                    if (alt == 1) await cpu.StorePhys(w, v);
                    break;
            }
        }
    }
}
