using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;

namespace HvoLab.Litmus;

/// <summary>One reachable final state, projected on what the test observes (condition, filter, locations).</summary>
public sealed record LitmusStateResult(string Key, string Text, bool ConditionHolds, long Executions);

/// <summary>What the exhaustive search of one test found.</summary>
public sealed record LitmusExploration(
    IReadOnlyList<LitmusStateResult> States,
    long Positive,
    long Negative,
    bool BbmFlag,
    IReadOnlyList<string> BbmKinds,
    bool Complete,
    long Executions,
    string? Incomplete,
    string? Error,
    TimeSpan Elapsed)
{
    /// <summary>Which model explored the test: "machine" (the Arch machine binding, sequentially consistent data),
    /// "arm-view" (the view-based data-memory model, <see cref="ViewModelExplorer"/>) or "engine-arm" (the machine
    /// binding with the engine's Arm store-buffer model, <see cref="EngineArmAccess"/>).</summary>
    public string Model { get; init; } = "machine";

    /// <summary>herd's Never/Sometimes/Always over the reachable (filtered) states.</summary>
    public Observation Observation =>
        States.Count(s => s.ConditionHolds) == 0 ? Observation.Never
        : States.All(s => s.ConditionHolds) ? Observation.Always : Observation.Sometimes;
}

