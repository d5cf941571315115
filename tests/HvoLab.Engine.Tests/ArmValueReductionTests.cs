using CsCheck;
using Xunit;
using HvoLab.Arch;
using HvoLab.Engine.Schedulers;

namespace HvoLab.Engine.Tests;

/// <summary>One step of a program for the value-based rules under the Arm data model: plain accesses, blind adds
/// (atomic_inc, relaxed and release), atomic_dec_and_test (fully ordered), barriers, an SGI.</summary>
public enum ArmAddStep { Load, Store, BlindAdd, DecAndTest, BlindAddRelease, StoreRelease, Wmb, Mb, SendIrq }

/// <summary>
/// Differential check of the value-based rules (blind adds commute, zero-tested adds that do not reach zero commute;
/// docs/engine.md 7, 8 and 13) under the Arm data model: every word is a kernel global (stores buffered), and word 2
/// may also be read at an older value (its stores are messages, so the rules leave its adds alone). DPOR must observe
/// every outcome of the unreduced search: each CPU's reads and dec-and-test results, the final words. The words start
/// at 3 and a CPU whose dec_and_test makes one zero sets it back to 3 with a relaxed (buffered) store.
/// </summary>
public class ArmValueReductionTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly Gen<SmallProgram<ArmAddStep>> Programs = SmallPrograms.Of<ArmAddStep>(maxTaskSteps: 4, handlerKinds: 4);

    [Fact]
    public void DporObservesWhatTheUnreducedSearchObservesUnderArm()
    {
        var (compared, onMessages, unreduced, dpor) = ReductionDifferential.CompareOnPrograms(output, ProgramCount,
            i => Programs.Generate(new PCG(37, (ulong)i), null!, out _), Observe, SplitSearchTests.Unreduced with { MaxExecutions = 20_000 },
            SplitSearchTests.Dpor, (p, _) => AddsTwiceOnMessages(p), "with adds of two CPUs on the word with messages");
        Assert.True(compared >= ProgramCount * 3 / 4 && onMessages >= 3, $"{compared} compared, {onMessages} with adds on the word with messages");
        Assert.True(dpor < unreduced);
    }

    /// <summary>Two CPUs add to a word whose relaxed loads may read older values, and a third reads it twice: the
    /// intermediate value it may read (1 or 2) depends on the adds' order, so the adds do not commute there.</summary>
    [Fact]
    public void BlindAddsOnAWordWithMessagesDoNotCommute()
    {
        var p = new SmallProgram<ArmAddStep>(
            [[new(ArmAddStep.BlindAdd, 2, 0)], [new(ArmAddStep.BlindAdd, 2, 1)], [new(ArmAddStep.Load, 2, 0), new(ArmAddStep.Load, 2, 0)]],
            [[], [], []]);
        var (expected, full) = Observe(p, SplitSearchTests.Unreduced);
        var (seen, r) = Observe(p, SplitSearchTests.Dpor);
        output.WriteLine($"unreduced {full.Executions} executions, {expected.Count} outcomes; DPOR {r.Executions}, {seen.Count}");
        Assert.True(full.Complete && r.Complete);
        Assert.Contains(expected, o => o.Contains("CPU2:4 ", StringComparison.Ordinal));   // 3 + 1: CPU0's add first
        Assert.Contains(expected, o => o.Contains("CPU2:5 ", StringComparison.Ordinal));   // 3 + 2: CPU1's add first
        ReductionDifferential.AssertObservesAll(expected, seen, "two adds on a word with messages");
    }

    private static int ProgramCount => int.TryParse(Environment.GetEnvironmentVariable("HVOLAB_ARM_ADD_PROGRAMS"), out int n) ? n : 60;

    private static bool AddsTwiceOnMessages(SmallProgram<ArmAddStep> p) =>
        p.Tasks.Count(t => t.Any(o => o.Word == 2 && o.Step is ArmAddStep.BlindAdd or ArmAddStep.BlindAddRelease or ArmAddStep.DecAndTest)) >= 2;

    private static (HashSet<string> Seen, ExplorationResult Result) Observe(SmallProgram<ArmAddStep> p, ExplorationOptions options) =>
        ObservedExecution.Observe(s => new Execution(p, s), options);

    private sealed class Execution : ObservedExecution
    {
        private const ulong Start = 3;

        public Execution(SmallProgram<ArmAddStep> p, IScheduler search) : base(search, p.Tasks.Length, 3)
        {
            int cpus = p.Tasks.Length;
            Sim = TestMachines.Make(cpus, this, new SimOptions { StepBudget = 500, MemoryModel = DataMemoryModel.Arm });
            Func<Cpu, ProgramOp<ArmAddStep>, SimTask> run = (cpu, op) => Run(cpu, op, cpus);
            Sim.AttachGuest(new ArmDataPrograms.GlobalsGuest((cpu, sgi) => RunHandler(p, cpu, "[irq ", run), pa => pa == Word(2)));
            for (int w = 0; w < 3; w++) Sim.Arch.WritePhys(0, Word(w), Start);
            SpawnTasks(p, run);
        }

        protected override ulong Word(int w) => ArmDataPrograms.Word(w);

        private async SimTask Run(Cpu cpu, ProgramOp<ArmAddStep> op, int cpus)
        {
            var log = Reads[cpu.Id];
            ulong w = Word(op.Word), v = (ulong)op.Value;
            switch (op.Step)
            {
                case ArmAddStep.Load: log.Append(await cpu.LoadPhys(w)).Append(' '); break;
                case ArmAddStep.Store: await cpu.StorePhys(w, v + 1); break;
                case ArmAddStep.StoreRelease: await cpu.StorePhys(w, v + 1, MemOrder.Release); break;
                case ArmAddStep.BlindAdd: await cpu.AtomicAddPhys(w, v + 1); break;
                case ArmAddStep.BlindAddRelease: await cpu.AtomicAddPhys(w, v + 1, order: MemOrder.Release); break;
                case ArmAddStep.DecAndTest:
                    bool zero = await cpu.DecAndTestPhys(w);
                    log.Append(zero ? "z " : "nz ");
                    if (zero) await cpu.StorePhys(w, Start);
                    break;
                case ArmAddStep.Wmb: await cpu.Barrier(BarrierKind.DmbIshSt); break;
                case ArmAddStep.Mb: await cpu.Barrier(BarrierKind.DmbIsh); break;
                case ArmAddStep.SendIrq: await cpu.SendSgi(CpuMask.Of((cpu.Id + 1 + op.Value % (cpus - 1)) % cpus), ArmDataPrograms.IrqSgi); break;
            }
        }
    }
}
