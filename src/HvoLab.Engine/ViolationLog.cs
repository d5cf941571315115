namespace HvoLab.Engine;

/// <summary>
/// The violations of one run. A run that continues past violations (StopOnViolation off) keeps the first
/// <see cref="MaxKept"/> with their stories and counts the rest: an unsafe strategy timed over 300,000 folios reports
/// millions. Stopping the run after one is the caller's decision (<see cref="Simulator.ReportViolation(string, int[], ulong, string)"/>).
/// </summary>
internal sealed class ViolationLog
{
    public const int MaxKept = 1000;
    private readonly List<Violation> _kept = new();

    public IReadOnlyList<Violation> Kept => _kept;
    /// <summary>Violations beyond <see cref="MaxKept"/> (and Arch oracle reports folded in by OpExecutor), counted only.</summary>
    public long Dropped { get; set; }

    /// <summary>Keeps the violation, stamped with the latest clock of the CPUs involved; false when it was only counted.</summary>
    public bool Record(string kind, int[] cpus, ulong va, string explanation, Cpu[] all, long steps, out double time)
    {
        time = 0;
        if (_kept.Count >= MaxKept) { Dropped++; return false; }
        foreach (int c in cpus) time = Math.Max(time, all[c].Time);
        _kept.Add(new Violation(kind, cpus, va, (long)time, explanation, steps));
        return true;
    }
}

/// <summary>Names of the code sections a CPU runs (trace slices, preemption reasons), interned to small ids so a
/// hot path stores an int; id 0 is the unnamed section.</summary>
internal sealed class LabelTable
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal) { [""] = 0 };
    private readonly List<string> _names = new() { "" };

    public int Intern(string name)
    {
        if (_ids.TryGetValue(name, out int id)) return id;
        id = _names.Count; _ids[name] = id; _names.Add(name);
        return id;
    }

    public string Name(int id) => _names[id];
}