/// <summary>
/// Runs one supported test under <see cref="ExhaustiveExplorer"/>: every interleaving of the threads' engine
/// operations on an adversarial-TLB <see cref="ArchMachine"/>, plus a store-propagation helper CPU (see
/// <see cref="PropagationSteps"/>). Each execution ends with a final check that records the projected final state.
/// </summary>
public static class LitmusExplorer
{
    public static LitmusExploration Explore(LitmusTest test, LitmusRunOptions options)
    {
        var helperSteps = options.PropagateStores ? PropagationSteps(test) : 0;
        var binding = new LitmusMachine(test, helperSteps > 0 ? 1 : 0);
        var interp = new LitmusInterpreter(test, binding);
        var spuriousPas = SpuriousCandidates(test).Select(binding.PtePhysicalAddress).ToList();
        var eval = new ConditionEvaluator(test, binding);
        var observed = ObservedAtoms(test);
        // Data tests access their words through EngineArmAccess; translation tests (by VA only, LitmusRunner) keep the
        // machine binding's accesses, with the engine's buffers and orderings underneath (LitmusEngineThread).
        var armData = options.EngineArmData && ViewModelExplorer.Handles(test);
        // Under the engine's Arm model the data words are kernel globals to the engine (EngineArmAccess), unless they are
        // accessed by VA (then no VA may map a kernel global).
        IReadOnlySet<ulong>? armWords = options.EngineArmData && !options.EngineArmByVa ? binding.Symbols.Select(binding.PhysicalAddress).ToHashSet() : null;
        var threadsSpec = test.MainThreads.OrderBy(t => t.Proc).ToList();
        var states = new Dictionary<string, (string Text, bool Holds, long Count)>(StringComparer.Ordinal);
        long pos = 0, neg = 0;
        var bbmKinds = new SortedSet<string>(StringComparer.Ordinal);
        string? budgetHit = null, error = null;
        Simulator? prev = null;

        // Executions that end with every unfinished thread parked in a spin loop that can never exit: no final state.
        var neverEnding = new HashSet<string>(StringComparer.Ordinal);
        List<LitmusEngineThread>? prevThreads = null;

        void Harvest(Simulator? s)
        {
            if (s is null) return;
            foreach (var v in s.Arch.Violations) bbmKinds.Add(v.Kind);
            var unfinished = prevThreads!.Where(t => !t.State.Halted).ToList();
            if (unfinished.Count > 0 && unfinished.All(t => t.SpinWaiting)) neverEnding.Add(string.Join(",", s.Choices));
        }

        Simulator Factory(IScheduler scheduler)
        {
            Harvest(prev);
            var arch = binding.Build();
            var sim = new Simulator(arch, HardwareCosts.Default, scheduler, new SimOptions
            {
                StopOnViolation = false,
                StepBudget = options.StepBudget,
                WallBudget = options.TestWallBudget,
                MemoryModel = options.EngineArmData ? DataMemoryModel.Arm : DataMemoryModel.Sc,
            });
            var history = new WalkHistory(arch, binding);
            sim.AddMonitor(history);
            sim.AttachGuest(new LitmusGuest(history, armWords));
            var threads = threadsSpec.Select(t => new LitmusEngineThread(interp, binding, interp.InitialState(t.Proc),
                HasFeature(test, t.Proc, "HA"), HasFeature(test, t.Proc, "HD"), options.InstructionBudget, history,
                armData ? new EngineArmAccess(binding, options.EngineArmByVa) : null, options.EngineArmData)).ToList();
            prevThreads = threads;
            for (var i = 0; i < threads.Count; i++) sim.Spawn(threadsSpec[i].Proc, threads[i].Run);
            if (helperSteps > 0) sim.Spawn(threads.Count, cpu => Propagate(cpu, helperSteps, threads.Count, spuriousPas, history));
            sim.FinalChecks.Add(s =>
            {
                if (threads.FirstOrDefault(t => t.BudgetExceeded) is { } over)
                    budgetHit ??= $"P{over.State.Proc} ran more than {options.InstructionBudget} instructions (loop bound)";
                var final = LitmusFinalState.From(threads.Select(t => t.State), l => binding.ReadFinal(arch, l),
                    observed.OfType<EqualsCondition>().Select(e => e.Location).Where(l => l is not RegisterLocation).Distinct());
                if (test.Filter is { } f && !eval.Holds(f, final)) return;
                var holds = eval.Holds(test.Final.Condition, final);
                if (holds) pos++; else neg++;
                var (key, text) = Project(final, observed, binding);
                states[key] = states.TryGetValue(key, out var old) ? (old.Text, holds, old.Count + 1) : (text, holds, 1);
            });
            prev = sim;
            return sim;
        }

        var explorer = new ExhaustiveExplorer(Factory, new ExplorationOptions
        {
            MaxExecutions = options.MaxExecutions,
            WallBudget = options.TestWallBudget,
            StopAtFirstViolation = false,
        });
        ExplorationResult result;
        try { result = explorer.Explore(); }
        catch (Exception e) when (e is LitmusExecutionException or InvalidOperationException or ArgumentException or KeyNotFoundException)
        {
            return new LitmusExploration([], 0, 0, false, [], false, 0, null, e.Message, TimeSpan.Zero);
        }
        Harvest(prev);
        foreach (var (run, _) in result.Failures)
        {
            if (run.Outcome == RunOutcome.ModelError) error ??= run.Error ?? "model error";
            else if (run.Outcome == RunOutcome.Deadlock && neverEnding.Contains(string.Join(",", run.Choices))) continue;
            else if (run.Outcome is RunOutcome.Deadlock or RunOutcome.BudgetExceeded)
                budgetHit ??= run.Violations.LastOrDefault()?.Explanation ?? run.Outcome.ToString();
        }
        if (!result.Complete) budgetHit ??= result.StopReason;
        var list = states.Select(kv => new LitmusStateResult(kv.Key, kv.Value.Text, kv.Value.Holds, kv.Value.Count))
            .OrderBy(s => s.Text, StringComparer.Ordinal).ToList();
        var flagged = bbmKinds.Where(IsBbmKind).ToList();
        return new LitmusExploration(list, pos, neg, flagged.Count > 0, bbmKinds.ToList(),
            result.Complete && budgetHit is null && error is null, result.Executions - result.Pruned, budgetHit, error, result.Elapsed)
        { Model = !options.EngineArmData ? "machine" : options.EngineArmByVa ? "engine-arm-va" : "engine-arm" };
    }

