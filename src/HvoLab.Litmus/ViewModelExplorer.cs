using HvoLab.Arch.MemoryModel;

namespace HvoLab.Litmus;

/// <summary>
/// Runs data-memory litmus tests (no page tables, TLB maintenance, faults or system registers) on the view-based
/// Arm memory model of <c>HvoLab.Arch.MemoryModel</c> (docs/arch.md, "Data-memory model"); tests that touch the
/// translation regime keep running on the machine binding (<see cref="LitmusExplorer"/>).
/// </summary>
public static class ViewModelExplorer
{
    /// <summary>Whether <paramref name="test"/> only uses data memory, so the view-based model decides it alone.</summary>
    public static bool Handles(LitmusTest test)
    {
        if (test.Variants.Count > 0 || test.HardwareUpdates.Count > 0 || test.Threads.Any(t => t.IsHandler)) return false;
        if (test.ObservedFaults.Count > 0 || test.Init.Any(e => e.Target is PteLocation || e.Value is PteAddressValue or DescriptorValue or PhysicalAddressValue))
            return false;
        if (HasFaultOrPte(test.Final.Condition) || HasFaultOrPte(test.Filter) || test.Locations.Any(l => l is PteLocation)) return false;
        return test.Threads.SelectMany(t => t.Code).All(i => i.Op is not (Opcode.Tlbi or Opcode.Msr or Opcode.Mrs or Opcode.Eret or Opcode.Svc or Opcode.Adr));
    }

    private static bool HasFaultOrPte(LitCondition? c) => c switch
    {
        FaultCondition => true,
        EqualsCondition e => e.Location is PteLocation || e.Value is DescriptorValue or PteAddressValue or PhysicalAddressValue,
        NotCondition n => HasFaultOrPte(n.Inner),
        AndCondition a => HasFaultOrPte(a.Left) || HasFaultOrPte(a.Right),
        OrCondition o => HasFaultOrPte(o.Left) || HasFaultOrPte(o.Right),
        _ => false,
    };

    public static LitmusExploration Explore(LitmusTest test, LitmusRunOptions options)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var binding = new LitmusMachine(test, 0);
        var interp = new LitmusInterpreter(test, binding);
        var eval = new ConditionEvaluator(test, binding);
        var observed = LitmusExplorer.ObservedAtoms(test);
        var locations = new LocationTable();
        var arch = binding.Build();
        ulong Initial(int loc)
        {
            var va = locations.AddressOf(loc);
            var symbol = binding.Describe(va) is MemoryLocation m ? m.Symbol
                : throw new LitmusExecutionException($"{test.Name}: access to 0x{va:X}, which is not a location of the test");
            // A location inside a word (x+4 of an int array) starts at its own byte: the word's bytes from there on.
            var pa = binding.PhysicalAddress(symbol) + va % LitmusMachine.PageSize;
            return arch.ReadPhys(pa & ~7UL) >> (int)((pa & 7) * 8);
        }
        var threads = test.MainThreads.OrderBy(t => t.Proc)
            .Select(t => new ViewThread(interp.InitialState(t.Proc), new ThreadViews(t.Proc))).ToArray();
        var initial = new ViewConfig(new MessageMemory(Initial), threads);
        var states = new Dictionary<string, (string Text, bool Holds, long Count)>(StringComparer.Ordinal);
        long pos = 0, neg = 0;
        var memLocs = observed.OfType<EqualsCondition>().Select(e => e.Location).Where(l => l is not RegisterLocation).Distinct().ToList();

        void Final(ViewConfig c)
        {
            ulong Memory(LitLocation l)
            {
                if (l is not MemoryLocation ml) throw new LitmusExecutionException($"{test.Name}: {l} is not a data location");
                var loc = locations.IndexOf(binding.VirtualAddress(ml.Symbol));
                return c.Memory.ValueOf(c.Memory.Latest(loc), loc);
            }
            var final = LitmusFinalState.From(c.Threads.Select(t => t.State), Memory, memLocs);
            if (test.Filter is { } f && !eval.Holds(f, final)) return;
            var holds = eval.Holds(test.Final.Condition, final);
            if (holds) pos++; else neg++;
            var (key, text) = LitmusExplorer.Project(final, observed, binding);
            states[key] = states.TryGetValue(key, out var old) ? (old.Text, holds, old.Count + 1) : (text, holds, 1);
        }

        var steps = new ViewSteps(interp, locations, options.InstructionBudget);
        var search = new ViewSearch(steps, options, Final);
        try { search.Run(initial); }
        catch (Exception e) when (e is LitmusExecutionException or InvalidOperationException or ArgumentException or KeyNotFoundException)
        {
            return new LitmusExploration([], 0, 0, false, [], false, 0, null, e.Message, started.Elapsed);
        }
        var list = states.Select(kv => new LitmusStateResult(kv.Key, kv.Value.Text, kv.Value.Holds, kv.Value.Count))
            .OrderBy(s => s.Text, StringComparer.Ordinal).ToList();
        var kinds = new List<string>();
        if (search.LoopBound) kinds.Add("loop-bound");
        if (search.CertificationCut) kinds.Add("certification-budget");
        return new LitmusExploration(list, pos, neg, false, kinds, search.Stopped is null, search.Finals, search.Stopped, null, started.Elapsed)
        { Model = "arm-view" };
    }
}
