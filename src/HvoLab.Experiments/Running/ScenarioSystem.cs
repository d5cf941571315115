using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using HvoLab.Experiments.Scenarios;
using HvoLab.Kernel.Mm;
using HvoLab.Kernel.Primitives;
using HvoLab.Kernel.Workloads;
using HvoLab.Kernel;
using HvoLab.Strategies;
using KWorkloadSpec = HvoLab.Kernel.Workloads.WorkloadSpec;

namespace HvoLab.Experiments.Running;

/// <summary>What the runner records about the HVO operations of one execution.</summary>
public sealed class OperationLog
{
    public readonly List<(int Cpu, OperationKind Op, int Folios, double StartNs, double EndNs)> Ops = new();
    public double WindowStart = double.PositiveInfinity, WindowEnd;
    public double[]? StallAtStart;
    public double[]? StallAtEnd;
    public long ReaderIterationsAtStart, ReaderIterationsAtEnd;
}

/// <summary>
/// Turns a scenario into a running system: machine, engine, kernel with the chosen strategy's hooks, the HVO
/// operations as tasks on their CPUs, the workloads as background tasks. The same scenario, strategy, scheduler and
/// seed always build the same system.
/// </summary>
public sealed class ScenarioSystem
{
    /// <summary>Readers in a search do this many accesses each (a search needs finite executions).</summary>
    public const int SearchReaderIterations = 1;

    public HvoSystem System { get; }
    public Scenario Scenario { get; }
    public string Strategy { get; }
    public Strategy Hooks { get; }
    public OperationLog Log { get; } = new();
    public List<Workload> Workloads { get; } = new();
    public HashSet<int> UpdaterCpus { get; } = new();

    /// <param name="strategyOptions">Replaces the scenario's options for this strategy: strategy variants (e.g.
    /// ours' window size, "ours:8") are compared this way.</param>
    /// <param name="omitBarrierSite">A named barrier site to leave out (hvolab barriers), or null.</param>
    public ScenarioSystem(Scenario scenario, string strategy, IScheduler scheduler, ulong seed, bool recordEvents = false,
        CostModel? costOverride = null, object? strategyOptions = null, string? omitBarrierSite = null)
    {
        Scenario = scenario;
        Strategy = strategy;
        var info = StrategyRegistry.Get(strategy);
        Hooks = info.Create(strategyOptions ?? scenario.StrategyOptions.For(info));
        var machine = MachineConfigOf(scenario);
        var kernel = KernelConfigOf(scenario);
        var sched = scenario.Scheduler;
        var options = new SimOptions
        {
            Seed = seed, RecordEvents = recordEvents, StepBudget = sched.StepBudget, OmitBarrierSite = omitBarrierSite,
            // A silent file is SC here; check and barriers write their default into the scenario before (MemoryModelChoice).
            MemoryModel = scenario.Machine.MemoryModel ?? MemoryModelChoice.OtherwiseDefault,
            WallBudget = TimeSpan.FromSeconds(sched.WallSeconds), ClosedFormHandlers = sched.ClosedFormHandlers,
            LivelockWindowNs = LivelockWindowNs(scenario),
            StopOnViolation = scheduler.Mode == SchedulingMode.Choice || !info.TimePastViolations,
        };
        System = HvoSystem.Create(machine, kernel, Hooks, scheduler, costOverride ?? scenario.Machine.CostModel(), options);
        Spawn(seed, scheduler.Mode == SchedulingMode.Choice);
    }

    /// <summary>How long every main task may wait without progress before a timed run is a livelock: 100 ms of simulated
    /// time, or 100 times the longest period or masked section a workload is configured with, so a legitimately slow
    /// IPI acknowledgement (a 1 s IRQ-off section) is never mistaken for one.</summary>
    public static double LivelockWindowNs(Scenario s)
    {
        double longest = 0;
        foreach (var w in s.Workload)
            longest = Math.Max(longest, Math.Max(w.PeriodNs, Math.Max(w.IrqOffNs?.Max ?? 0, Math.Max(w.PreemptOffNs?.Max ?? 0, w.DaifMaskedNs?.Max ?? 0))));
        return Math.Max(100e6, 100 * longest);
    }

    public static MachineConfig MachineConfigOf(Scenario s) => s.Machine.ToMachineConfig() with { FillPolicy = TlbFillPolicy.Adversarial };