    /// <summary>Oracle kinds that mean "this test breaks break-before-make" (herd's Warning-BBM-expected).</summary>
    public static bool IsBbmKind(string kind) => kind is BbmOracle.KindBbm or BbmOracle.KindStale or BbmOracle.KindConflict;

    private static bool HasFeature(LitmusTest test, int proc, string feature) =>
        test.HardwareUpdates.Any(h => (h.Proc is null || h.Proc == proc) && (h.Feature == feature || (feature == "HA" && h.Feature == "HD")));

    /// <summary>
    /// A descriptor store becomes visible to walkers at the writer's next DSB at the latest, but may become visible
    /// earlier (the machine's store buffer models only the "not yet" side). A helper CPU makes every pending
    /// descriptor store visible at a point the search chooses, up to this many times: one per store-like
    /// instruction (at most 4), and only in tests that can address a descriptor (<c>PTE(x)</c> in the init block).
    /// </summary>
    public static int PropagationSteps(LitmusTest test)
    {
        var addressable = test.Init.Any(e => e.Value is PteAddressValue);
        var stores = addressable ? test.Threads.SelectMany(t => t.Code).Count(i => i.Op is Opcode.Str or Opcode.Stlr or Opcode.Stxr
            or Opcode.Swp or Opcode.Cas or Opcode.LdOp or Opcode.StOp) : 0;
        // Each descriptor given an initial value may also get one spurious AF update (below).
        // A store may need a publication and a spurious update after it.
        // Spurious AF updates read the initial value or a stored one: one step per such AF = 0 value, at most 2.
        var sources = SpuriousCandidates(test).Count == 0 ? 0
            : test.Init.Count(e => e.Value is DescriptorValue { Af: 0 } && e.Target is PteLocation or RegisterLocation);
        return Math.Min(stores, 4) + Math.Min(sources, 2);
    }

    /// <summary>
    /// herd lets a walker set AF speculatively, without any access (herd/mem.ml, <c>spurious_setaf</c>, in tests where
    /// some thread has TCR.HA or HD): for every write of a descriptor value with AF = 0 (the initial value included)
    /// one atomic "test and set AF" event that reads that value, belonging to no thread and ordered by nothing but
    /// coherence (herd NOP+AF, TwoPhantoms). The helper CPU makes it at a point the search chooses, on the
    /// coherence-newest value; a value with AF = 0 is always a software write's (a hardware update sets AF), and once
    /// AF is set the value is no longer eligible, so each write gets at most one.
    /// </summary>
    /// <remarks>Candidates: the symbols whose descriptor starts with AF = 0 or whose descriptor address a thread holds
    /// (it may store an AF = 0 value there).</remarks>
    public static IReadOnlyList<string> SpuriousCandidates(LitmusTest test)
    {
        if (test.HardwareUpdates.Count == 0) return [];
        return test.Init.Select(e => e switch
            {
                { Target: PteLocation p, Value: DescriptorValue { Af: 0 } } => p.Symbol,
                { Value: PteAddressValue a } => a.Symbol,
                _ => null,
            }).OfType<string>().Distinct().Order(StringComparer.Ordinal).Take(31).ToList();
    }

    private static async SimTask Propagate(Cpu cpu, int steps, int threads, IReadOnlyList<ulong> spurious, WalkHistory history)
    {
        var arch = cpu.Sim.Arch;
        var symbols = spurious.Count;
        for (var i = 0; i < steps; i++)
        {
            // What this step does is chosen first: the step itself (a Bulk step over all VAs, which the search treats
            // as dependent with every memory access and TLB maintenance operation) must be the one that changes what
            // walkers and observers see. Choice 0 publishes every pending descriptor store; choice 1 + k makes a
            // spurious AF update of symbol k's descriptor, if it is still eligible then.
            var eligible = 0;
            for (var j = 0; j < symbols; j++)
                if (EligibleForSpurious(arch, history, spurious[j])) eligible |= 1 << j;
            var k = eligible == 0 ? 0 : await ChooseSpurious(cpu, eligible);
            await cpu.Bulk(0);
            if (k == 0)
            {
                for (var c = 0; c < threads; c++) arch.Stores.Publish(c);
                continue;
            }
            var pa = spurious[k - 1];
            if (!EligibleForSpurious(arch, history, pa)) continue;
            arch.Stores.PublishLocation(pa);
            arch.HardwareWriteDescriptor(cpu.Id, pa, arch.ReadPhys(pa) | DescBits.AF);
        }
    }

