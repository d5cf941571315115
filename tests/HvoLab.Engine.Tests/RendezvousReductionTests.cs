using System.Text;
using CsCheck;
using Xunit;
using HvoLab.Arch;
using HvoLab.Engine.Schedulers;

namespace HvoLab.Engine.Tests;

/// <summary>
/// Differential check of rendezvous acknowledgements (<see cref="Cpu.BeginRendezvousAck"/>: the acknowledgements of
/// one round commute, the last one's state write is part of its step, a participant's wait into the round commutes
/// with them): generated programs in which 3 CPUs run rounds of multi_cpu_stop's protocol with random loads, stores
/// and IRQs (whose handlers access the same data words) between the wait and the acknowledgement. With the marks,
/// DPOR must observe every outcome — every value read, every final word — that DPOR observes without them (the
/// acknowledgement then a plain fetch-add and set_state op by op), and, where it completes, the unreduced search.
/// Which CPU was last is not an outcome: the protocol does not let it show.
/// </summary>
public class RendezvousReductionTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const ulong W0 = 0x1000, W1 = 0x1008, Ack = 0x2000, State = 0x2008;
    private const int Cpus = 3, IrqSgi = 1;

    private enum Step { Load, Store, Add, SendIrq, LoadState }
    private readonly record struct Op(Step Step, int Word, int Value);

    private sealed record Program(Op[][][] Between, Op[][] Handlers)
    {
        public override string ToString() => string.Join(" | ", Between.Select((rounds, c) =>
            $"CPU{c}: {string.Join(" ; ", rounds.Select(r => string.Join(" ", r)))} / irq: {string.Join(" ", Handlers[c])}"));
    }

    private static readonly Gen<Op> OpGen = Gen.Select(Gen.Int[0, 3].Select(k => (Step)k), Gen.Int[0, 1], Gen.Int[1, 3], (s, w, v) => new Op(s, w, v));
    private static Gen<Program> Programs(int rounds) =>
        from between in OpGen.Array[0, 1].Array[rounds].Array[Cpus]
        from handlers in OpGen.Where(o => o.Step != Step.SendIrq).Array[0, 1].Array[Cpus]
        select new Program(between, handlers);

    /// <summary>One round, small enough for the unreduced search: the marks must observe exactly what it observes.</summary>
    [Fact]
    public void OneRoundObservesWhatTheUnreducedSearchObserves()
    {
        int compared = 0;
        for (int i = 0; i < 30; i++)
        {
            var p = Programs(1).Generate(new PCG(29, (ulong)i), null!, out _);
            var (full, unreduced) = Observe(p, SplitSearchTests.Unreduced with { MaxExecutions = 20_000 }, marks: false);
            if (!unreduced.Complete) continue;
            var (seen, r) = Observe(p, SplitSearchTests.Dpor, marks: true);
            Assert.True(r.Complete);
            Assert.True(full.SetEquals(seen), $"program {i}: {p}\nunreduced observed {full.Except(seen).FirstOrDefault()}; marks observed {seen.Except(full).FirstOrDefault()}");
            compared++;
        }
        output.WriteLine($"{compared} one-round programs compared with the unreduced search");
        Assert.True(compared >= 15, $"{compared} programs compared");
    }

    [Fact]
    public void DporObservesEverythingWithRendezvousAcknowledgements()
    {
        int compared = 0, withIrq = 0;
        long plain = 0, marked = 0;
        for (int i = 0; i < 40; i++)
        {
            var p = Programs(2).Generate(new PCG(23, (ulong)i), null!, out _);
            var (expected, baseline) = Observe(p, SplitSearchTests.Dpor, marks: false);
            var (seen, r) = Observe(p, SplitSearchTests.Dpor, marks: true);
            Assert.True(baseline.Complete && r.Complete, $"program {i}: {p}");
            ReductionDifferential.AssertObservesAll(expected, seen, $"program {i}: {p}");
            compared++;
            if (expected.Any(o => o.Contains("[irq", StringComparison.Ordinal))) withIrq++;
            plain += baseline.Executions; marked += r.Executions;
        }
        output.WriteLine($"{compared} programs ({withIrq} with IRQs): {plain} DPOR executions without the marks, {marked} with");
        Assert.True(compared == 40 && withIrq >= 15 && marked < plain, $"{withIrq} with IRQs; {marked} vs {plain} executions");
    }

    /// <summary>Under the Arm data model (every word a kernel global: stores buffered) the marks run the last
    /// acknowledgement and set_state() as one step and let acknowledgements that do not end the round commute: DPOR
    /// must observe everything DPOR observes without the marks. The programs may also load the state word (a read
    /// the caller's promise allows), which with the round's later stores shows who acknowledged last.</summary>
    [Fact]
    public void UnderTheArmDataModelDporObservesEverythingWithTheMarks()
    {
        int compared = 0;
        long plain = 0, marked = 0;
        for (int i = 0; i < ArmPrograms; i++)
        {
            var p = ArmRoundPrograms.Generate(new PCG(31, (ulong)i), null!, out _);
            var (expected, a) = Observe(p, SplitSearchTests.Dpor with { MaxExecutions = 60_000 }, marks: false, DataMemoryModel.Arm);
            if (!a.Complete) continue;
            var (seen, b) = Observe(p, SplitSearchTests.Dpor, marks: true, DataMemoryModel.Arm);
            Assert.True(b.Complete, $"program {i}: {p}");
            ReductionDifferential.AssertObservesAll(expected, seen, $"program {i}: {p}");
            compared++; plain += a.Executions; marked += b.Executions;
        }
        output.WriteLine($"{compared} two-round programs under arm: {plain} DPOR executions without the marks, {marked} with");
        Assert.True(compared >= ArmPrograms * 3 / 4 && marked < plain, $"{compared} compared; {marked} vs {plain} executions");
    }

    /// <summary>Three CPUs acknowledge one round and then each stores its own value to a word; a fourth reads that word
    /// and then the state. Under the Arm data model the last acknowledger sees the new state through its own buffer and
    /// its store may pass the buffered state store, so "word written, state still 0" shows who was last: each of the
    /// three values must be seen with the state 0, as DPOR without the marks sees them. Treating the acknowledgements
    /// as commuting whoever ends the round (the SC rule) leaves the first CPU's turn to be last unexplored: only the
    /// latest race of the last CPU's counter reset is reversed.</summary>
    [Fact]
    public void UnderTheArmDataModelWhoIsLastIsExplored()
    {
        var (plain, a) = WhoIsLast(SplitSearchTests.Dpor, marks: false);
        var (seen, b) = WhoIsLast(SplitSearchTests.Dpor, marks: true);
        output.WriteLine($"DPOR without the marks {a.Executions} executions, {plain.Count} outcomes; with them {b.Executions}, {seen.Count}");
        Assert.True(a.Complete && b.Complete);
        for (int v = 1; v <= 3; v++) Assert.Contains($"{v},0", plain);
        ReductionDifferential.AssertObservesAll(plain, seen, "who is last");
    }

    private static (HashSet<string> Seen, ExplorationResult Result) WhoIsLast(ExplorationOptions options, bool marks)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string observed = "";
        var r = new ExhaustiveExplorer(search =>
        {
            if (observed.Length > 0) seen.Add(observed);
            observed = "";
            var sim = TestMachines.Make(4, search, new SimOptions { StepBudget = 2000, MemoryModel = DataMemoryModel.Arm });
            sim.AttachGuest(new ArmDataPrograms.GlobalsGuest((_, _) => default, olderValues: _ => false));
            sim.Arch.WritePhys(0, RoundAck, 3);
            for (int c = 0; c < 3; c++)
                sim.Spawn(c, async cpu =>
                {
                    if (marks) cpu.BeginRendezvousAck(RoundState, 0, 1);
                    bool lastOne = marks ? await cpu.DecAndTestPhys(RoundAck) : await cpu.FetchAddPhys(RoundAck, ulong.MaxValue) == 1;
                    if (lastOne)
                    {
                        await cpu.StorePhys(RoundAck, 3);
                        await cpu.Barrier(BarrierKind.DmbIshSt);
                        await cpu.StorePhys(RoundState, 1);
                    }
                    if (marks) cpu.EndRendezvousAck();
                    await cpu.WaitPhys(RoundState, 1);
                    await cpu.StorePhys(RoundWord, (ulong)cpu.Id + 1);
                });
            sim.Spawn(3, async cpu =>
            {
                ulong w = await cpu.LoadPhys(RoundWord);
                ulong state = await cpu.LoadPhys(RoundState);
                observed = $"{w},{state}";
            });
            return sim;
        }, options).Explore();
        if (observed.Length > 0) seen.Add(observed);
        return (seen, r);
    }

    private const int ArmPrograms = 24;

    private static readonly Gen<Program> ArmRoundPrograms =
        from between in ArmOpGen.Array[0, 1].Array[2].Array[Cpus]
        from handlers in ArmOpGen.Where(o => o.Step != Step.SendIrq).Array[0, 2].Array[Cpus]
        select new Program(between, handlers);

    /// <summary>The steps of <see cref="OpGen"/> and a load of the state word.</summary>
    private static Gen<Op> ArmOpGen => Gen.Select(Gen.Int[0, 4].Select(k => (Step)k), Gen.Int[0, 1], Gen.Int[1, 3], (s, w, v) => new Op(s, w, v));

    private const ulong RoundWord = ArmDataPrograms.Base, RoundAck = ArmDataPrograms.Base + 8, RoundState = ArmDataPrograms.Base + 16;

    private static (HashSet<string> Seen, ExplorationResult Result) Observe(Program p, ExplorationOptions options, bool marks,
        DataMemoryModel model = DataMemoryModel.Sc)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Simulator? last = null;
        StringBuilder[] logs = [];
        void Harvest()
        {
            if (last is null) return;
            var sb = new StringBuilder();
            foreach (var l in logs) sb.Append(l).Append(" / ");
            sb.Append($"w0={last.Arch.ReadPhys(W0)} w1={last.Arch.ReadPhys(W1)} state={last.Arch.ReadPhys(State)}");
            foreach (var v in last.Violations) sb.Append(' ').Append(v.Kind);
            seen.Add(sb.ToString());
        }
        var pruned = false;
        var r = new ExhaustiveExplorer(search =>
        {
            if (!pruned) Harvest();
            var probe = new PruneProbe(search);
            var sim = TestMachines.Make(Cpus, probe, new SimOptions { PseudoNmi = true, StepBudget = 2000, MemoryModel = model });
            probe.Pruned = () => pruned = true;
            pruned = false;
            var l = logs = Enumerable.Range(0, Cpus).Select(_ => new StringBuilder()).ToArray();
            Func<Cpu, int, SimTask> handler = async (cpu, sgi) =>
            {
                l[cpu.Id].Append("[irq ");
                foreach (var op in p.Handlers[cpu.Id]) await Run(cpu, op, l[cpu.Id]);
                l[cpu.Id].Append(']');
            };
            // Under the Arm data model the words are kernel globals (their stores buffered); W1 may also be read at an
            // older value (the value rules then leave its adds alone), the counter and the state may not.
            if (model == DataMemoryModel.Arm) sim.AttachGuest(new ArmDataPrograms.GlobalsGuest(handler, pa => pa == W1));
            else sim.OnSgi(handler);
            sim.Arch.WritePhys(0, Ack, Cpus);
            for (int c = 0; c < Cpus; c++)
            {
                var rounds = p.Between[c];
                sim.Spawn(c, async cpu =>
                {
                    for (int round = 0; round < rounds.Length; round++)
                    {
                        ulong cur = (ulong)round;
                        await cpu.WaitPhys(State, cur);
                        foreach (var op in rounds[round]) await Run(cpu, op, l[cpu.Id]);
                        if (marks) cpu.BeginRendezvousAck(State, cur, cur + 1);
                        bool lastOne = marks ? await cpu.DecAndTestPhys(Ack) : await cpu.FetchAddPhys(Ack, ulong.MaxValue) == 1;
                        if (lastOne)
                        {
                            await cpu.StorePhys(Ack, Cpus);
                            await cpu.Barrier(BarrierKind.DmbIshSt);
                            await cpu.StorePhys(State, cur + 1);
                        }
                        if (marks) cpu.EndRendezvousAck();
                    }
                });
            }
            last = sim;
            return sim;
        }, options).Explore();
        if (!pruned) Harvest();
        return (seen, r);
    }

    private static async SimTask Run(Cpu cpu, Op op, StringBuilder log)
    {
        ulong w = op.Word == 0 ? W0 : W1;
        switch (op.Step)
        {
            case Step.Load: log.Append(await cpu.LoadPhys(w)).Append(' '); break;
            case Step.Store: await cpu.StorePhys(w, (ulong)op.Value); break;
            case Step.Add: log.Append(await cpu.FetchAddPhys(w, (ulong)op.Value)).Append(' '); break;
            case Step.LoadState: log.Append('s').Append(await cpu.LoadPhys(State)).Append(' '); break;
            case Step.SendIrq: await cpu.SendSgi(CpuMask.Of((cpu.Id + op.Value) % Cpus == cpu.Id ? (cpu.Id + 1) % Cpus : (cpu.Id + op.Value) % Cpus), IrqSgi); break;
        }
    }

    /// <summary>Notes whether the search cut the execution (its outcome is then a prefix, not an outcome).</summary>
    private sealed class PruneProbe(IScheduler inner) : IScheduler
    {
        public Action Pruned = () => { };
        public SchedulingMode Mode => SchedulingMode.Choice;
        public void OnExecutionStart(Simulator sim) => inner.OnExecutionStart(sim);
        public int Choose(ReadOnlySpan<int> actions, Simulator sim)
        {
            int i = inner.Choose(actions, sim);
            if (i < 0) Pruned();
            return i;
        }
    }
}
