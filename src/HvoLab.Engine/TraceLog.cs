using System.Globalization;
using System.Text;
using System.Text.Json;

namespace HvoLab.Engine;

public enum TraceKind : byte { Op, Mark, Begin, End, Slice }

/// <summary>One recorded event. Times in ns of virtual time.</summary>
public readonly record struct TraceEvent(double Time, double End, int Cpu, ContextKind Context, TraceKind Kind, string Text, ulong Addr, ulong Value);

/// <summary>
/// The readable event log of an execution (recorded only when enabled, so timed runs stay allocation-free).
/// Two renderings: text (time, CPU, context, operation, address, value) and Chrome/Perfetto trace-event JSON
/// (one track per CPU; slices for contexts and labelled work; instants for marks).
/// </summary>
public sealed class TraceLog
{
    private readonly List<TraceEvent> _events = new();
    private readonly Dictionary<int, string> _labelNames = new();

    public TraceLog(bool enabled) => Enabled = enabled;
    public bool Enabled { get; }
    /// <summary>Events kept at most; past it nothing more is recorded, <see cref="Full"/> is set and a timed run stops
    /// (hvolab trace --max-events: the memory a trace takes stays bounded).</summary>
    public long MaxEvents { get; set; } = long.MaxValue;
    public bool Full => _events.Count >= MaxEvents;
    public IReadOnlyList<TraceEvent> Events => _events;
    /// <summary>Resolves label ids for slices (set by the simulator).</summary>
    public Func<int, string>? LabelNames { get; set; }

    public void Op(double t, int cpu, ContextKind ctx, string what, ulong addr, ulong value) => Add(new(t, t, cpu, ctx, TraceKind.Op, what, addr, value));
    public void Mark(double t, int cpu, string text) => Add(new(t, t, cpu, ContextKind.Task, TraceKind.Mark, text, 0, 0));
    public void Begin(double t, int cpu, ContextKind ctx) => Add(new(t, t, cpu, ctx, TraceKind.Begin, ctx.ToString(), 0, 0));
    public void End(double t, int cpu, ContextKind ctx) => Add(new(t, t, cpu, ctx, TraceKind.End, ctx.ToString(), 0, 0));
    public void Slice(double t0, double t1, int cpu, int label) => Add(new(t0, t1, cpu, ContextKind.Task, TraceKind.Slice, LabelNames?.Invoke(label) ?? label.ToString(CultureInfo.InvariantCulture), 0, 0));

    private void Add(TraceEvent e)
    {
        if (_events.Count < MaxEvents) _events.Add(e);
    }

    /// <summary>Readable text, one line per event.</summary>
    public string ToText()
    {
        var sb = new StringBuilder();
        foreach (var e in _events)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{e.Time,14:F1} ns  CPU{e.Cpu,-3} ");
            switch (e.Kind)
            {
                case TraceKind.Op:
                    sb.Append(CultureInfo.InvariantCulture, $"{e.Context,-7} {e.Text,-24} 0x{e.Addr:x16} = 0x{e.Value:x}");
                    break;
                case TraceKind.Begin: sb.Append("enter ").Append(e.Text); break;
                case TraceKind.End: sb.Append("leave ").Append(e.Text); break;
                case TraceKind.Slice: sb.Append(CultureInfo.InvariantCulture, $"{e.Text} until {e.End:F1} ns"); break;
                default: sb.Append("-- ").Append(e.Text); break;
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Chrome trace-event JSON (ui.perfetto.dev and chrome://tracing open it). Timestamps are µs.</summary>
    public string ToPerfettoJson(int cpus)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = false }))
        {
            w.WriteStartObject();
            w.WriteString("displayTimeUnit", "ns");
            w.WriteStartArray("traceEvents");
            for (int c = 0; c < cpus; c++)
            {
                w.WriteStartObject();
                w.WriteString("name", "thread_name"); w.WriteString("ph", "M"); w.WriteNumber("pid", 1); w.WriteNumber("tid", c);
                w.WriteStartObject("args"); w.WriteString("name", $"CPU{c}"); w.WriteEndObject();
                w.WriteEndObject();
            }
            foreach (var e in _events)
            {
                if (e.Kind == TraceKind.Begin && e.Context == ContextKind.Task) continue;
                if (e.Kind == TraceKind.End && e.Context == ContextKind.Task) continue;
                w.WriteStartObject();
                w.WriteString("name", e.Kind == TraceKind.Op ? e.Text : e.Text);
                w.WriteNumber("pid", 1);
                w.WriteNumber("tid", e.Cpu);
                w.WriteNumber("ts", Math.Round(e.Time / 1000.0, 4));
                switch (e.Kind)
                {
                    case TraceKind.Begin: w.WriteString("ph", "B"); w.WriteString("cat", "context"); break;
                    case TraceKind.End: w.WriteString("ph", "E"); w.WriteString("cat", "context"); break;
                    case TraceKind.Slice:
                        w.WriteString("ph", "X"); w.WriteString("cat", "work");
                        w.WriteNumber("dur", Math.Round((e.End - e.Time) / 1000.0, 4));
                        break;
                    case TraceKind.Op:
                        w.WriteString("ph", "i"); w.WriteString("s", "t"); w.WriteString("cat", "op");
                        w.WriteStartObject("args"); w.WriteString("addr", $"0x{e.Addr:x}"); w.WriteString("value", $"0x{e.Value:x}"); w.WriteEndObject();
                        break;
                    default: w.WriteString("ph", "i"); w.WriteString("s", "t"); w.WriteString("cat", "mark"); break;
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }
}