    public static KernelConfig KernelConfigOf(Scenario s) => new()
    {
        Design = s.Kernel.Design,
        HvoEnabled = s.Kernel.HvoEnabled,
        Reverted = ParseReverted(s.Kernel.RevertFix),
        PseudoNmi = s.Machine.PseudoNmi,
        Workarounds = s.Kernel.EffectiveWorkarounds(s.Machine).Contains(WorkaroundNames.RepeatTlbi) ? KernelWorkarounds.RepeatTlbi : KernelWorkarounds.None,
        FailVmemmapPte = s.Kernel.FailVmemmapPte is { } fp ? new FaultAttr(fp.Probability, fp.Interval, fp.Times) : null,
        FailVmemmapPmd = s.Kernel.FailVmemmapPmd is { } fm ? new FaultAttr(fm.Probability, fm.Interval, fm.Times) : null,
    };

    /// <summary>Why the modelled kernel would not run <paramref name="strategy"/> with <paramref name="options"/>
    /// (null: the scenario's) on the scenario's machine, or null: the strategy's own refusal rule. Every runner asks
    /// it before running anything.</summary>
    public static string? RefusalOf(Scenario s, string strategy, object? options)
    {
        var info = StrategyRegistry.Get(strategy);
        return info.Create(options ?? s.StrategyOptions.For(info)).Refusal(new SystemConfig(MachineConfigOf(s), KernelConfigOf(s)));
    }

    public static RevertedFix ParseReverted(IEnumerable<string> names)
    {
        var r = RevertedFix.None;
        foreach (var n in names)
            r |= n switch
            {
                RevertibleFixes.RcuSync => RevertedFix.RcuSync,
                RevertibleFixes.PmdSplitLock => RevertedFix.PmdSplitLock,
                RevertibleFixes.FreeBeforeFlush => RevertedFix.FreeBeforeFlush,
                _ => throw new ArgumentException($"revert fix '{n}' is unknown; allowed: {string.Join(", ", RevertibleFixes.All)}"),
            };
        return r;
    }

    private void Spawn(ulong seed, bool search)
    {
        var linux = System.Linux;
        var targets = PlanTargets(linux, search);
        foreach (var group in Scenario.Operations.GroupBy(o => o.Cpu))
        {
            UpdaterCpus.Add(group.Key);
            var ops = group.ToArray();
            System.Sim.Spawn(group.Key, cpu => RunOperations(cpu, ops));
        }
        foreach (var w in Scenario.Workload)
            foreach (int cpu in w.Cpus)
            {
                bool updater = UpdaterCpus.Contains(cpu);
                if (updater && w.Kind != WorkloadKind.NmiReader) continue;   // only interrupts can share a CPU with HVO
                var spec = new KWorkloadSpec
                {
                    Kind = ScenarioWords.Workload.Word(w.Kind), PeriodNs = w.PeriodNs, Seed = seed ^ (ulong)cpu,
                    Iterations = search ? SearchReaderIterations : (w.Kind == WorkloadKind.NmiReader ? null : null),
                    IrqOffNs = w.IrqOffNs is { } a ? new Kernel.Workloads.NsRange(a.Min, a.Max) : null,
                    PreemptOffNs = w.PreemptOffNs is { } b ? new Kernel.Workloads.NsRange(b.Min, b.Max) : null,
                    DaifMaskedNs = w.DaifMaskedNs is { } d ? new Kernel.Workloads.NsRange(d.Min, d.Max) : null,
                    TargetPfns = w.Kind == WorkloadKind.GupFast ? targets.InUse : targets.Hvo,
                };
                if (search && w.Kind == WorkloadKind.Background) continue;   // private work only costs time
                var workload = Workload.Create(linux, spec);
                Workloads.Add(workload);
                if (updater) ((NmiReader)workload).Arm(cpu);
                else System.Sim.Spawn(cpu, workload.Run, background: true);
            }
    }

