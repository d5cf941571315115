namespace HvoLab.Litmus;

/// <summary>One entry of the initial-state block. <paramref name="Value"/> is null for bare declarations
/// (<c>int64_t y;</c>, <c>int64_t 1:X0;</c>), which herd initialises to zero.</summary>
public sealed record InitEntry(LitLocation Target, string? Type, LitValue? Value, int Line);

/// <summary>A parsed test. <paramref name="Locations"/> and <paramref name="ObservedFaults"/> come from the
/// <c>locations [...]</c> clause (extra things herd prints in each final state). <paramref name="Metadata"/> keeps every <c>key=value</c> header line in order
/// (keys case-preserved; <see cref="Variants"/> and <see cref="HardwareUpdates"/> are typed views).</summary>
public sealed record LitmusTest(
    string Arch,
    string Name,
    string SourcePath,
    IReadOnlyList<KeyValuePair<string, string>> Metadata,
    IReadOnlyList<string> Comments,
    IReadOnlyList<InitEntry> Init,
    IReadOnlyList<LitmusThread> Threads,
    IReadOnlyList<LitLocation> Locations,
    IReadOnlyList<FaultCondition> ObservedFaults,
    LitCondition? Filter,
    FinalCondition Final)
{
    public string? Meta(string key) =>
        Metadata.Where(kv => string.Equals(kv.Key, key, StringComparison.OrdinalIgnoreCase)).Select(kv => kv.Value).FirstOrDefault();

    /// <summary>Lower-cased comma-separated <c>Variant=</c> entries, e.g. {"vmsa","fatal"}.</summary>
    public IReadOnlySet<string> Variants =>
        new HashSet<string>((Meta("Variant") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => v.ToLowerInvariant()));

    /// <summary><c>TTHM=</c> hardware table-update settings: (proc or null for all, "HA"/"HD").</summary>
    public IReadOnlyList<(int? Proc, string Feature)> HardwareUpdates =>
        (Meta("TTHM") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(ParseTthm).ToList();

    private static (int? Proc, string Feature) ParseTthm(string item)
    {
        var colon = item.IndexOf(':');
        if (colon < 0) return (null, item);
        return (int.Parse(item.AsSpan(1, colon - 1), System.Globalization.CultureInfo.InvariantCulture), item[(colon + 1)..]);
    }

    /// <summary>Threads listed in <c>EL0=P0,P2</c> run at EL0; the others at EL1.</summary>
    public IReadOnlySet<int> El0Procs =>
        new HashSet<int>((Meta("EL0") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => int.Parse(p.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture)));

    public LitmusThread Thread(int proc) => Threads.First(t => t.Proc == proc && !t.IsHandler);
    public LitmusThread? Handler(int proc) => Threads.FirstOrDefault(t => t.Proc == proc && t.IsHandler);
    public IEnumerable<LitmusThread> MainThreads => Threads.Where(t => !t.IsHandler);
}

/// <summary>A code column: <c>P1</c> or its fault handler <c>P1.F</c>. Labels map to instruction
/// indices; a label after the last instruction maps to <c>Code.Count</c> (thread end).</summary>
public sealed record LitmusThread(string Name, int Proc, bool IsHandler, IReadOnlyList<Instruction> Code,
    IReadOnlyDictionary<string, int> Labels)
{
    /// <summary>The label attached to instruction <paramref name="index"/>, if any (for <c>fault(P0:L0,x)</c>).</summary>
    public string? LabelAt(int index) => Labels.Where(kv => kv.Value == index).Select(kv => kv.Key).FirstOrDefault();
}

public enum Quantifier { Exists, NotExists, Forall }

/// <summary>The final condition; <paramref name="Explicit"/> is false when the file has none (read as forall true).</summary>
public sealed record FinalCondition(Quantifier Quantifier, LitCondition Condition, bool Explicit = true)
{
    public override string ToString() => Quantifier switch
    {
        Quantifier.Exists => "exists ",
        Quantifier.NotExists => "~exists ",
        _ => "forall ",
    } + Condition;
}

/// <summary>Propositions over a final state.</summary>
public abstract record LitCondition;

public sealed record TrueCondition : LitCondition
{
    public override string ToString() => "true";
}

/// <summary><c>loc=value</c>.</summary>
public sealed record EqualsCondition(LitLocation Location, LitValue Value) : LitCondition
{
    public override string ToString() => $"{Location}={Value}";
}

/// <summary><c>fault(P0,x)</c>, <c>fault(P0:L0,x)</c>, <c>fault(P0,x,MMU:Permission)</c>: thread
/// <paramref name="Proc"/> took a fault on an access to <paramref name="Target"/> (optionally at the
/// instruction labelled <paramref name="Label"/>, optionally of the given <paramref name="FaultType"/>).</summary>
/// <summary>herd's fault atom <c>fault(Pn[:L][,loc][,type])</c>; a null <paramref name="Target"/> matches a fault at
/// any location (or none, as an Undefined Instruction exception has).</summary>
public sealed record FaultCondition(int Proc, string? Label, LitLocation? Target, string? FaultType) : LitCondition
{
    public override string ToString() =>
        $"fault(P{Proc}{(Label is null ? "" : ":" + Label)}{(Target is null ? "" : "," + Target)}{(FaultType is null ? "" : "," + FaultType)})";
}

public sealed record NotCondition(LitCondition Inner) : LitCondition
{
    public override string ToString() => $"~{Inner}";
}

public sealed record AndCondition(LitCondition Left, LitCondition Right) : LitCondition
{
    public override string ToString() => $"({Left} /\\ {Right})";
}

public sealed record OrCondition(LitCondition Left, LitCondition Right) : LitCondition
{
    public override string ToString() => $"({Left} \\/ {Right})";
}
