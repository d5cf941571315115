using System.Diagnostics;
using HvoLab.Arch;

namespace HvoLab.Engine;

/// <summary>
/// The engine: owns the CPUs, the GIC, virtual time and the interleaving. One execution = <see cref="Run"/>.
/// Simulated code runs only inside <see cref="Run"/>, on the calling thread, one CPU at a time.
/// </summary>
public sealed partial class Simulator
{
    private readonly List<(int Cpu, Func<Cpu, SimTask> Body, bool Background)> _spawns = new();
    private readonly List<Violation> _violations = new();
    private readonly List<int> _choices = new();
    private readonly Dictionary<string, int> _labels = new(StringComparer.Ordinal) { [""] = 0 };
    private readonly List<string> _labelNames = new() { "" };
    private readonly List<IMonitor> _monitors = new();
    private readonly int[] _actionBuffer;
    private Cpu? _running;
    private Cpu? _forceFault;
    private bool _started, _abort, _looping, _framesCompleted = true, _ranToEnd;
    private double _horizon = double.PositiveInfinity;
    private int _seenArchViolations;
    private long _seenArchTotal;
    private SplitMix64 _jitterRng;
    private string? _modelError;
    private readonly Stopwatch _wall = new();

    public Simulator(ArchMachine arch, CostModel cost, IScheduler scheduler, SimOptions? options = null)
    {
        Arch = arch; Cost = cost; Scheduler = scheduler; Options = options ?? new SimOptions();
        IsTimed = scheduler.Mode == SchedulingMode.Timed;
        _jitter = cost.Jitter;
        Cpus = new Cpu[arch.CpuCount];
        for (int i = 0; i < Cpus.Length; i++) Cpus[i] = new Cpu(this, i);
        Gic = new Gic(Cpus.Length);
        _actionBuffer = new int[Cpus.Length * 4];
        _jitterRng = new SplitMix64(Options.Seed);
        Trace = new TraceLog(Options.RecordEvents) { LabelNames = LabelName };
    }

    public ArchMachine Arch { get; }
    public CostModel Cost { get; }
    public IScheduler Scheduler { get; }
    public SimOptions Options { get; }
    public Cpu[] Cpus { get; }
    public Gic Gic { get; }
    public TraceLog Trace { get; }
    public long Steps { get; private set; }
    /// <summary>Times the timed scheduler picked a CPU (each costs a queue update; ops run inline in between).</summary>
    public long SchedulingEvents { get; private set; }
    /// <summary>Set when every non-background task has finished: background loops poll it and return.</summary>
    public bool StopRequested { get; private set; }
    public IReadOnlyList<Violation> Violations => _violations;
    public const int MaxKeptViolations = 1000;
    public long ViolationsDropped { get; internal set; }
    public IReadOnlyList<int> Choices => _choices;
    /// <summary>Search hook: the index of the choice being performed (-1 outside one), so that preempting work
    /// queued by it can name the step that enabled it (<see cref="Cpu.PreemptEnablers"/>).</summary>
    internal int PerformingStep { get; private set; } = -1;
    /// <summary>Timed scheduling (virtual time decides) rather than a search over choices; fixed at construction.</summary>
    public bool IsTimed { get; }
    /// <summary>Handler for SGIs (the kernel's do_handle_IPI). Required before an SGI is taken.</summary>
    public Func<Cpu, int, SimTask>? SgiHandler { get; set; }
    /// <summary>The kernel's fault handler for kernel addresses: returns true to retry the access, false for an oops.</summary>
    public Func<Cpu, FaultInfo, SimTask<bool>>? FaultHandler { get; set; }
    /// <summary>Physical words that no VA the model accesses can map (kernel globals reached through the linear map):
    /// lets the search treat writes to them as independent of struct page accesses.</summary>
    public Func<ulong, bool>? IsPrivateKernelData { get; set; }
    /// <summary>VAs whose accesses may use a translation other than the one the TLBs and tables show now (the litmus
    /// binding's walks made before the access): the search must not assume their physical word.</summary>
    public Func<ulong, bool>? TranslationMayVary { get; set; }
    /// <summary>Checks run once when every task has finished (end-state invariants, e.g. no lost update).</summary>
    public List<Action<Simulator>> FinalChecks { get; } = new();

    private readonly Dictionary<(int Cpu, int Sgi), (double Period, int Remaining)> _external = new();

