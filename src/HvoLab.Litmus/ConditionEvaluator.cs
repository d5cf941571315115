namespace HvoLab.Litmus;

/// <summary>What a condition can ask of a final state.</summary>
public interface ILitmusFinalState
{
    ulong Register(int proc, string register);
    /// <summary>Value of a <see cref="MemoryLocation"/> or <see cref="PteLocation"/>.</summary>
    ulong Memory(LitLocation location);
    IReadOnlyList<LitmusFault> Faults { get; }
}

/// <summary>Evaluates final conditions. Values are compared as 64-bit numbers after resolution through the
/// address map, so <c>1:X0=(oa:PA(x),af:0)</c> and <c>[PTE(x)]=...</c> compare encoded descriptors.</summary>
public sealed class ConditionEvaluator(LitmusTest test, ILitmusAddressMap map)
{
    public bool Holds(LitCondition c, ILitmusFinalState s) => c switch
    {
        TrueCondition => true,
        NotCondition n => !Holds(n.Inner, s),
        AndCondition a => Holds(a.Left, s) && Holds(a.Right, s),
        OrCondition o => Holds(o.Left, s) || Holds(o.Right, s),
        EqualsCondition e => Actual(e.Location, s) == Expected(e.Location, e.Value),
        FaultCondition f => s.Faults.Any(x => Matches(f, x)),
        _ => throw new LitmusExecutionException($"unknown condition {c}"),
    };

    private ulong Actual(LitLocation loc, ILitmusFinalState s) =>
        loc is RegisterLocation r ? s.Register(r.Proc, r.Register) : s.Memory(loc);

    private ulong Expected(LitLocation loc, LitValue v) =>
        LitmusValues.Resolve(v, test, map, loc is PteLocation p ? p.Symbol : null);

    /// <summary>herd's fault atom: same thread, same label if given, same location if given, same type if given
    /// (MMU:Kind for MMU faults, UndefinedInstruction for UDF).</summary>
    public static bool Matches(FaultCondition f, LitmusFault x)
    {
        if (x.Proc != f.Proc || (f.Target is not null && !Equals(x.Target, f.Target))) return false;
        if (f.Label is not null && x.Label != f.Label) return false;
        var type = x.Kind == LitmusFaultKind.UndefinedInstruction ? x.Kind.ToString() : "MMU:" + x.Kind;
        return f.FaultType is null || f.FaultType.Equals(type, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Observation of the final condition over the reachable final states (herd's Sometimes/Never/Always).</summary>
    public Observation Observe(IEnumerable<ILitmusFinalState> finals)
    {
        var (pos, neg) = (0, 0);
        foreach (var f in finals)
        {
            if (test.Filter is { } flt && !Holds(flt, f)) continue;
            if (Holds(test.Final.Condition, f)) pos++; else neg++;
        }
        return pos == 0 ? Observation.Never : neg == 0 ? Observation.Always : Observation.Sometimes;
    }

    /// <summary>Whether the test's final condition is validated: exists → some state satisfies it,
    /// ~exists → none does, forall → all do.</summary>
    public bool Validated(IEnumerable<ILitmusFinalState> finals) => (test.Final.Quantifier, Observe(finals)) switch
    {
        (Quantifier.Exists, var o) => o != Observation.Never,
        (Quantifier.NotExists, var o) => o == Observation.Never,
        (Quantifier.Forall, var o) => o == Observation.Always,
        _ => false,
    };

    /// <summary>The kinds.txt verdict an exploration implies for the test's condition.</summary>
    public Verdict VerdictOf(IEnumerable<ILitmusFinalState> finals) => Observe(finals) switch
    {
        Observation.Always => Verdict.Required,
        Observation.Never => Verdict.Forbidden,
        _ => Verdict.Allowed,
    };
}

/// <summary>A final state given explicitly (tests, herd state lines, or a scheduler's snapshot).</summary>
public sealed class LitmusFinalState : ILitmusFinalState
{
    private readonly Dictionary<(int, string), ulong> _regs = [];
    private readonly Dictionary<LitLocation, ulong> _mem = [];
    private readonly List<LitmusFault> _faults = [];

    public LitmusFinalState WithRegister(int proc, string reg, ulong v) { _regs[(proc, reg.ToUpperInvariant())] = v; return this; }
    public LitmusFinalState WithMemory(LitLocation loc, ulong v) { _mem[loc] = v; return this; }
    public LitmusFinalState WithFault(LitmusFault f) { _faults.Add(f); return this; }

    /// <summary>Snapshot of thread states plus a memory reader.</summary>
    public static LitmusFinalState From(IEnumerable<LitmusThreadState> threads, Func<LitLocation, ulong> memory, IEnumerable<LitLocation> locations)
    {
        var f = new LitmusFinalState();
        foreach (var t in threads)
        {
            for (var i = 0; i < 31; i++) f.WithRegister(t.Proc, "X" + i, t.X(i));
            foreach (var x in t.Faults) f.WithFault(x);
        }
        foreach (var l in locations) f.WithMemory(l, memory(l));
        return f;
    }

    public ulong Register(int proc, string register)
    {
        var r = LitmusThreadState.ParseName(register);
        var v = _regs.TryGetValue((proc, "X" + r.Number), out var x) ? x : 0;
        return r.Is64 ? v : (uint)v;
    }

    public ulong Memory(LitLocation location) => _mem.TryGetValue(location, out var v) ? v : 0;
    public IReadOnlyList<LitmusFault> Faults => _faults;
}
