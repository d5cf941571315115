using System.Diagnostics;
using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using HvoLab.Kernel.Mm;
using HvoLab.Kernel.Primitives;
using HvoLab.Kernel.Workloads;
using HvoLab.Kernel;
using HvoLab.Strategies;

namespace HvoLab.Experiments.Bench;

/// <summary>Outcome of one measured run: what was counted, how long it took on the host, peak RSS after it.</summary>
public sealed record BenchRun(long Operations, TimeSpan Wall, long AllocatedBytes, long PeakRssBytes, string Detail)
{
    /// <summary>User CPU time of the process during the run (the simulation is one thread; JIT and GC threads add a
    /// little): unlike wall time, hardly moved by other jobs on a shared machine.</summary>
    public TimeSpan UserCpu { get; init; }

    public double OpsPerSecond => Wall.TotalSeconds > 0 ? Operations / Wall.TotalSeconds : 0;
    public double BytesPerOp => Operations > 0 ? (double)AllocatedBytes / Operations : 0;
}

/// <summary>
/// The workloads behind the headline figures, shared by <c>hvolab bench</c> and the BenchmarkDotNet suite so the two
/// measure the same thing: the engine loop with a simple private workload, HVO of a whole pool under D with
/// background load (the 1 TiB scale run and its scaled-down versions), and the exhaustive proof of D.
/// </summary>
public static class BenchWorkloads
{
    /// <summary>Every CPU loops over private work, a load and a store of its own cache line (no sharing, no
    /// parking): the engine's per-op cost without kernel logic. Returns a simulator ready to run.</summary>
    public static Simulator EngineLoop(int cpus, int iterationsPerCpu, ulong seed = 1)
    {
        var arch = new ArchMachine(new MachineConfig { Cpus = cpus, MemoryBytes = 64UL << 20 });
        var sim = new Simulator(arch, HardwareCosts.Default, new TimedScheduler(), new SimOptions { RecordEvents = false, Seed = seed, StepBudget = long.MaxValue });
        for (int c = 0; c < cpus; c++)
            sim.Spawn(c, cpu => EngineBody(cpu, iterationsPerCpu));
        return sim;
    }

    private static async SimTask EngineBody(Cpu cpu, int iterations)
    {
        ulong line = 0x10_0000UL + (ulong)cpu.Id * 64;
        for (int i = 0; i < iterations; i++)
        {
            await cpu.Work(20);
            ulong v = await cpu.LoadPhys(line);
            await cpu.StorePhys(line, v + 1);
        }
    }

    /// <summary>Runs <see cref="EngineLoop"/> once, measuring host time and allocation on this thread.</summary>
    public static BenchRun MeasureEngine(int cpus, int iterationsPerCpu)
    {
        var sim = EngineLoop(cpus, iterationsPerCpu);
        long a0 = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        var r = sim.Run();
        sw.Stop();
        long alloc = GC.GetAllocatedBytesForCurrentThread() - a0;
        return new BenchRun(r.Steps, sw.Elapsed, alloc, PeakRss(), $"{cpus} CPUs, {r.Outcome}");
    }

    /// <summary>Machine for <paramref name="folios"/> 2 MiB folios: the pool plus the vmemmap, boot tables and slack.</summary>
    public static ulong MemoryFor(long folios)
    {
        ulong pool = (ulong)folios << 21;
        ulong total = pool + pool / 48 + (256UL << 20);          // vmemmap is 1/64 of RAM; keep a margin
        return (total + (1UL << 30) - 1) & ~((1UL << 30) - 1);   // whole GiB: the linear map uses 1 GiB blocks
    }

    /// <summary>HVO of every page of a pool of <paramref name="folios"/> 2 MiB folios under D (AllocPool, batched) on
    /// CPU 0 while the other CPUs run background load (IRQ-off stretches) until the pool is built.</summary>
    public static HvoSystem ScaleSystem(int cpus, long folios, double backgroundPeriodNs = 50_000, string strategy = "D", TimeSpan? wallBudget = null, bool lookahead = true)
    {
        var sys = HvoSystem.Create(new MachineConfig { Cpus = cpus, MemoryBytes = MemoryFor(folios) }, new KernelConfig { PseudoNmi = true },
            StrategyRegistry.Get(strategy).Create(), new TimedScheduler(),
            options: new SimOptions { RecordEvents = false, StepBudget = long.MaxValue, WallBudget = wallBudget ?? TimeSpan.FromHours(1), BackgroundLookahead = lookahead });
        var linux = sys.Linux;
        int order = linux.Hugetlb.OrderOf(2UL << 20);
        sys.Sim.Spawn(0, async cpu => await linux.Hugetlb.AllocPool(cpu, order, checked((int)folios), batched: true));
        for (int c = 1; c < cpus; c++)
            sys.Sim.Spawn(c, Workload.Create(linux, new WorkloadSpec
            {
                Kind = "background", PeriodNs = backgroundPeriodNs, IrqOffNs = new NsRange(100, 2000), Seed = (ulong)c,
            }).Run, background: true);
        return sys;
    }

