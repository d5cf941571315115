namespace HvoLab.Litmus;

/// <summary>Features that depend on the machine a test runs on, not on the interpreter. A binding states
/// what it implements; the defaults describe the bare interpreter (no hardware flag updates, EL1 only).</summary>
public sealed record LitmusSupportProfile(
    bool HardwareAccessFlag = false,
    bool HardwareDirtyBit = false,
    bool El0 = false,
    bool MemoryAttributes = false,
    bool ImpreciseFaults = false)
{
    public static readonly LitmusSupportProfile Interpreter = new();
}

public sealed record SupportResult(bool Supported, IReadOnlyList<string> Reasons)
{
    public override string ToString() => Supported ? "supported" : "unsupported: " + string.Join("; ", Reasons);
}

/// <summary>Says whether a parsed test can be run faithfully, and if not, every reason why, so that
/// no test is silently dropped or silently run with the wrong semantics.</summary>
public static class SupportClassifier
{
    /// <summary>Metadata that does not change the semantics: hashes, generator provenance, litmus7 hints.</summary>
    private static readonly HashSet<string> InformationalKeys = new(StringComparer.OrdinalIgnoreCase)
    { "Hash", "Orig", "Generator", "Com", "Prefetch", "Cycle", "Relax", "Safe" };

    /// <summary>Variants whose meaning the interpreter implements: vmsa (the default reading of PTE tests),
    /// precise faults (the thread stops at the fault), fatal (no handler entry), handled (handler entry), faultToNext
    /// (the exception returns to the next instruction, <see cref="LitmusInterpreter"/>), and
    /// FEAT_ETS2 / FEAT_ETS3 walk ordering (ets2, ets3; <see cref="EtsOrdering"/>).</summary>
    private static readonly HashSet<string> KnownVariants = ["vmsa", "precise", "fatal", "handled", "faulttonext", "ets2", "ets3"];

    /// <summary>Variants herd defines whose semantics HvoLab does not implement, with what is missing.</summary>
    private static readonly Dictionary<string, string> UnmodelledVariants = new()
    {
        ["ifetch"] = "instruction fetch not modelled",
        // FEAT_ExS with SCTLR_EL1.EIS/EOS: exception entry/return may not be context synchronising; HvoLab always treats
        // them as context synchronisation events (herd's default without ExS).
        ["exs"] = "FEAT_ExS (exception entry/return not context synchronising) not modelled",
        ["eis"] = "FEAT_ExS controls (SCTLR_EL1.EIS) not modelled",
        ["eos"] = "FEAT_ExS controls (SCTLR_EL1.EOS) not modelled",
    };

    public static SupportResult Classify(LitmusTest test, LitmusSupportProfile? profile = null)
    {
        profile ??= LitmusSupportProfile.Interpreter;
        var reasons = new List<string>();
        foreach (var (key, value) in test.Metadata)
        {
            if (key.Equals("CacheType", StringComparison.OrdinalIgnoreCase))
            {
                reasons.Add($"CacheType={value}: instruction-cache coherence (DIC/IDC) not modelled");
                continue;
            }
            if (InformationalKeys.Contains(key) || key.Equals("Variant", StringComparison.OrdinalIgnoreCase)
                || key.Equals("TTHM", StringComparison.OrdinalIgnoreCase) || key.Equals("EL0", StringComparison.OrdinalIgnoreCase)) continue;
            reasons.Add($"unknown metadata '{key}={value}'");
        }
        foreach (var v in test.Variants)
        {
            if (v == "imprecise") { if (!profile.ImpreciseFaults) reasons.Add("Variant=imprecise: imprecise faults are not modelled"); }
            else if (UnmodelledVariants.TryGetValue(v, out var why)) reasons.Add($"Variant={v}: {why}");
            else if (!KnownVariants.Contains(v)) reasons.Add($"unknown variant '{v}'");
        }
        foreach (var (proc, feature) in test.HardwareUpdates)
        {
            var who = proc is null ? "all threads" : $"P{proc}";
            switch (feature)
            {
                case "HA" when !profile.HardwareAccessFlag: reasons.Add($"TTHM HA ({who}): hardware Access-flag update not implemented"); break;
                case "HD" when !profile.HardwareDirtyBit: reasons.Add($"TTHM HD ({who}): hardware dirty-state update not implemented"); break;
                case "HA" or "HD": break;
                default: reasons.Add($"unknown TTHM feature '{feature}'"); break;
            }
        }
        if (test.El0Procs.Count > 0 && !profile.El0)
            reasons.Add($"EL0={test.Meta("EL0")}: threads at EL0 (permission checks by exception level) not implemented");

        foreach (var d in Descriptors(test))
        {
            foreach (var f in d.UnknownFieldNames) reasons.Add($"descriptor field '{f}' has no defined meaning");
            if (d.Attrs is not null && !profile.MemoryAttributes) reasons.Add($"descriptor attrs {d.Attrs}: memory-type changes not modelled");
            if (d.El0 is not null && !profile.El0) reasons.Add("descriptor field el0: EL0 permissions not modelled");
        }
        foreach (var t in test.Threads)
            foreach (var ins in t.Code)
                if (ins.Op == Opcode.Svc) reasons.Add($"{t.Name}: '{ins.Text}' (system calls) not implemented");
                else if (ins.Op == Opcode.CacheMaintenance) reasons.Add($"{t.Name}: '{ins.Text}' (cache maintenance) not implemented");
        foreach (var e in test.Init)
            if (e.Value is InstructionValue iv) reasons.Add($"init {e.Target}={iv}: instructions as data (instruction fetch) not modelled");

        var distinct = reasons.Distinct().ToList();
        return new SupportResult(distinct.Count == 0, distinct);
    }

    private static IEnumerable<DescriptorValue> Descriptors(LitmusTest test)
    {
        IEnumerable<DescriptorValue> InCond(LitCondition? c) => c switch
        {
            EqualsCondition { Value: DescriptorValue d } => [d],
            NotCondition n => InCond(n.Inner),
            AndCondition a => InCond(a.Left).Concat(InCond(a.Right)),
            OrCondition o => InCond(o.Left).Concat(InCond(o.Right)),
            _ => [],
        };
        return test.Init.Select(e => e.Value).OfType<DescriptorValue>()
            .Concat(InCond(test.Filter)).Concat(InCond(test.Final.Condition));
    }
}
