using HvoLab.Arch;
using HvoLab.Strategies;
using System.Text;
using System.Text.Json;

namespace HvoLab.Experiments.Scenarios;

/// <summary>Writes the resolved scenario with every field explicit, in the order of the format description, so the
/// output documents the defaults and parses back to the same scenario. Warnings and refusals are derived, not written.</summary>
internal static class ScenarioWriter
{
    public static string Write(Scenario s)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("name", s.Name);
            if (s.Description is not null) w.WriteString("description", s.Description);
            w.WriteNumber("seed", s.Seed);
            WriteMachine(w, s.Machine);
            w.WriteStartObject("kernel");
            w.WriteString("design", ScenarioWords.Design.Word(s.Kernel.Design));
            w.WriteBoolean("hvo_enabled", s.Kernel.HvoEnabled);
            WriteStrings(w, "revert_fix", s.Kernel.RevertFix);
            if (s.Kernel.Workarounds is { } wa) WriteStrings(w, "workarounds", wa);
            WriteFaultAttr(w, "fail_hugetlb_vmemmap_pte", s.Kernel.FailVmemmapPte);
            WriteFaultAttr(w, "fail_hugetlb_vmemmap_pmd", s.Kernel.FailVmemmapPmd);
            w.WriteEndObject();
            w.WriteStartArray("operations");
            foreach (var o in s.Operations) WriteOperation(w, o);
            w.WriteEndArray();
            w.WriteStartArray("workload");
            foreach (var x in s.Workload) WriteWorkload(w, x);
            w.WriteEndArray();
            WriteStrings(w, "strategies", s.Strategies);
            w.WriteStartObject("strategy_options");
            // Every built-in strategy's options (defaults included, so a written scenario shows every knob) and
            // those of any other listed strategy.
            foreach (var x in StrategyRegistry.All.Where(x => x.OptionsType is not null && (StrategyRegistry.BuiltIn.Contains(x) || s.Strategies.Contains(x.Name))))
            {
                w.WriteStartObject(x.Name);
                StrategyOptionFields.Write(w, s.StrategyOptions.For(x)!);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            WriteScheduler(w, s.Scheduler);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteFaultAttr(Utf8JsonWriter w, string name, FaultAttrSpec? a)
    {
        if (a is null) return;
        w.WriteStartObject(name);
        w.WriteNumber("probability", a.Probability);
        w.WriteNumber("interval", a.Interval);
        w.WriteNumber("times", a.Times);
        w.WriteEndObject();
    }

    private static void WriteMachine(Utf8JsonWriter w, MachineSpec m)
    {
        w.WriteStartObject("machine");
        w.WriteNumber("cpus", m.Cpus);
        w.WriteString("granule", m.Granule.Name);
        w.WriteNumber("bbm_level", m.BbmLevel);
        w.WriteBoolean("tlbi_range", m.TlbiRange);
        w.WriteBoolean("pseudo_nmi", m.PseudoNmi);
        w.WriteString("memory", Units.FormatSize(m.MemoryBytes));
        if (m.MemoryModel != Engine.DataMemoryModel.Sc) w.WriteString("memory_model", Engine.DataMemoryModels.Name(m.MemoryModel));
        if (m.Cpu is not null) w.WriteString("cpu", m.Cpu);
        // Hardware flag updates are written only when they differ from the default (hw AF on, dirty state off).
        if (!m.HardwareAf || m.HardwareDirty || m.Cpu is not null)
        {
            w.WriteStartObject("features");
            w.WriteBoolean(CpuFeatures.HwAf, m.HardwareAf);
            w.WriteBoolean(CpuFeatures.HwDirty, m.HardwareDirty);
            w.WriteEndObject();
        }
        if (m.Errata.Count > 0) WriteStrings(w, "errata", m.Errata);
        w.WriteStartObject("costs");
        foreach (var (name, value) in m.Costs.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteNumber(ScenarioNaming.Snake(name), value);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteOperation(Utf8JsonWriter w, OperationSpec o)
    {
        w.WriteStartObject();
        w.WriteNumber("cpu", o.Cpu);
        w.WriteString("op", ScenarioWords.Operation.Word(o.Op));
        w.WriteNumber("count", o.Count);
        w.WriteString("hugepage", Units.FormatSize(o.HugepageBytes));
        w.WriteBoolean("batched", o.Batched);
        if (o.DemoteToBytes is { } to) w.WriteString("demote_to", Units.FormatSize(to));
        w.WriteNumber("at_ns", o.AtNs);
        w.WriteEndObject();
    }

    private static void WriteWorkload(Utf8JsonWriter w, WorkloadSpec x)
    {
        w.WriteStartObject();
        w.WriteString("cpus", x.CpusText);
        w.WriteString("kind", ScenarioWords.Workload.Word(x.Kind));
        w.WriteNumber("period_ns", x.PeriodNs);
        WriteRange(w, "irq_off_ns", x.IrqOffNs);
        WriteRange(w, "preempt_off_ns", x.PreemptOffNs);
        WriteRange(w, "daif_masked_ns", x.DaifMaskedNs);
        w.WriteEndObject();
    }

    private static void WriteRange(Utf8JsonWriter w, string name, NsRange? r)
    {
        if (r is null) return;
        w.WriteStartObject(name);
        w.WriteNumber("min", r.Min);
        w.WriteNumber("max", r.Max);
        w.WriteEndObject();
    }

    private static void WriteScheduler(Utf8JsonWriter w, SchedulerSpec s)
    {
        w.WriteStartObject("scheduler");
        w.WriteString("mode", ScenarioWords.Mode.Word(s.Mode));
        w.WriteNumber("seeds", s.Seeds);
        w.WriteNumber("iterations", s.Iterations);
        w.WriteNumber("pct_depth", s.PctDepth);
        if (s.PreemptionBound is { } b) w.WriteNumber("preemption_bound", b); else w.WriteNull("preemption_bound");
        w.WriteNumber("max_executions", s.MaxExecutions);
        w.WriteNumber("step_budget", s.StepBudget);
        w.WriteNumber("wall_seconds", s.WallSeconds);
        w.WriteBoolean("closed_form_handlers", s.ClosedFormHandlers);
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