    /// <summary>Result of a scale run: finished within the budget, or a projection from the share of folios done.</summary>
    public sealed record ScaleResult(BenchRun Run, bool Completed, double ProjectedSeconds);

    public static ScaleResult MeasureScale(int cpus, long folios, TimeSpan? budget = null)
    {
        var cpu0 = Process.GetCurrentProcess().UserProcessorTime;
        var sw = Stopwatch.StartNew();
        var sys = ScaleSystem(cpus, folios, wallBudget: budget ?? TimeSpan.FromHours(1));
        var r = sys.Sim.Run();
        sw.Stop();
        var userCpu = Process.GetCurrentProcess().UserProcessorTime - cpu0;
        int pool = sys.Linux.Hugetlb.FreeFolios.Count;
        bool done = r.Outcome == RunOutcome.Completed && pool == folios;
        // Progress: folios prepared (registry) count half, folios optimized (7 vmemmap pages freed each) the other half.
        double optimized = sys.Linux.VmemmapPagesFreed / (double)Math.Max(1, (sys.Linux.Layout.PagesPerHugepage(2UL << 20) * 64 / sys.Linux.Layout.PageSize) - 1);
        double progress = done ? 1 : (sys.Linux.Folios.Count + optimized) / (2.0 * folios);
        double projected = done ? sw.Elapsed.TotalSeconds : progress > 0 ? sw.Elapsed.TotalSeconds / progress : double.PositiveInfinity;
        string detail = $"{cpus} CPUs, {folios} folios: {r.Outcome}, pool {pool}, folios prepared {sys.Linux.Folios.Count}, vmemmap pages freed {sys.Linux.VmemmapPagesFreed}, " +
                        $"simulated {r.EndTimeNs / 1e9:F4} s, {r.Steps:N0} ops and {sys.Sim.SchedulingEvents:N0} scheduling events in {sw.Elapsed.TotalSeconds:F1} s host ({userCpu.TotalSeconds:F1} s user CPU), " +
                        $"{sys.Sim.ClosedFormHolds:N0} pause NMIs in closed form, touched frames {sys.Arch.Memory.TouchedFrames:N0} ({sys.Arch.Memory.FullFrames:N0} full)";
        if (!done) detail += $"; stopped at {progress:P1} of the work (budget {budget}), projected {projected:F0} s";
        return new ScaleResult(new BenchRun(r.Steps, sw.Elapsed, 0, PeakRss(), detail) { UserCpu = userCpu }, done, projected);
    }

    /// <summary>D on 3 CPUs: CPU 0 allocates and optimizes one 2 MiB folio (PMD split and remap, each under a pause),
    /// CPU 1 runs one iteration of a PFN walker over the folio's head and a tail, CPU 2 only takes the pause IPI.</summary>
    public static Simulator ExhaustiveDSystem(IScheduler scheduler, int readerIterations = 1)
    {
        var sys = HvoSystem.Create(new MachineConfig { Cpus = 3, MemoryBytes = 64UL << 20 }, new KernelConfig { PseudoNmi = true },
            StrategyRegistry.Get("D").Create(), scheduler,
            options: new SimOptions { RecordEvents = false, StepBudget = 100_000 });
        var linux = sys.Linux;
        int order = linux.Hugetlb.OrderOf(2UL << 20);
        sys.Sim.Spawn(0, async cpu => await linux.Hugetlb.AllocFreshFolio(cpu, order));
        // The buddy hands out the lowest free 2 MiB block first: PFN 0 is the folio's head.
        var targets = new ulong[] { 64, 0 };
        sys.Sim.Spawn(1, Workload.Create(linux, new WorkloadSpec { Kind = "pfn-walker", TargetPfns = targets, Iterations = readerIterations, PeriodNs = 0 }).Run);
        return sys.Sim;
    }

    /// <summary>The proof `hvolab check --strategy D` runs: DPOR with sleep sets (its default reduction).</summary>
    public static ExplorationResult ExploreD(TimeSpan budget, int readerIterations = 1, int workers = 1, int splitDepth = 0) =>
        new ExhaustiveExplorer(s => ExhaustiveDSystem(s, readerIterations), new ExplorationOptions
        {
            WallBudget = budget, MaxExecutions = long.MaxValue, Dpor = true, Workers = workers, SplitDepth = splitDepth,
        }).Explore();

    /// <summary>Peak resident set of this process (VmHWM), falling back to the runtime's peak working set.</summary>
    public static long PeakRss()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim()) * 1024;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return Process.GetCurrentProcess().PeakWorkingSet64;
    }
}
