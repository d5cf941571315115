using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using HvoLab.Kernel.Mm;
using HvoLab.Kernel.Primitives;
using HvoLab.Kernel.Workloads;

namespace HvoLab.Kernel.Tests;

/// <summary>Builds small booted systems for the kernel tests and runs one body on CPU0 in a timed execution.</summary>
public static class KernelSystems
{
    /// <summary>A timed system with the generic (x86) hooks. The generic hooks rewrite live entries without
    /// break-before-make, so the Arch oracle reports "bbm"; the geometry tests look at the resulting tables, not at
    /// the ordering, so violations do not stop the run (callers assert which kinds were reported).</summary>
    public static HvoSystem Generic(Granule granule, ulong memoryBytes, KernelConfig? kernel = null, int cpus = 1) =>
        HvoSystem.Create(new MachineConfig { Cpus = cpus, Granule = granule, MemoryBytes = memoryBytes },
            kernel ?? new KernelConfig(), new GenericVmemmapArch(), new TimedScheduler(),
            options: new SimOptions { StopOnViolation = false, StepBudget = 50_000_000 });

    /// <summary>Runs <paramref name="body"/> on CPU0 to completion and returns the run result.</summary>
    public static RunResult RunOnCpu0(HvoSystem sys, Func<Cpu, SimTask> body)
    {
        sys.Sim.Spawn(0, body);
        return sys.Sim.Run();
    }

    /// <summary>Kinds of the violations of a run, distinct, sorted (for assertions and messages).</summary>
    public static string[] Kinds(RunResult r) => r.Violations.Select(v => v.Kind).Distinct().OrderBy(k => k).ToArray();
}