    /// <summary>An interrupt source outside the CPUs (a PMU overflow, a watchdog): raises <paramref name="sgi"/> on
    /// <paramref name="cpu"/> every <paramref name="periodNs"/> of virtual time, <paramref name="count"/> times at most
    /// (null = until the run stops). In a search the arrival time is ignored: the interrupt may be taken at any point.</summary>
    public void AddExternalInterrupt(int cpu, int sgi, double periodNs, int? count = null)
    {
        Gic.CheckSgi(sgi);
        int n = count ?? int.MaxValue;
        if (n <= 0) return;
        _external[(cpu, sgi)] = (periodNs, n - 1);
        Gic.MakePending(cpu, sgi, (long)periodNs);
    }

    internal void RearmExternal(Cpu c, int sgi)
    {
        if (!_external.TryGetValue((c.Id, sgi), out var e) || e.Remaining <= 0 || StopRequested) return;
        _external[(c.Id, sgi)] = (e.Period, e.Remaining - 1);
        MakePending(c, sgi, (long)(c.Time + e.Period));
    }

    public int Label(string name)
    {
        if (_labels.TryGetValue(name, out int id)) return id;
        id = _labelNames.Count; _labels[name] = id; _labelNames.Add(name);
        return id;
    }

    public string LabelName(int id) => _labelNames[id];
    public void AddMonitor(IMonitor monitor) => _monitors.Add(monitor);

    /// <summary>Place a task on a CPU. Background tasks are loops that return once <see cref="StopRequested"/> is set.</summary>
    public void Spawn(int cpu, Func<Cpu, SimTask> body, bool background = false)
    {
        if (_started) throw new InvalidOperationException("spawn before Run");
        if ((uint)cpu >= (uint)Cpus.Length) throw new ArgumentOutOfRangeException(nameof(cpu), cpu, $"cpu must be 0..{Cpus.Length - 1}");
        _spawns.Add((cpu, body, background));
    }

    /// <summary>Record a violation found by a monitor or kernel check. The run stops after it if StopOnViolation.</summary>
    public void ReportViolation(string kind, int[] cpus, ulong va, string explanation)
    {
        // A run that continues past violations (StopOnViolation off) keeps the first ones with their stories and
        // counts the rest: an unsafe strategy timed over 300,000 folios reports millions.
        if (_violations.Count >= MaxKeptViolations) { ViolationsDropped++; if (Options.StopOnViolation) _abort = true; return; }
        double t = 0;
        foreach (int c in cpus) t = Math.Max(t, Cpus[c].Time);
        _violations.Add(new Violation(kind, cpus, va, (long)t, explanation, Steps));
        if (Trace.Enabled) Trace.Mark(t, cpus.Length > 0 ? cpus[0] : 0, "violation: " + kind);
        if (Options.StopOnViolation) _abort = true;
    }

    /// <summary>Runs the execution to the end: all tasks done, a violation, a deadlock or the budget.</summary>
    public RunResult Run()
    {
        if (_started) throw new InvalidOperationException("a Simulator runs once; build a new one for another execution");
        _started = true;
        var savedContext = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        _wall.Start();
        try
        {
            Scheduler.OnExecutionStart(this);
            foreach (var (cpu, body, background) in _spawns)
            {
                var c = Cpus[cpu];
                c.IsBackground = background;
                StartFrame(c, ContextKind.Task, body);
            }
            _looping = true;   // from here on ops may run inline; while spawning, every task stops at its first op
            if (IsTimed) InitEventQueue();
            var outcome = IsTimed ? RunTimed() : RunChoices();
            CloseStats();
            double end = 0;
            foreach (var c in Cpus) end = Math.Max(end, c.Time);
            return new RunResult(outcome, _violations, Steps, end, _choices, _modelError) { RanToEnd = _ranToEnd, ViolationsDropped = ViolationsDropped };
        }
        finally
        {
            _running = null;
            SynchronizationContext.SetSynchronizationContext(savedContext);
        }
    }

    private RunOutcome RunChoices()
    {
        while (true)
        {
            if (_modelError != null) return RunOutcome.ModelError;
            if (_abort) return RunOutcome.Violation;
            if (_forceFault is { } f) { _forceFault = null; StartFault(f); continue; }
            UpdateStopRequested();
            int n = CollectActions(_actionBuffer);
            if (n == 0) return EndWithoutActions();
            if (OverBudget()) return ReportBudget();
            int idx = Scheduler.Choose(_actionBuffer.AsSpan(0, n), this);
            if (idx < 0) return RunOutcome.Pruned;   // the scheduler ends this execution (sleep set, replay end)
            int action = _actionBuffer[idx];
            _choices.Add(action);
            PerformingStep = _choices.Count - 1;
            Perform(action);
            PerformingStep = -1;
        }
    }

