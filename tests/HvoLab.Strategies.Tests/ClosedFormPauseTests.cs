using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using HvoLab.Kernel.Mm;
using HvoLab.Kernel.Primitives;
using HvoLab.Kernel.Workloads;
using HvoLab.Kernel;
using HvoLab.Strategies;
using Xunit;

namespace HvoLab.Strategies.Tests;

/// <summary>
/// The closed form of pause_local_cpu (SpinHandler, derived from the steps its op-level form runs; ClosedFormRunner) must give the
/// timed run the op-level handler gives. With jitter off, both runs are compared number for number: end time, steps,
/// violations, and every CPU's clock, per-context time, spin time, NMIs taken, IRQ-off stretches and labelled time.
/// The systems mix CPUs the closed form can hold (background work) with CPUs it cannot (PFN walker and GUP-fast
/// readers, DAIF-masked sections, an IPI aimed at a CPU just before its pause NMI would arrive). With jitter on they
/// must be identical too: each CPU draws its jitter from its own stream (TimedDriver), so the closed form, which draws a
/// handler's costs at other moments of the run than the op-level handler, still gives each CPU the same values.
/// </summary>
public class ClosedFormPauseTests
{
    private static HvoSystem Build(string strategy, int cpus, bool closedForm, bool ipiIntoTheWindow = false, bool daifMasked = false, bool jitter = false,
        bool trace = false, long stepBudget = 5_000_000)
    {
        var cost = jitter ? CostModel.Default : CostModel.Default with { Hardware = HardwareCosts.Default with { Jitter = 0 } };
        var sys = HvoSystem.Create(new MachineConfig { Cpus = cpus, MemoryBytes = 256UL << 20 }, new KernelConfig { PseudoNmi = true },
            StrategyRegistry.Get(strategy).Create(), new TimedScheduler(), cost,
            new SimOptions { RecordEvents = trace, StepBudget = stepBudget, Seed = 3, ClosedFormHandlers = closedForm });
        var linux = sys.Linux;
        int order = linux.Hugetlb.OrderOf(2UL << 20);
        sys.Sim.Spawn(0, async cpu =>
        {
            const int n = 6;
            await linux.Hugetlb.AllocPool(cpu, order, n, batched: true);
            await linux.Hugetlb.FreePool(cpu, order, n / 2, batched: true);
        });
        var targets = new ulong[] { 0, 64, 512 + 64 };
        sys.Sim.Spawn(1, Workload.Create(linux, new WorkloadSpec { Kind = "pfn-walker", TargetPfns = targets, PeriodNs = 700 }).Run, background: true);
        sys.Sim.Spawn(2, Workload.Create(linux, new WorkloadSpec { Kind = "gup-fast", TargetPfns = targets, PeriodNs = 900 }).Run, background: true);
        for (int c = 3; c < cpus; c++)
            if (!ipiIntoTheWindow || c != cpus - 2)
                sys.Sim.Spawn(c, Workload.Create(linux, new WorkloadSpec
            {
                Kind = "background", PeriodNs = 3_000 + 500 * c, IrqOffNs = new NsRange(100, 2000), Seed = (ulong)c,
                DaifMaskedNs = daifMasked && c % 3 == 0 ? new NsRange(200, 3000) : null,
            }).Run, background: true);
        // Another CPU sends the last CPU a reschedule IPI as soon as it sees cpu_paused set: it lands between the pause
        // SGI's send and its arrival, where it must cancel the closed-form hold. A timer interrupt arrives now and then.
        if (ipiIntoTheWindow)
        {
            sys.Sim.AddExternalInterrupt(cpus - 1, Linux.IPI_TIMER, 7_300, count: 400);
            sys.Sim.Spawn(cpus - 2, async cpu =>
            {
                var target = CpuMask.Of(cpus - 1);
                for (int i = 0; i < 5; i++)
                {
                    await cpu.WaitPhys(linux.Data.CpuPaused, 1);
                    await cpu.SendSgi(target, Linux.IPI_RESCHEDULE);
                    await cpu.WaitPhys(linux.Data.CpuPaused, 0);
                }
            });
        }
        return sys;
    }

