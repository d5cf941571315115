using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using HvoLab.Engine;
using HvoLab.Experiments.Checking;

namespace HvoLab.Experiments.Reports;

/// <summary>What goes into a Perfetto export: per-access instants (off by default: they are most of the events), a
/// CPU subset and a virtual-time window (in the export's causal time, ns).</summary>
public sealed record PerfettoOptions
{
    public bool Accesses { get; init; }
    public IReadOnlySet<int>? Cpus { get; init; }
    public double FromNs { get; init; } = double.NegativeInfinity;
    public double ToNs { get; init; } = double.PositiveInfinity;
    /// <summary>Shift each CPU's clock so events never precede ones executed earlier (replays of searches, whose CPUs
    /// run on independent clocks); a timed run's clocks are already one global time.</summary>
    public bool Causal { get; init; } = true;
    /// <summary>Title of the process track (e.g. "hvolab D").</summary>
    public string Title { get; init; } = "hvolab";
}

/// <summary>
/// Chrome/Perfetto trace-event JSON of an execution a kernel engineer opens gladly: one named process, a thread per
/// CPU and a "TLB maintenance &amp; BBM" thread per CPU; slices for interrupt handlers, labelled work, BBM windows
/// (break → make of one descriptor) and TLBI → DSB completion; flow arrows from each IPI send to its receivers and from
/// a TLBI to its completion. Event names carry no numbers (numbers go to args), so Perfetto groups them.
/// Timestamps are causal: the search runs each CPU on its own clock, so a CPU's events are shifted forward (never
/// back) until no event is drawn before one that the execution ran earlier; durations within a CPU are kept.
/// </summary>
public static partial class PerfettoExport
{
    private const int MaintenanceTrack = 1000;
    private const double MergeGapNs = 200;

