using System.Globalization;
using System.Text;
using HvoLab.Engine;

namespace HvoLab.Experiments.Checking;

/// <summary>One step of a counterexample: its place in the execution (1-based, the order the search ran it), the
/// CPU, that CPU's virtual time, its context, and what it did with every address symbolised.</summary>
public sealed record CounterexampleStep(int Number, int Cpu, double TimeNs, string Context, string What);

/// <summary>A counterexample a reviewer can follow: one sentence saying what went wrong, then the steps in execution
/// order (one global numbering, shared with <c>hvolab replay</c>).</summary>
public sealed record Counterexample(string Headline, IReadOnlyList<CounterexampleStep> Steps, int TotalSteps)
{
    /// <summary>Numbered steps with virtual time as a column; <paramref name="byCpu"/> groups them per CPU (each group
    /// still in execution order, numbers unchanged).</summary>
    public IEnumerable<string> Lines(bool byCpu = false, int width = int.MaxValue) =>
        RawLines(byCpu).SelectMany(l => Wrap(l, width, StepIndent));

    /// <summary>Where a step's "what" starts: continuation lines are indented to it.</summary>
    private const int StepIndent = 5 + 2 + 12 + 2 + 4 + 1 + 7 + 2;

    /// <summary>Splits <paramref name="line"/> at spaces into lines of at most <paramref name="width"/> characters,
    /// continuation lines indented by <paramref name="indent"/>.</summary>
    public static IEnumerable<string> Wrap(string line, int width, int indent)
    {
        while (line.Length > width)
        {
            int cut = line.LastIndexOf(' ', width - 1);
            if (cut <= indent) break;
            yield return line[..cut];
            line = new string(' ', indent) + line[(cut + 1)..];
        }
        yield return line;
    }

    private IEnumerable<string> RawLines(bool byCpu)
    {
        yield return "# is the order the search executed the steps; time is that CPU's own virtual clock";
        yield return $"{"#",5}  {"time (ns)",12}  {"CPU",-4} {"context",-7}  what";
        if (!byCpu)
        {
            foreach (var s in Steps) yield return Format(s);
            yield break;
        }
        foreach (var g in Steps.GroupBy(s => s.Cpu).OrderBy(g => g.Key))
        {
            yield return $"-- CPU{g.Key}";
            foreach (var s in g) yield return Format(s);
        }
    }

    public static string Format(CounterexampleStep s) =>
        string.Create(CultureInfo.InvariantCulture, $"{s.Number,5}  {s.TimeNs,12:F0}  {"CPU" + s.Cpu,-4} {s.Context,-7}  {s.What}");
}

/// <summary>
/// Turns a violating execution into the steps a reviewer needs: replays its trace with event recording and keeps,
/// in execution order, the page-table writes, TLB maintenance, interrupts, faults and parks of every CPU, plus the
/// accesses of the CPUs the violation names. Addresses are symbolised by <see cref="Symbolizer"/>.
/// </summary>
public static class Explainer
{
    public static Counterexample Explain(ScheduleTrace trace, int maxSteps = 24)
    {
        var (run, system) = CheckRunner.ReplaySystem(trace);
        var sym = new Symbolizer(system.System.Linux);
        var v = run.Violations.FirstOrDefault();
        var involved = v?.Cpus.ToHashSet() ?? [];
        var events = system.System.Sim.Trace.Events;
        // Every CPU's page-table writes, TLB maintenance, interrupts, faults and parks; of the CPUs the violation names,
        // also their writes and atomics, their reads of kernel globals, and their last few steps whatever they are.
        var tailStart = new Dictionary<int, int>();   // index of each involved CPU's third-last operation
        var seenOps = new Dictionary<int, int>();
        for (int i = events.Count - 1; i >= 0; i--)
        {
            var e = events[i];
            if (!involved.Contains(e.Cpu) || e.Kind != TraceKind.Op) continue;
            int n = seenOps[e.Cpu] = seenOps.GetValueOrDefault(e.Cpu) + 1;
            if (n <= 3) tailStart[e.Cpu] = i;
        }
        var keep = new List<CounterexampleStep>();
        for (int i = 0; i < events.Count; i++)
        {
            var e = events[i];
            bool write = e.Kind == TraceKind.Op && (e.Text.EndsWith("Write", StringComparison.Ordinal) || e.Text.EndsWith("Rmw", StringComparison.Ordinal));
            bool pageTableWrite = write && e.Text.StartsWith("phys", StringComparison.Ordinal) && sym.IsPageTable(e.Addr);
            bool structural = e.Kind is TraceKind.Mark or TraceKind.Begin or TraceKind.End || pageTableWrite
                || (e.Kind == TraceKind.Op && (e.Text.StartsWith("tlbi", StringComparison.Ordinal) || e.Text.StartsWith("Dsb", StringComparison.Ordinal)
                    || e.Text.StartsWith("fault", StringComparison.Ordinal) || e.Text.StartsWith("send SGI", StringComparison.Ordinal)));
            bool global = e.Kind == TraceKind.Op && e.Text.StartsWith("phys", StringComparison.Ordinal) && !sym.IsPageTable(e.Addr)
                && !sym.Physical(e.Addr).StartsWith("0x", StringComparison.Ordinal);
            bool tail = tailStart.TryGetValue(e.Cpu, out int start) && i >= start;
            bool mine = involved.Contains(e.Cpu) && e.Kind == TraceKind.Op && (write || global || tail);
            if (structural || mine) keep.Add(Step(i, e, sym));
        }
        string headline = v is null
            ? $"{trace.Strategy}: the replay ended {run.Outcome} without a violation."
            : $"{trace.Strategy}: {v.Kind} on CPU{string.Join(",", v.Cpus)}: {sym.InText(v.Explanation)}";
        return new Counterexample(headline, keep.TakeLast(maxSteps).ToArray(), events.Count);
    }