    private RunOutcome RunTimed()
    {
        while (true)
        {
            if (_modelError != null) return RunOutcome.ModelError;
            if (_abort) return RunOutcome.Violation;
            if (_forceFault is { } f) { _forceFault = null; StartFault(f); MarkDirty(f.Id); continue; }
            UpdateStopRequested();
            var next = PeekEarliest(out double best);
            if (next is null) return EndWithoutActions();
            if (OverBudget()) return ReportBudget();
            SchedulingEvents++;
            PerformTimed(next, best);
            MarkDirty(next.Id);   // after, not before: Resume flushes the queue for its horizon mid-step
        }
    }

    private void UpdateStopRequested()
    {
        // Only a task frame completing can end a main task; skip the O(CPUs) check otherwise (an interrupt handler
        // returning on every CPU of a 256-CPU pause would otherwise cost 256 × 256 checks).
        if (StopRequested || !_framesCompleted) return;
        _framesCompleted = false;
        foreach (var c in Cpus) if (!c.IsBackground && !c.Finished && c.Depth > 0 && IsMainTaskAlive(c)) return;
        StopRequested = true;
    }

    private static bool IsMainTaskAlive(Cpu c) => c.Frames[0].Kind == ContextKind.Task && !c.Finished;

    private bool OverBudget()
    {
        if (Steps > Options.StepBudget) return true;
        return (Steps & 0xFFFF) == 0 && _wall.Elapsed > Options.WallBudget;
    }

    private RunOutcome ReportBudget()
    {
        var busy = Cpus.Where(c => c.Depth > 0).Select(c => c.Id).ToArray();
        ReportViolation("livelock", busy, 0,
            $"no end after {Steps} operations ({_wall.Elapsed.TotalSeconds:F1} s): CPUs {string.Join(",", busy)} keep running " +
            $"but the execution does not finish (step budget {Options.StepBudget}, wall budget {Options.WallBudget})");
        return RunOutcome.BudgetExceeded;
    }

    private RunOutcome EndWithoutActions()
    {
        var stuck = Cpus.Where(c => c.Depth > 0).ToArray();
        if (stuck.Length == 0)
        {
            foreach (var check in FinalChecks) check(this);
            _ranToEnd = true;
            return _violations.Count > 0 ? RunOutcome.Violation : RunOutcome.Completed;
        }
        var why = string.Join("; ", stuck.Select(DescribeBlocked));
        ReportViolation("deadlock", stuck.Select(c => c.Id).ToArray(), 0, "no CPU can make progress: " + why);
        return RunOutcome.Deadlock;
    }

    private string DescribeBlocked(Cpu c)
    {
        string where = $"CPU{c.Id} in {c.Context} context";
        return c.Park switch
        {
            Cpu.ParkKind.Spin => $"{where} spins on {string.Join(",", c.ReadSet.Take(c.ReadCount).Select(a => $"PA 0x{a:x}"))} which no CPU will write",
            Cpu.ParkKind.Wfe => $"{where} waits in WFE for an event no CPU will send",
            Cpu.ParkKind.Held => $"{where} waits in a closed-form handler for PA 0x{c.Held!.WaitPa:x} == 0x{c.Held.WaitValue:x}, which no CPU will write",
            _ => where + (c.DaifI || c.IrqsDisabled ? " with interrupts masked" : ""),
        };
    }

    private void CloseStats()
    {
        foreach (var c in Cpus)
            if (c.Stats.IrqsOffSince >= 0) { EndIrqsOff(c); }
    }

    /// <summary>A cost with this run's timing jitter applied (timed runs; unchanged in searches).</summary>
    public double Jitter(double ns)
    {
        if (!IsTimed || _jitter == 0 || ns == 0) return ns;
        return ns * (1 + _jitter * (2 * _jitterRng.NextDouble() - 1));
    }

    private readonly double _jitter;
}

/// <summary>A safety check evaluated after every operation (the engine's monitors; the Arch oracle is built in).</summary>
public interface IMonitor
{
    void AfterOp(Simulator sim, Cpu cpu, in PendingOp op);
}