    /// <summary>Which struct pages the readers look at. A search looks at the pages HVO changes (the first fake head
    /// and a tail of the first folio to be optimized, a tail of the in-use neighbour in the same vmemmap PMD); a timed
    /// run scans every PFN of the hugetlb region in order, as a compaction scanner would.</summary>
    private (ulong[] Hvo, ulong[] InUse) PlanTargets(Linux linux, bool search)
    {
        var first = Scenario.Operations.FirstOrDefault();
        int order = first is null ? 9 : linux.Hugetlb.OrderOf(first.HugepageBytes);
        ulong head = linux.Hugetlb.PeekNextHead(order) ?? 0;
        bool wantsGup = Scenario.Workload.Any(w => w.Kind == WorkloadKind.GupFast);
        var inUse = wantsGup ? linux.Hugetlb.SetupInUseFolio(order) : null;
        ulong perVmemmapPage = (ulong)linux.Layout.StructPagesPerVmemmapPage;
        ulong[] inUseTargets = inUse is null ? [] : [Math.Min(inUse.HeadPfn + perVmemmapPage + 1, inUse.HeadPfn + inUse.Pages - 1)];
        if (search)
        {
            // The pages the readers look at were in use until just before HVO takes them: their owner releases them
            // first (the speculative-walker race of bd225530a4c7 needs exactly this history).
            // (Only PFNs that exist: on 64K pages one vmemmap page covers 1024 struct pages, more than a small RAM.)
            ulong[] hvo = new[] { head + perVmemmapPage, head + 1 }.Where(p => p < linux.Layout.TotalPages).DefaultIfEmpty(head).ToArray();
            // That history is set up only when one CPU runs every operation. The in-use pages stay in the model's buddy,
            // so with a second updater (whose free or demote first fills the pool) the buddy could hand them to that CPU
            // before their owner released them, which the kernel never does: the owner then waited forever for a
            // refcount the allocation had reset ("off" reported a deadlock: issue #19, defect 2). Without the history
            // the readers still look at the same pages.
            if (Scenario.Operations.Select(o => o.Cpu).Distinct().Count() == 1)
                foreach (ulong pfn in hvo) { linux.MarkInUseLruPage(pfn); _releaseFirst.Add(pfn); }
            return (hvo, inUseTargets);
        }
        ulong total = 0;
        foreach (var op in Scenario.Operations.Where(o => o.Op == OperationKind.Alloc))
            total += (ulong)op.Count * linux.Layout.PagesPerHugepage(op.HugepageBytes);
        total = Math.Clamp(total, 1, 1UL << 22);
        var scan = new ulong[Math.Min(total, 4096)];
        ulong stride = Math.Max(1, total / (ulong)scan.Length);
        // Only PFNs with a struct page (pfn_valid): the region may start near the top of RAM.
        ulong scanFrom = Math.Min(head, linux.Layout.TotalPages - Math.Min(total, linux.Layout.TotalPages));
        for (int i = 0; i < scan.Length; i++) scan[i] = Math.Min(scanFrom + (ulong)i * stride, linux.Layout.TotalPages - 1);
        return (scan, inUseTargets.Length > 0 ? inUseTargets : scan);
    }

    private readonly List<ulong> _releaseFirst = new();

    private async SimTask RunOperations(Cpu cpu, OperationSpec[] ops)
    {
        var linux = System.Linux;
        if (cpu.Id == Scenario.Operations[0].Cpu)
            foreach (ulong pfn in _releaseFirst) await linux.ReleaseLruPage(cpu, pfn);
        foreach (var op in ops)
        {
            if (op.AtNs > cpu.Time) await cpu.Work(op.AtNs - cpu.Time);
            int order = linux.Hugetlb.OrderOf(op.HugepageBytes);
            if (op.Op != OperationKind.Alloc && !linux.Hugetlb.FreeFolios.Any(f => f.Order == order))
                await linux.Hugetlb.AllocPool(cpu, order, op.Count, op.Batched);   // unmeasured set-up: fill the pool first
            BeginWindow(cpu);
            double t0 = cpu.Time;
            int n = op.Op switch
            {
                OperationKind.Alloc => (await linux.Hugetlb.AllocPool(cpu, order, op.Count, op.Batched)).Count,
                OperationKind.Free => await linux.Hugetlb.FreePool(cpu, order, op.Count, op.Batched),
                _ => await linux.Hugetlb.Demote(cpu, order, linux.Hugetlb.OrderOf(op.DemoteToBytes ?? (2UL << 20)), op.Count),
            };
            Log.Ops.Add((cpu.Id, op.Op, n, t0, cpu.Time));
            EndWindow(cpu);
        }
    }

    private void BeginWindow(Cpu cpu)
    {
        if (Log.StallAtStart is not null) return;
        Log.WindowStart = cpu.Time;
        Log.StallAtStart = StallSnapshot();
        Log.ReaderIterationsAtStart = Workloads.Sum(w => w.Stats.Iterations);
    }

    private void EndWindow(Cpu cpu)
    {
        Log.WindowEnd = Math.Max(Log.WindowEnd, cpu.Time);
        Log.StallAtEnd = StallSnapshot();
        Log.ReaderIterationsAtEnd = Workloads.Sum(w => w.Stats.Iterations);
    }

    /// <summary>Per CPU: time spent not running its own work — in NMI, IRQ, fault and preempting (stopper) contexts.</summary>
    internal double[] StallSnapshot()
    {
        var cpus = System.Sim.Cpus;
        var s = new double[cpus.Length];
        for (int i = 0; i < cpus.Length; i++)
        {
            var t = cpus[i].Stats.TimeInContext;
            s[i] = t[(int)ContextKind.Nmi] + t[(int)ContextKind.Irq] + t[(int)ContextKind.Fault] + t[(int)ContextKind.Preempt];
        }
        return s;
    }
}