    /// <summary>Every event of an execution, numbered and symbolised (what <c>hvolab replay</c> prints).</summary>
    public static IEnumerable<CounterexampleStep> AllSteps(IReadOnlyList<TraceEvent> events, Symbolizer sym)
    {
        for (int i = 0; i < events.Count; i++) yield return Step(i, events[i], sym);
    }

    public static CounterexampleStep Step(int index, TraceEvent e, Symbolizer sym) =>
        new(index + 1, e.Cpu, e.Time, e.Kind is TraceKind.Op or TraceKind.Begin or TraceKind.End ? e.Context.ToString() : "", Describe(e, sym));

    private static string Describe(TraceEvent e, Symbolizer sym)
    {
        var inv = CultureInfo.InvariantCulture;
        switch (e.Kind)
        {
            case TraceKind.Begin: return $"enters {e.Text} context";
            case TraceKind.End: return $"leaves {e.Text} context";
            case TraceKind.Slice: return string.Create(inv, $"{e.Text} until {e.End:F0} ns");
            case TraceKind.Mark: return sym.InText(e.Text.Replace(" at 0x", " at VA 0x", StringComparison.Ordinal));
        }
        string t = e.Text;
        if (t.StartsWith("phys ", StringComparison.Ordinal))
        {
            string where = sym.Physical(e.Addr);
            bool table = sym.IsPageTable(e.Addr);
            if (t == "phys Write" && table)
                return (e.Value & 1) == 0
                    ? $"clears {where} (break: 0x{e.Value:x})"
                    : $"writes {where} = 0x{e.Value:x} (make)";
            return $"{Verb(t[5..])} {where} = 0x{e.Value:x}";
        }
        if (t.StartsWith("tlbi ", StringComparison.Ordinal)) return $"TLBI {t[5..]} {sym.Virtual(e.Addr, brief: true)}";
        if (t.StartsWith("fault ", StringComparison.Ordinal)) return $"access to {sym.Virtual(e.Addr)} takes a {t[6..]} fault";
        if (t is "Read" or "Write" or "Rmw") return $"{Verb(t)} {sym.Virtual(e.Addr)} = 0x{e.Value:x}";
        return e.Addr == 0 ? t : $"{t} {sym.Virtual(e.Addr)} = 0x{e.Value:x}";
    }

    private static string Verb(string kind) => kind switch { "Read" => "reads", "Write" => "writes", "Rmw" => "atomically updates", _ => kind.ToLowerInvariant() + " on" };

    /// <summary>The text rendering of a whole replay, numbered like the counterexample.</summary>
    public static string ReplayText(IReadOnlyList<TraceEvent> events, Symbolizer sym)
    {
        var sb = new StringBuilder();
        foreach (var s in AllSteps(events, sym)) sb.Append(Counterexample.Format(s)).Append('\n');
        return sb.ToString();
    }
}
