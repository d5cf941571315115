using HvoLab.Arch;

namespace HvoLab.Engine;

/// <summary>
/// The engine: owns the CPUs and their context stacks, and runs one execution (<see cref="Run"/>). Simulated code
/// runs only inside <see cref="Run"/>, on the calling thread, one CPU at a time. The work is delegated: the mode's
/// rules to the <see cref="ExecutionDriver"/> (timed or search), each op's semantics to <see cref="OpExecutor"/>,
/// interrupt and fault entry to <see cref="ExceptionModel"/>, closed-form handlers to <see cref="ClosedFormRunner"/>;
/// the machine (memory, TLBs, GIC, masks) is HvoLab.Arch and the software on it an <see cref="IGuest"/>.
/// </summary>
public sealed partial class Simulator
{
    private readonly List<(int Cpu, Func<Cpu, SimTask> Body, bool Background)> _spawns = new();
    private readonly ViolationLog _violations = new();
    private readonly List<int> _choices = new();
    private readonly LabelTable _labels = new();
    private Cpu? _forceFault;
    private bool _started, _looping;

    public Simulator(ArchMachine arch, HardwareCosts cost, IScheduler scheduler, SimOptions? options = null)
    {
        Arch = arch; Cost = cost; Scheduler = scheduler; Options = options ?? new SimOptions();
        Cpus = new Cpu[arch.Cpus];
        for (int i = 0; i < Cpus.Length; i++) Cpus[i] = new Cpu(this, i);
        Gic = new Gic(Cpus.Length);
        Ops = new OpExecutor(this);
        Exceptions = new ExceptionModel(this);
        ClosedForm = new ClosedFormRunner(this);
        Driver = scheduler.Mode == SchedulingMode.Timed ? new TimedDriver(this) : new SearchDriver(this);
        DataBuffer = new DataStoreBuffers(this, Options.MemoryModel == DataMemoryModel.Arm && scheduler.Mode == SchedulingMode.Choice);
        Trace = new TraceLog(Options.RecordEvents) { LabelNames = LabelName };
        Termination = new RunTermination(this);
        Contexts = new ContextStack(this);
    }

    public ArchMachine Arch { get; }
    public HardwareCosts Cost { get; }
    public IScheduler Scheduler { get; }
    public SimOptions Options { get; }
    public Cpu[] Cpus { get; }
    public Gic Gic { get; }
    public TraceLog Trace { get; }
    public long Steps { get; internal set; }
    /// <summary>Times the timed scheduler picked a CPU (each costs a queue update; ops run inline in between).</summary>
    public long SchedulingEvents => Driver.SchedulingEvents;
    /// <summary>The rules of this run's mode (timed or search); fixed at construction.</summary>
    internal ExecutionDriver Driver { get; }
    /// <summary>Interrupt handlers taken in closed form (timed runs).</summary>
    internal ClosedFormRunner ClosedForm { get; }
    /// <summary>The semantics and cost of each op, spin parking and wake-ups.</summary>
    internal OpExecutor Ops { get; }
    /// <summary>Buffered data stores under the Arm data model (inactive otherwise).</summary>
    internal DataStoreBuffers DataBuffer { get; }
    /// <summary>Every CPU's context stack (frames pushed and popped at exception entry and return).</summary>
    internal ContextStack Contexts { get; }
    /// <summary>The CPU whose code runs now (ops of that CPU may run inline), or null between actions.</summary>
    internal Cpu? Running { get; set; }
    /// <summary>Taking interrupts, faults and preempting work.</summary>
    internal ExceptionModel Exceptions { get; }
    /// <summary>Interrupts taken in closed form, and holds cancelled because something else reached the CPU first.</summary>
    public long ClosedFormHolds => ClosedForm.Holds;
    public long ClosedFormCancels => ClosedForm.Cancels;
    /// <summary>Set when every non-background task has finished: background loops poll it and return.</summary>
    public bool StopRequested => Termination.StopRequested;
    /// <summary>When and how the run ends (all tasks done, deadlock, budget).</summary>
    internal RunTermination Termination { get; }
    public IReadOnlyList<Violation> Violations => _violations.Kept;
    public const int MaxKeptViolations = ViolationLog.MaxKept;
    public long ViolationsDropped { get => _violations.Dropped; internal set => _violations.Dropped = value; }
    public IReadOnlyList<int> Choices => _choices;
    /// <summary>The software this machine runs (interrupt and fault entry, hints to the search); null until attached.</summary>
    public IGuest? Guest { get; private set; }

