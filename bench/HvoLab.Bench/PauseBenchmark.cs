using BenchmarkDotNet.Attributes;
using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using HvoLab.Kernel.Mm;
using HvoLab.Kernel.Primitives;
using HvoLab.Kernel.Workloads;
using HvoLab.Kernel;
using HvoLab.Strategies;

namespace HvoLab.Bench;

/// <summary>
/// One pause_remote_cpus / resume_remote_cpus round trip (the D pause) on machines of 4 to 256 CPUs whose other CPUs
/// are busy with private work, with the pause handler in closed form and op by op. Host time per pause should grow
/// linearly with the CPUs paused, and with a small constant in closed form (docs/performance.md).
/// </summary>
[MemoryDiagnoser]
public class PauseBenchmark
{
    private const int Pauses = 100;
    private Simulator _sim = null!;

    [Params(4, 16, 64, 256)] public int Cpus;
    [Params(true, false)] public bool ClosedForm;

    [IterationSetup]
    public void Setup()
    {
        var sys = HvoSystem.Create(new MachineConfig { Cpus = Cpus, MemoryBytes = 1UL << 30 }, new KernelConfig { PseudoNmi = true },
            _arch = new PauseOnly(), new TimedScheduler(),
            options: new SimOptions { RecordEvents = false, ClosedFormHandlers = ClosedForm, StepBudget = long.MaxValue });
        var pause = _arch.Pause;
        sys.Sim.Spawn(0, async cpu =>
        {
            for (int i = 0; i < Pauses; i++)
            {
                await cpu.LocalIrqDisable();
                await pause.PauseRemoteCpus(cpu);
                await cpu.Work(1_000);           // the BBM window
                await pause.ResumeRemoteCpus(cpu);
                await cpu.LocalIrqEnable();
                await cpu.Work(5_000);
            }
        });
        for (int c = 1; c < Cpus; c++) sys.Sim.Spawn(c, async cpu => await cpu.Work(1e9), background: true);
        _sim = sys.Sim;
    }

    [Benchmark(OperationsPerInvoke = Pauses)]
    public RunOutcome PauseAndResume() => _sim.Run().Outcome;

    private PauseOnly _arch = null!;

    /// <summary>No HVO changes, only the seed series' CPU pause (pause_remote_cpus and its IPI case).</summary>
    private sealed class PauseOnly : VmemmapArch
    {
        public ICpuPause Pause { get; private set; } = null!;
        public override string Name => "pause-only";
        protected override void OnAttach() => Pause = K.CpuPause(PauseIpi.Nmi);
    }
}