    public static string ToJson(IReadOnlyList<TraceEvent> events, int cpus, Symbolizer? sym, PerfettoOptions? options = null)
    {
        using var ms = new MemoryStream();
        Write(ms, events, cpus, sym, options ?? new PerfettoOptions());
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>Display times in execution order that never go backwards (see the class comment).</summary>
    public static double[] CausalTimes(IReadOnlyList<TraceEvent> events, int cpus)
    {
        var shift = new double[Math.Max(cpus, 1 + events.Select(e => e.Cpu).DefaultIfEmpty(0).Max())];
        var times = new double[events.Count];
        double last = double.NegativeInfinity;
        for (int i = 0; i < events.Count; i++)
        {
            var e = events[i];
            // A slice is recorded when it ends: its end is the moment that orders it.
            double key = (e.Kind == TraceKind.Slice ? e.End : e.Time) + shift[e.Cpu];
            if (key < last) { shift[e.Cpu] += last - key; key = last; }
            times[i] = e.Kind == TraceKind.Slice ? key - (e.End - e.Time) : key;
            last = key;
        }
        return times;
    }

    public static void Write(Stream stream, IReadOnlyList<TraceEvent> events, int cpus, Symbolizer? sym, PerfettoOptions o)
    {
        var times = o.Causal ? CausalTimes(events, cpus) : events.Select(e => e.Time).ToArray();
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        w.WriteStartObject();
        w.WriteString("displayTimeUnit", "ns");
        w.WriteStartArray("traceEvents");
        Metadata(w, "process_name", 0, new() { ["name"] = o.Title });
        for (int c = 0; c < cpus; c++)
        {
            if (!Wanted(o, c)) continue;
            Metadata(w, "thread_name", c, new() { ["name"] = $"CPU{c}" });
            Metadata(w, "thread_sort_index", c, new() { ["sort_index"] = 2 * c });
            Metadata(w, "thread_name", MaintenanceTrack + c, new() { ["name"] = $"CPU{c} TLB maintenance & BBM" });
            Metadata(w, "thread_sort_index", MaintenanceTrack + c, new() { ["sort_index"] = 2 * c + 1 });
        }
        var openBreak = new Dictionary<ulong, (double T, int Cpu)>();
        var openTlbi = new Dictionary<int, (double T, string Op, ulong Va, long Flow)>();
        var pendingIpis = new List<(int Sender, int Sgi, int Left, double T, HashSet<int> Served)>();
        var openContexts = new Dictionary<int, Stack<(double T, string Name)>>();
        // Slices of one name on one CPU less than MergeGapNs apart (a reader's periods, separated by its own accesses,
        // which are not drawn by default) are drawn as one, with their count: the default trace of 64 CPUs would
        // otherwise hold a slice per period. Never for "irqs off", whose separate windows are the point, nor with
        // --accesses, which asks for every detail.
        var pendingSlice = new Dictionary<(int Cpu, string Name), (double Start, double End, string Name, int Count)>();
        long flowIds = 0;
        for (int i = 0; i < events.Count; i++)
        {
            var e = events[i];
            double t = times[i];
            bool inWindow = t >= o.FromNs && t <= o.ToNs && Wanted(o, e.Cpu);
            switch (e.Kind)
            {
                case TraceKind.Begin when e.Context != ContextKind.Task:
                    if (!inWindow) break;
                    if (!openContexts.TryGetValue(e.Cpu, out var stack)) openContexts[e.Cpu] = stack = new();
                    stack.Push((t, ContextName(e.Context)));
                    break;
                case TraceKind.End when e.Context != ContextKind.Task:
                    if (!openContexts.TryGetValue(e.Cpu, out var open) || open.Count == 0) break;
                    var (begin, handler) = open.Pop();
                    Slice(w, handler, e.Cpu, begin, t);
                    break;
                case TraceKind.Slice:
                    if (!inWindow) break;
                    var key = (e.Cpu, e.Text);
                    if (!o.Accesses && e.Text != "irqs off" && pendingSlice.TryGetValue(key, out var ps) && t - ps.End < MergeGapNs)
                        pendingSlice[key] = ps with { End = Math.Max(ps.End, t + (e.End - e.Time)), Count = ps.Count + 1 };
                    else
                    {
                        if (pendingSlice.Remove(key, out var done)) MergedSlice(w, e.Cpu, done);
                        pendingSlice[key] = (t, t + (e.End - e.Time), e.Text, 1);
                    }
                    break;
                case TraceKind.Mark:
                    Mark(w, e, t, inWindow, sym, pendingIpis, ref flowIds);
                    break;
                case TraceKind.Op:
                    Op(w, e, t, inWindow, sym, o, openBreak, openTlbi, pendingIpis, ref flowIds);
                    break;
            }
            if (w.BytesPending > 1 << 20) w.Flush();   // stream out (hvolab trace writes to the file): keep the buffer small
        }
        foreach (var ((cpu, _), ps) in pendingSlice) MergedSlice(w, cpu, ps);
        // A handler still running at the end of the execution (a deadlock) is drawn up to the last event.
        double end = times.Length > 0 ? times[^1] : 0;
        foreach (var (cpu, open) in openContexts)
            foreach (var (begin, handler) in open) Slice(w, handler, cpu, begin, end);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Slice(Utf8JsonWriter w, string name, int tid, double from, double to)
    {
        Event(w, "X", name, "", tid, from);
        w.WriteNumber("dur", Us(to - from));
        w.WriteEndObject();
    }

    private static void MergedSlice(Utf8JsonWriter w, int tid, (double Start, double End, string Name, int Count) s)
    {
        Event(w, "X", s.Name, "", tid, s.Start);
        w.WriteNumber("dur", Us(s.End - s.Start));
        if (s.Count > 1) { w.WriteStartObject("args"); w.WriteNumber("count", s.Count); w.WriteEndObject(); }
        w.WriteEndObject();
    }

    private static bool Wanted(PerfettoOptions o, int cpu) => o.Cpus is null || o.Cpus.Contains(cpu);

    private static string ContextName(ContextKind k) => k switch
    {
        ContextKind.Nmi => "NMI handler",
        ContextKind.Irq => "IRQ handler",
        _ => k + " handler",
    };

    private static void Mark(Utf8JsonWriter w, TraceEvent e, double t, bool inWindow, Symbolizer? sym,
        List<(int Sender, int Sgi, int Left, double T, HashSet<int> Served)> pendingIpis, ref long flowIds)
    {
        var take = TakePattern().Match(e.Text);
        if (take.Success)
        {
            int sgi = int.Parse(take.Groups[2].Value, CultureInfo.InvariantCulture);
            int k = pendingIpis.FindIndex(p => p.Sgi == sgi && p.Sender != e.Cpu && !p.Served.Contains(e.Cpu));
            if (k >= 0) pendingIpis[k].Served.Add(e.Cpu);
            if (!inWindow) { if (k >= 0) Consume(pendingIpis, k); return; }
            // The handler slice that starts now carries the arrow's head (no slice of its own: one per interrupt).
            if (k >= 0)
            {
                var p = pendingIpis[k];
                long id = ++flowIds;
                Flow(w, "s", id, p.Sender, p.T);
                Flow(w, "f", id, e.Cpu, t);
                Consume(pendingIpis, k);
            }
            return;
        }
        if (!inWindow) return;
        if (e.Text.StartsWith("work interrupted", StringComparison.Ordinal)) return;   // the handler slice shows it
        var fault = FaultPattern().Match(e.Text);
        if (fault.Success)
        {
            ulong va = ulong.Parse(fault.Groups[3].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            Event(w, "i", "fault: " + fault.Groups[1].Value, "fault", e.Cpu, t);
            w.WriteString("s", "t");
            Args(w, ("level", fault.Groups[2].Value), ("va", $"0x{va:x}"), ("symbol", sym?.Virtual(va) ?? ""));
            w.WriteEndObject();
            return;
        }
        var (name, numbers) = SplitNumbers(e.Text);
        Event(w, "i", name, "mark", e.Cpu, t);
        w.WriteString("s", "t");
        if (numbers.Length > 0) Args(w, ("numbers", string.Join(" ", numbers)), ("detail", e.Text));
        w.WriteEndObject();
    }

    private static void Consume(List<(int Sender, int Sgi, int Left, double T, HashSet<int> Served)> pending, int k)
    {
        var p = pending[k];
        if (p.Left <= 1) pending.RemoveAt(k); else pending[k] = p with { Left = p.Left - 1 };
    }

    private static void Op(Utf8JsonWriter w, TraceEvent e, double t, bool inWindow, Symbolizer? sym, PerfettoOptions o,
        Dictionary<ulong, (double T, int Cpu)> openBreak, Dictionary<int, (double T, string Op, ulong Va, long Flow)> openTlbi,
        List<(int Sender, int Sgi, int Left, double T, HashSet<int> Served)> pendingIpis, ref long flowIds)
    {
        string text = e.Text;
        int track = MaintenanceTrack + e.Cpu;
        var send = SendPattern().Match(text);
        if (send.Success)
        {
            int sgi = int.Parse(send.Groups[1].Value, CultureInfo.InvariantCulture);
            int n = int.Parse(send.Groups[2].Value, CultureInfo.InvariantCulture);
            pendingIpis.Add((e.Cpu, sgi, n, t, new HashSet<int>()));
            if (!inWindow) return;
            Event(w, "X", "send IPI", "irq", e.Cpu, t);
            w.WriteNumber("dur", 0.001);
            Args(w, ("sgi", sgi.ToString(CultureInfo.InvariantCulture)), ("targets", n.ToString(CultureInfo.InvariantCulture)));
            w.WriteEndObject();
            // One arrow per receiver, written when the receiver's "take" mark is reached.
            return;
        }
        if (text.StartsWith("tlbi ", StringComparison.Ordinal))
        {
            openTlbi[e.Cpu] = (t, text[5..], e.Addr, ++flowIds);
            return;
        }
        if (text.StartsWith("Dsb", StringComparison.Ordinal) && openTlbi.Remove(e.Cpu, out var tl))
        {
            if (inWindow)
            {
                Event(w, "X", "TLBI", "tlb", track, tl.T);
                w.WriteNumber("dur", Us(t - tl.T));
                Args(w, ("op", tl.Op), ("va", $"0x{tl.Va:x}"), ("symbol", sym?.Virtual(tl.Va, brief: true) ?? ""), ("completed_by", text));
                w.WriteEndObject();
                Flow(w, "s", tl.Flow, track, tl.T);
                Flow(w, "f", tl.Flow, track, t);
            }
            if (!o.Accesses) return;
        }
        if (text.StartsWith("fault ", StringComparison.Ordinal)) return;   // the fault mark carries it, with its level
        if (text == "phys Write" && sym is not null && sym.IsPageTable(e.Addr))
        {
            bool valid = (e.Value & 1) != 0;
            if (!valid) openBreak[e.Addr] = (t, e.Cpu);
            else if (openBreak.Remove(e.Addr, out var br) && inWindow)
            {
                Event(w, "X", "BBM window", "bbm", MaintenanceTrack + br.Cpu, br.T);
                w.WriteNumber("dur", Us(t - br.T));
                Args(w, ("descriptor", sym.Physical(e.Addr)), ("pa", $"0x{e.Addr:x}"), ("new", $"0x{e.Value:x}"));
                w.WriteEndObject();
            }
            if (!inWindow) return;
            Event(w, "i", valid ? "make" : "break", "bbm", e.Cpu, t);
            w.WriteString("s", "t");
            Args(w, ("descriptor", sym.Physical(e.Addr)), ("value", $"0x{e.Value:x}"));
            w.WriteEndObject();
            return;
        }
        if (!o.Accesses || !inWindow) return;
        Event(w, "i", text, "access", e.Cpu, t);
        w.WriteString("s", "t");
        string where = sym is null ? "" : text.StartsWith("phys", StringComparison.Ordinal) ? sym.Physical(e.Addr) : sym.Virtual(e.Addr);
        Args(w, ("addr", $"0x{e.Addr:x}"), ("value", $"0x{e.Value:x}"), ("symbol", where));
        w.WriteEndObject();
    }

    private static void Event(Utf8JsonWriter w, string ph, string name, string cat, int tid, double tNs)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        if (cat.Length > 0) w.WriteString("cat", cat);
        w.WriteString("ph", ph);
        w.WriteNumber("pid", 1);
        w.WriteNumber("tid", tid);
        w.WriteNumber("ts", Us(tNs));
    }

    private static void Flow(Utf8JsonWriter w, string ph, long id, int tid, double tNs)
    {
        Event(w, ph, "flow", "flow", tid, tNs);
        w.WriteNumber("id", id);
        if (ph == "f") w.WriteString("bp", "e");
        w.WriteEndObject();
    }

    private static void Metadata(Utf8JsonWriter w, string name, int tid, Dictionary<string, object> args)
    {
        w.WriteStartObject();
        w.WriteString("name", name); w.WriteString("ph", "M"); w.WriteNumber("pid", 1); w.WriteNumber("tid", tid);
        w.WriteStartObject("args");
        foreach (var (k, v) in args)
            if (v is int n) w.WriteNumber(k, n); else w.WriteString(k, v.ToString());
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void Args(Utf8JsonWriter w, params (string Key, string Value)[] args)
    {
        w.WriteStartObject("args");
        foreach (var (k, v) in args) w.WriteString(k, v);
        w.WriteEndObject();
    }

    /// <summary>µs with ns resolution (the model's time step).</summary>
    private static double Us(double ns) => Math.Round(ns / 1000.0, 3);

    /// <summary>"work interrupted, 120 ns left" → ("work interrupted, ns left", ["120"]).</summary>
    public static (string Name, string[] Numbers) SplitNumbers(string text)
    {
        var numbers = NumberPattern().Matches(text).Select(m => m.Value).ToArray();
        if (numbers.Length == 0) return (text, numbers);
        string name = NumberPattern().Replace(text, "").Replace("  ", " ", StringComparison.Ordinal).Trim(' ', ',');
        return (name, numbers);
    }

    [GeneratedRegex(@"^take (pseudo-NMI|IRQ) SGI (\d+)")]
    private static partial Regex TakePattern();
    [GeneratedRegex(@"^fault (\w+) L(\d) at 0x([0-9a-f]+)")]
    private static partial Regex FaultPattern();
    [GeneratedRegex(@"^send SGI (\d+) to (\d+) CPUs")]
    private static partial Regex SendPattern();
    [GeneratedRegex(@"\b(0x[0-9a-fA-F]+|\d+(\.\d+)?)\b")]
    private static partial Regex NumberPattern();
}