    /// <summary>Installs the guest, once, before <see cref="Run"/>.</summary>
    public void AttachGuest(IGuest guest)
    {
        if (_started) throw new InvalidOperationException("attach the guest before Run");
        if (Guest != null) throw new InvalidOperationException("a guest is attached already");
        Guest = guest;
    }

    /// <summary>Checks run once when every task has finished (end-state invariants, e.g. no lost update).</summary>
    public List<Action<Simulator>> FinalChecks { get; } = new();

    /// <summary>An interrupt source outside the CPUs (a PMU overflow, a watchdog): raises <paramref name="sgi"/> on
    /// <paramref name="cpu"/> every <paramref name="periodNs"/> of virtual time, <paramref name="count"/> times at most
    /// (null = until the run stops). In a search the arrival time is ignored: the interrupt may be taken at any point.</summary>
    public void AddExternalInterrupt(int cpu, int sgi, double periodNs, int? count = null) =>
        Exceptions.AddExternalInterrupt(cpu, sgi, periodNs, count);

    public int Label(string name) => _labels.Intern(name);
    public string LabelName(int id) => _labels.Name(id);
    public void AddMonitor(IMonitor monitor) => Monitors.Add(monitor);
    internal List<IMonitor> Monitors { get; } = new();

    /// <summary>Place a task on a CPU. Background tasks are loops that return once <see cref="StopRequested"/> is set.</summary>
    public void Spawn(int cpu, Func<Cpu, SimTask> body, bool background = false)
    {
        if (_started) throw new InvalidOperationException("spawn before Run");
        if ((uint)cpu >= (uint)Cpus.Length) throw new ArgumentOutOfRangeException(nameof(cpu), cpu, $"cpu must be 0..{Cpus.Length - 1}");
        _spawns.Add((cpu, body, background));
    }

    /// <summary>Record a violation found by a monitor or kernel check. The run stops after it if StopOnViolation.</summary>
    public void ReportViolation(ViolationKind kind, int[] cpus, ulong va, string explanation) => ReportViolation(kind.Word(), cpus, va, explanation);

    /// <summary>Record a violation under its printed word (monitors of the model use <see cref="ViolationKind"/>).</summary>
    public void ReportViolation(string kind, int[] cpus, ulong va, string explanation)
    {
        foreach (int c in cpus) ClosedForm.Materialize(Cpus[c]);   // the report reads their clocks
        if (_violations.Record(kind, cpus, va, explanation, Cpus, Steps, out double t) && Trace.Enabled)
            Trace.Mark(t, cpus.Length > 0 ? cpus[0] : 0, "violation: " + kind);
        if (Options.StopOnViolation) Termination.Abort();
    }

    /// <summary>Runs the execution to the end: all tasks done, a violation, a deadlock or the budget.</summary>
    public RunResult Run()
    {
        if (_started) throw new InvalidOperationException("a Simulator runs once; build a new one for another execution");
        _started = true;
        var savedContext = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        Termination.Start();
        try
        {
            Scheduler.OnExecutionStart(this);
            foreach (var (cpu, body, background) in _spawns)
            {
                var c = Cpus[cpu];
                c.IsBackground = background;
                Contexts.StartFrame(c, ContextKind.Task, body);
            }
            _looping = true;   // from here on ops may run inline; while spawning, every task stops at its first op
            var outcome = Driver.Run();
            CloseStats();
            double end = 0;
            foreach (var c in Cpus) end = Math.Max(end, c.Time);
            return new RunResult(outcome, _violations.Kept, Steps, end, _choices, Termination.ModelError) { RanToEnd = Termination.RanToEnd, ViolationsDropped = ViolationsDropped };
        }
        finally
        {
            Running = null;
            SynchronizationContext.SetSynchronizationContext(savedContext);
        }
    }

    /// <summary>The CPU whose inline op faulted, whose fault must be taken before anything else (once).</summary>
    internal Cpu? TakeForcedFault()
    {
        var f = _forceFault;
        _forceFault = null;
        return f;
    }

    internal void RecordChoice(int action) => _choices.Add(action);

    /// <summary>The next event of CPU <paramref name="cpu"/> may have moved (an SGI made pending, an unpark, queued
    /// preempting work): the driver re-keys it.</summary>
    internal void MarkDirty(int cpu) => Driver.MarkDirty(cpu);

    private void CloseStats()
    {
        foreach (var c in Cpus)
            if (c.Stats.IrqsOffSince >= 0) { Exceptions.EndIrqsOff(c); }
    }

    /// <summary>A cost of CPU <paramref name="cpu"/> with this run's timing jitter applied (timed runs, drawn from that
    /// CPU's own stream; unchanged in searches).</summary>
    public double Jitter(Cpu cpu, double ns) => Driver.Jitter(cpu, ns);
}
