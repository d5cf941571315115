namespace HvoLab.Litmus;

public enum LitmusStatus { Ok, Unsupported, Incomplete, Error }

/// <summary>How HvoLab's observation relates to the reference verdict.</summary>
public enum Agreement
{
    /// <summary>No reference verdict for this test.</summary>
    NoExpectation,
    Agree,
    /// <summary>Arm forbids the condition, HvoLab reaches it: a model defect or a documented deviation.</summary>
    ForbiddenButAllowed,
    /// <summary>Arm allows the condition, HvoLab never reaches it, and the outcome needs ordinary accesses reordered.</summary>
    NeedsWeakMemory,
    /// <summary>Arm allows the condition, HvoLab never reaches it, and no ordinary-access reordering explains it.</summary>
    ModelGap,
    /// <summary>Arm requires the condition in every execution, HvoLab has an execution without it.</summary>
    RequiredButNotAlways,
}

/// <summary>The reference: a kinds.txt verdict and/or herd7's full output.</summary>
public sealed record LitmusExpectation(Verdict? Verdict, ExpectedOutcome? Herd);

/// <summary>Comparison of one explored test with its expectation.</summary>
public sealed record LitmusComparison(Agreement Agreement, bool? StatesMatch, bool? FlagMatches, bool? ObservationMatches,
    IReadOnlyList<string> MissingStates, IReadOnlyList<string> ExtraStates)
{
    public static LitmusComparison Compare(LitmusTest test, LitmusExploration x, LitmusExpectation e)
    {
        bool? statesMatch = null, flag = null, obs = null;
        var missing = new List<string>();
        var extra = new List<string>();
        if (e.Herd is { } h)
        {
            var binding = new LitmusMachine(test, LitmusExplorer.PropagationSteps(test) > 0 ? 1 : 0);
            var observed = LitmusExplorer.ObservedAtoms(test);
            var herdStates = h.States.ToDictionary(s => LitmusExplorer.Project(s.ToFinalState(test, binding), observed, binding).Key, s => s.ToString());
            var ours = x.States.ToDictionary(s => s.Key, s => s.Text);
            missing.AddRange(herdStates.Where(kv => !ours.ContainsKey(kv.Key)).Select(kv => kv.Value));
            extra.AddRange(ours.Where(kv => !herdStates.ContainsKey(kv.Key)).Select(kv => kv.Value));
            statesMatch = missing.Count == 0 && extra.Count == 0;
            flag = h.Flags.Contains("Warning-BBM-expected") == x.BbmFlag;
            obs = h.Observation == x.Observation;
        }
        var agreement = e.Verdict switch
        {
            null => Agreement.NoExpectation,
            Verdict.Forbidden => x.Observation == Observation.Never ? Agreement.Agree : Agreement.ForbiddenButAllowed,
            Verdict.Required => x.Observation == Observation.Always ? Agreement.Agree : Agreement.RequiredButNotAlways,
            _ => x.Observation != Observation.Never ? Agreement.Agree
                : WeakMemoryHeuristic.NeedsReordering(test) ? Agreement.NeedsWeakMemory : Agreement.ModelGap,
        };
        return new LitmusComparison(agreement, statesMatch, flag, obs, missing, extra);
    }
}

/// <summary>
/// Decides whether an Allowed outcome that HvoLab never produces can be put down to the reordering of ordinary
/// accesses, which HvoLab does not model (its data accesses are sequentially consistent). Heuristic: some thread
/// has two explicit accesses in program order that Arm does not order: no DMB/DSB between them (of a type that
/// orders them), the first is not an acquire load, the second is not a release store, and the second does not
/// depend on the first through a register (address or data dependency).
/// </summary>
public static class WeakMemoryHeuristic
{
    public static bool NeedsReordering(LitmusTest test) => test.MainThreads.Any(t => HasUnorderedPair(t.Code));

    private static bool HasUnorderedPair(IReadOnlyList<Instruction> code)
    {
        for (var i = 0; i < code.Count; i++)
        {
            if (!IsAccess(code[i])) continue;
            var written = new HashSet<int>(Destinations(code[i]));
            for (var j = i + 1; j < code.Count; j++)
            {
                var b = code[j];
                if (Orders(b, code[i])) break;
                if (!IsAccess(b)) { foreach (var d in DerivedDestinations(b, written)) written.Add(d); continue; }
                var acquire = (code[i].Order & (AccessOrder.Acquire | AccessOrder.AcquirePc)) != 0 && IsLoadLike(code[i]);
                var release = (b.Order & AccessOrder.Release) != 0;
                // Same register-addressed location: ordered by coherence (CoRR, CoWW...), not reorderable.
                var sameLocation = b.Mem.Base == code[i].Mem.Base && b.Mem.Index == code[i].Mem.Index && b.Mem.Offset == code[i].Mem.Offset;
                var dependent = sameLocation || Sources(b).Any(written.Contains);
                if (!acquire && !release && !dependent) return true;
                if (acquire) break;
            }
        }
        return false;
    }

    private static bool IsAccess(Instruction i) => i.Op is Opcode.Ldr or Opcode.Str or Opcode.Ldar or Opcode.Ldapr or Opcode.Stlr
        or Opcode.Ldxr or Opcode.Stxr or Opcode.Swp or Opcode.Cas or Opcode.LdOp or Opcode.StOp;

    private static bool IsLoadLike(Instruction i) => i.Op is Opcode.Ldr or Opcode.Ldar or Opcode.Ldapr or Opcode.Ldxr
        or Opcode.Swp or Opcode.Cas or Opcode.LdOp;

    /// <summary>A barrier between <paramref name="first"/> and a later access that orders every later access.</summary>
    private static bool Orders(Instruction b, Instruction first)
    {
        if (b.Op is not (Opcode.Dmb or Opcode.Dsb)) return false;
        var types = b.Barrier?.Types ?? "";
        return types.Length == 0 || (types == "LD" && IsLoadLike(first));
    }

    private static IEnumerable<int> Destinations(Instruction i) => i.Op switch
    {
        Opcode.Ldr or Opcode.Ldar or Opcode.Ldapr or Opcode.Ldxr => [i.R(0).Number],
        Opcode.Swp or Opcode.LdOp => [i.R(1).Number],
        Opcode.Cas => [i.R(0).Number],
        _ => [],
    };

    private static IEnumerable<int> Sources(Instruction i)
    {
        var m = i.Mem;
        yield return m.Base.Number;
        if (m.Index is { } x) yield return x.Number;
        if (i.Op is Opcode.Str or Opcode.Stlr) yield return i.R(0).Number;
        if (i.Op is Opcode.Stxr or Opcode.Swp or Opcode.LdOp or Opcode.Cas) yield return i.R(1).Number;
        if (i.Op is Opcode.Swp or Opcode.LdOp or Opcode.StOp or Opcode.Cas) yield return i.R(0).Number;
    }

    /// <summary>Register-to-register data flow: an ALU result computed from a tainted register is tainted.</summary>
    private static IEnumerable<int> DerivedDestinations(Instruction i, HashSet<int> tainted)
    {
        if (i.Op is not (Opcode.Mov or Opcode.Add or Opcode.Sub or Opcode.And or Opcode.Orr or Opcode.Eor or Opcode.Bic
            or Opcode.Lsl or Opcode.Lsr or Opcode.Csel)) return [];
        var srcs = i.Operands.Skip(1).OfType<RegOperand>().Select(r => r.Reg.Number);
        return srcs.Any(tainted.Contains) ? [i.R(0).Number] : [];
    }
}