    private static string Fingerprint(HvoSystem sys, RunResult r)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append($"{r.Outcome} steps={r.Steps} end={r.EndTimeNs:R} violations={string.Join(",", r.Violations.Select(v => v.Kind))}\n");
        foreach (var c in sys.Sim.Cpus)
        {
            var s = c.Stats;
            sb.Append($"cpu{c.Id} t={c.Time:R} ops={s.Ops} nmi={s.NmisTaken} irq={s.InterruptsTaken} spin={s.SpinNs:R} ");
            sb.Append($"irqoff max={s.MaxIrqsOffNs:R} total={s.TotalIrqsOffNs:R} ctx=[{string.Join(",", s.TimeInContext.Select(x => x.ToString("R")))}] ");
            sb.Append($"labels=[{string.Join(",", s.TimeByLabel.Entries().Select(k => $"{sys.Sim.LabelName(k.Key)}:{k.Value:R}"))}]\n");
        }
        return sb.ToString();
    }

    private static Simulator AssertSameRun(string strategy, int cpus, bool ipi = false, bool daif = false, bool jitter = false)
    {
        var op = Build(strategy, cpus, closedForm: false, ipi, daif, jitter);
        var rOp = op.Sim.Run();
        var cf = Build(strategy, cpus, closedForm: true, ipi, daif, jitter);
        var rCf = cf.Sim.Run();
        Assert.Null(rOp.Error);
        Assert.Equal(RunOutcome.Completed, rOp.Outcome);
        // Line by line, so a mismatch names the CPU and shows both lines whole.
        var a = Fingerprint(op, rOp).Split('\n');
        var b = Fingerprint(cf, rCf).Split('\n');
        if (Environment.GetEnvironmentVariable("TIB_DIFF") == "1") for (int i = 0; i < Math.Min(a.Length, b.Length); i++) if (a[i] != b[i]) Console.WriteLine($"DIFF {i}\nOP {a[i]}\nCF {b[i]}");
        for (int i = 0; i < Math.Min(a.Length, b.Length); i++) Assert.True(a[i] == b[i], $"line {i} differs\nop-level:    {a[i]}\nclosed form: {b[i]}");
        Assert.Equal(a.Length, b.Length);
        // The closed form did the work: far fewer scheduling events for the same run.
        Assert.True(cf.Sim.SchedulingEvents < op.Sim.SchedulingEvents, $"{cf.Sim.SchedulingEvents} vs {op.Sim.SchedulingEvents} events");
        Assert.True(cf.Sim.ClosedFormHolds > 0);
        Assert.Equal(0, op.Sim.ClosedFormHolds);
        return cf.Sim;
    }

    [Theory]
    [InlineData("D", 6)]
    [InlineData("D", 12)]
    [InlineData("ours", 10)]
    public void ClosedFormEqualsOpLevel(string strategy, int cpus) => AssertSameRun(strategy, cpus);

    [Theory]
    [InlineData("D", 12)]
    [InlineData("ours", 10)]
    public void ClosedFormEqualsOpLevelWithJitter(string strategy, int cpus) => AssertSameRun(strategy, cpus, jitter: true);

    [Fact]
    public void DaifMaskedCpusTakeThePauseOpByOp() => AssertSameRun("D", 9, daif: true);

    [Fact]
    public void AnInterruptArrivingFirstCancelsTheHoldWithJitter() => Assert.True(AssertSameRun("D", 8, ipi: true, daif: true, jitter: true).ClosedFormCancels > 0);

    [Fact]
    public void AnInterruptArrivingFirstCancelsTheHold() => Assert.True(AssertSameRun("D", 8, ipi: true).ClosedFormCancels > 0);

    /// <summary>Without a trace, a hold made at the send puts the CPU's entry off to the release (ClosedFormRunner.HoldAtSend);
    /// with one it is made in full. Both must give the same run, with holds cancelled by an earlier interrupt.</summary>
    [Fact]
    public void AHoldPutOffToTheReleaseEqualsTheFullHold()
    {
        var full = Build("D", 8, closedForm: true, ipiIntoTheWindow: true, daifMasked: true, jitter: true, trace: true);
        var rFull = full.Sim.Run();
        var put = Build("D", 8, closedForm: true, ipiIntoTheWindow: true, daifMasked: true, jitter: true, trace: false);
        var rPut = put.Sim.Run();
        Assert.Equal(Fingerprint(full, rFull), Fingerprint(put, rPut));
        Assert.True(put.Sim.ClosedFormCancels > 0);
        Assert.Equal((full.Sim.ClosedFormHolds, full.Sim.ClosedFormCancels), (put.Sim.ClosedFormHolds, put.Sim.ClosedFormCancels));
    }

    /// <summary>A run that ends while CPUs are held (a pause never resumed: deadlock) reads the held CPUs' state in its
    /// report and statistics: the CPUs whose entry was put off are given the full hold's state first.</summary>
    [Fact]
    public void ARunEndingInsideAPauseReportsTheFullHoldsState()
    {
        string Run(bool trace)
        {
            var sys = HvoSystem.Create(new MachineConfig { Cpus = 6, MemoryBytes = 64UL << 20 }, new KernelConfig { PseudoNmi = true },
                StrategyRegistry.Get("D").Create(), new TimedScheduler(), CostModel.Default,
                new SimOptions { RecordEvents = trace, StepBudget = 1_000_000, Seed = 5 });
            var pause = new RemoteCpuPause(sys.Linux, PauseIpi.Nmi);
            sys.Sim.Spawn(0, async cpu =>
            {
                await cpu.Work(20_000);
                cpu.PreemptCount++;
                await pause.PauseRemoteCpus(cpu);   // and never resume_remote_cpus()
            });
            for (int c = 1; c < 6; c++)
                sys.Sim.Spawn(c, Workload.Create(sys.Linux, new WorkloadSpec { Kind = "background", PeriodNs = 5_000, Seed = (ulong)c }).Run, background: true);
            var r = sys.Sim.Run();
            Assert.Equal(RunOutcome.Deadlock, r.Outcome);
            Assert.True(sys.Sim.ClosedFormHolds > 0);
            return Fingerprint(sys, r) + string.Join("\n", r.Violations.Select(v => v.Explanation));
        }
        Assert.Equal(Run(trace: true), Run(trace: false));
    }
}