    /// <summary>The coherence-newest value of the descriptor at <paramref name="pa"/> is a valid page with AF = 0.</summary>
    private static bool EligibleForSpurious(ArchMachine arch, WalkHistory history, ulong pa)
    {
        var d = new Descriptor(arch.ReadPhys(pa));
        return d.Kind(arch.Granule, 3) == DescriptorKind.Page && !d.AF && !history.SpuriousBlocked(pa, d.Value);
    }

    /// <summary>0 (publish), or 1 + the index of one eligible descriptor (a bit of <paramref name="eligible"/>).</summary>
    private static async SimTask<int> ChooseSpurious(Cpu cpu, int eligible)
    {
        var options = new List<int> { 0 };
        for (var j = 0; j < 31; j++)
            if ((eligible & (1 << j)) != 0) options.Add(j + 1);
        return options[await LitmusEngineThread.ChooseIndex(cpu, options.Count)];
    }

    /// <summary>Atoms herd prints in a final state: every <c>loc=value</c> and fault atom of the condition and
    /// filter, plus the <c>locations [...]</c> clause.</summary>
    public static IReadOnlyList<LitCondition> ObservedAtoms(LitmusTest test)
    {
        var atoms = new List<LitCondition>();
        void Walk(LitCondition? c)
        {
            switch (c)
            {
                case EqualsCondition e: atoms.Add(e with { Value = new IntValue(0) }); break;
                case FaultCondition f: atoms.Add(f); break;
                case NotCondition n: Walk(n.Inner); break;
                case AndCondition a: Walk(a.Left); Walk(a.Right); break;
                case OrCondition o: Walk(o.Left); Walk(o.Right); break;
            }
        }
        foreach (var l in test.Locations) atoms.Add(new EqualsCondition(l, new IntValue(0)));
        foreach (var f in test.ObservedFaults) atoms.Add(f);
        Walk(test.Filter);
        Walk(test.Final.Condition);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return atoms.Where(a => seen.Add(a is EqualsCondition e ? Canon(e.Location) : a.ToString()!)).ToList();
    }

    private static string Canon(LitLocation l) => l is RegisterLocation r ? $"{r.Proc}:X{LitmusThreadState.ParseName(r.Register).Number}" : l.ToString()!;

    /// <summary>Canonical key (numbers) and herd-like text of a final state over the observed atoms.</summary>
    public static (string Key, string Text) Project(ILitmusFinalState s, IReadOnlyList<LitCondition> observed, LitmusMachine binding)
    {
        var key = new System.Text.StringBuilder();
        var text = new List<string>();
        foreach (var a in observed)
        {
            switch (a)
            {
                case EqualsCondition { Location: RegisterLocation r }:
                    var v = s.Register(r.Proc, "X" + LitmusThreadState.ParseName(r.Register).Number);
                    key.Append(Canon(r)).Append('=').Append(v).Append(';');
                    text.Add($"{Canon(r)}={binding.Render(r, v)};");
                    break;
                case EqualsCondition e:
                    var m = s.Memory(e.Location);
                    key.Append(Canon(e.Location)).Append('=').Append(m).Append(';');
                    text.Add($"{e.Location}={binding.Render(e.Location, m)};");
                    break;
                case FaultCondition f:
                    var hit = s.Faults.Any(x => ConditionEvaluator.Matches(f, x));
                    key.Append(hit ? "" : "~").Append(f).Append(';');
                    text.Add((hit ? "" : "~") + f + ";");
                    break;
            }
        }
        return (key.ToString(), string.Join(" ", text));
    }
}
