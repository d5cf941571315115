using System.Text.Json;
using HvoLab.Arch;
using HvoLab.Engine;
using HvoLab.Kernel;

namespace HvoLab.Experiments.Scenarios;

/// <summary>Reads a JSON document into a <see cref="Scenario"/>, field by field, stopping at the first error.
/// Cross-field rules (CPU ranges, refusals, warnings) are in <see cref="ScenarioChecks"/>.</summary>
internal static class ScenarioReader
{
    internal static readonly string[] TopFields =
        ["name", "description", "seed", "machine", "kernel", "operations", "workload", "strategies", "strategy_options", "scheduler"];
    internal static readonly string[] MachineFields = ["cpus", "granule", "bbm_level", "tlbi_range", "pseudo_nmi", "memory", "costs", "cpu", "features", "errata", "memory_model"];
    internal static readonly string[] KernelFields = ["design", "hvo_enabled", "revert_fix", "workarounds", "fail_hugetlb_vmemmap_pte", "fail_hugetlb_vmemmap_pmd"];
    internal static readonly string[] FaultAttrFields = ["probability", "interval", "times"];
    internal static readonly string[] OperationFields = ["cpu", "op", "count", "hugepage", "batched", "demote_to", "at_ns"];
    internal static readonly string[] WorkloadFields = ["cpus", "kind", "period_ns", "irq_off_ns", "preempt_off_ns", "daif_masked_ns"];
    internal static readonly string[] SchedulerFields =
        ["mode", "seeds", "iterations", "pct_depth", "preemption_bound", "max_executions", "step_budget", "wall_seconds", "closed_form_handlers"];

    internal static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 };

    public static Scenario Read(string json)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, DocumentOptions); }
        catch (JsonException e)
        {
            // LineNumber and BytePositionInLine are 0-based; editors count from 1.
            var where = e.LineNumber is { } l ? $" at line {l + 1}, position {(e.BytePositionInLine ?? 0) + 1}" : "";
            throw new ScenarioException("$", $"malformed JSON{where}: {FirstSentence(e.Message)}", e);
        }
        using (doc) return ReadTop(new JsonField(doc.RootElement, "$"));
    }

    private static string FirstSentence(string message)
    {
        // The runtime's message repeats the (0-based) position and may suggest reader options; keep the first sentence.
        var s = message.Replace('\n', ' ').Replace('\r', ' ').Trim();
        var cut = s.IndexOf(". ", StringComparison.Ordinal);
        return cut > 0 ? s[..(cut + 1)] : s;
    }

    private static Scenario ReadTop(JsonField root)
    {
        var f = root.Object(TopFields);
        var s = new Scenario();
        if (f.TryGetValue("name", out var v))
        {
            var name = v.String("a non-empty string");
            if (string.IsNullOrWhiteSpace(name)) throw v.NotAllowed("a non-empty string");
            s = s with { Name = name };
        }
        if (f.TryGetValue("description", out v)) s = s with { Description = v.Value.ValueKind == JsonValueKind.Null ? null : v.String("a string") };
        if (f.TryGetValue("seed", out v)) s = s with { Seed = v.ULong() };
        if (f.TryGetValue("machine", out v)) s = s with { Machine = ReadMachine(v) };
        if (f.TryGetValue("kernel", out v)) s = s with { Kernel = ReadKernel(v) };
        if (f.TryGetValue("operations", out v)) s = s with { Operations = v.Array("operations").Select(ReadOperation).ToArray() };
        if (f.TryGetValue("workload", out v)) s = s with { Workload = v.Array("workload entries").Select(ReadWorkload).ToArray() };
        if (f.TryGetValue("strategies", out v)) s = s with { Strategies = StrategyFieldsReader.ReadStrategies(v) };
        if (f.TryGetValue("strategy_options", out v)) s = s with { StrategyOptions = StrategyFieldsReader.ReadStrategyOptions(v) };
        if (f.TryGetValue("scheduler", out v)) s = s with { Scheduler = ReadScheduler(v) };
        return ScenarioChecks.Resolve(s, workloadGiven: f.ContainsKey("workload"));
    }

    private static MachineSpec ReadMachine(JsonField node)
    {
        var f = node.Object(MachineFields);
        var m = new MachineSpec();
        if (f.TryGetValue("cpus", out var v)) m = m with { Cpus = v.Int(ScenarioFields.Cpus) };
        if (f.TryGetValue("granule", out v))
        {
            var text = v.Value.ValueKind == JsonValueKind.String ? v.Value.GetString() : null;
            if (!Granule.TryParse(text, out var g)) throw v.NotAllowed("\"4k\", \"16k\" or \"64k\"");
            m = m with { Granule = g };
        }
        if (f.TryGetValue("bbm_level", out v)) m = m with { BbmLevel = v.Int(ScenarioFields.BbmLevel) };
        if (f.TryGetValue("tlbi_range", out v)) m = m with { TlbiRange = v.Bool() };
        if (f.TryGetValue("pseudo_nmi", out v)) m = m with { PseudoNmi = v.Bool() };
        if (f.TryGetValue("memory", out v))
        {
            var bytes = v.Size();
            if (bytes < ScenarioDefaults.MinMemoryBytes || bytes > ScenarioDefaults.MaxMemoryBytes)
                throw v.NotAllowed($"{Units.FormatSize(ScenarioDefaults.MinMemoryBytes)}..{Units.FormatSize(ScenarioDefaults.MaxMemoryBytes)}");
            // Memory is made of pages (fuzz regression memory-not-page-multiple.json: PhysicalMemory threw).
            if (bytes % m.Granule.PageSize != 0)
                throw v.NotAllowed($"a whole number of {m.Granule.Name} pages (a multiple of {Units.FormatSize(m.Granule.PageSize)})");
            m = m with { MemoryBytes = bytes };
        }
        if (f.TryGetValue("costs", out v)) m = m with { Costs = ReadCosts(v) };
        if (f.TryGetValue("memory_model", out v))
        {
            var text = v.Value.ValueKind == JsonValueKind.String ? v.Value.GetString() : null;
            if (!Engine.DataMemoryModels.TryParse(text, out var model)) throw v.NotAllowed(string.Join(" or ", Engine.DataMemoryModels.Names.Select(n => $"\"{n}\"")));
            m = m with { MemoryModel = model };
        }
        return ScenarioHardware.Apply(m, f);
    }

    /// <summary>Cost names are accepted as CostModel property names ("TlbiBaseNs") or in snake_case ("tlbi_base_ns").</summary>
    private static Dictionary<string, double> ReadCosts(JsonField node)
    {
        if (node.Value.ValueKind != JsonValueKind.Object) throw node.NotAllowed("an object of cost name → number");
        var snake = CostModel.Names.ToDictionary(ScenarioNaming.Snake, n => n, StringComparer.Ordinal);
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var p in node.Value.EnumerateObject())
        {
            var path = $"{node.Path}.{p.Name}";
            var name = CostModel.Names.Contains(p.Name) ? p.Name : snake.GetValueOrDefault(p.Name);
            if (name is null)
                throw new ScenarioException(path, "unknown cost" + Suggest.Hint(p.Name, snake.Keys) +
                    $"; allowed: {string.Join(", ", snake.Keys)}");
            var field = new JsonField(p.Value, path);
            var value = name == nameof(HardwareCosts.Jitter) ? field.Double(0, 0.999999) : field.Double(0, double.MaxValue, " ns");
            if (!result.TryAdd(name, value)) throw new ScenarioException(path, "duplicate cost; give it once");
        }
        return result;
    }

    private static KernelSpec ReadKernel(JsonField node)
    {
        var f = node.Object(KernelFields);
        var k = new KernelSpec();
        if (f.TryGetValue("design", out var v)) k = k with { Design = v.Enum(ScenarioWords.Design) };
        if (f.TryGetValue("hvo_enabled", out v)) k = k with { HvoEnabled = v.Bool() };
        if (f.TryGetValue("revert_fix", out v))
        {
            var list = new List<string>();
            foreach (var e in v.Array("fix names"))
            {
                var fix = e.Enum(RevertibleFixes.All);
                if (list.Contains(fix)) throw new ScenarioException(e.Path, $"\"{fix}\" is listed twice; give each fix once");
                list.Add(fix);
            }
            k = k with { RevertFix = list };
        }
        if (f.TryGetValue("workarounds", out v)) k = k with { Workarounds = ScenarioHardware.Names(v, WorkaroundNames.All) };
        if (f.TryGetValue("fail_hugetlb_vmemmap_pte", out v)) k = k with { FailVmemmapPte = ScenarioHardware.FaultAttr(v) };
        if (f.TryGetValue("fail_hugetlb_vmemmap_pmd", out v)) k = k with { FailVmemmapPmd = ScenarioHardware.FaultAttr(v) };
        return k;
    }

    private static OperationSpec ReadOperation(JsonField node)
    {
        var f = node.Object(OperationFields);
        var o = new OperationSpec();
        // CPU upper bound depends on the machine; ScenarioChecks tests it with the resolved CPU count.
        if (f.TryGetValue("cpu", out var v)) o = o with { Cpu = v.Int(0, ScenarioDefaults.MaxCpus - 1) };
        if (f.TryGetValue("op", out v)) o = o with { Op = v.Enum(ScenarioWords.Operation) };
        if (f.TryGetValue("count", out v)) o = o with { Count = v.Int(ScenarioFields.Count) };
        if (f.TryGetValue("hugepage", out v)) o = o with { HugepageBytes = v.Size() };
        if (f.TryGetValue("batched", out v)) o = o with { Batched = v.Bool() };
        if (f.TryGetValue("demote_to", out v))
        {
            if (o.Op != OperationKind.Demote) throw new ScenarioException(v.Path, $"only allowed when \"op\" is \"demote\" (op is \"{ScenarioWords.Operation.Word(o.Op)}\")");
            o = o with { DemoteToBytes = v.Size() };
        }
        if (f.TryGetValue("at_ns", out v)) o = o with { AtNs = v.Double(0, double.MaxValue, " ns") };
        if (o.Op == OperationKind.Demote && o.DemoteToBytes is null)
            throw new ScenarioException($"{node.Path}.demote_to", "missing; a demote needs the target size, e.g. \"2MiB\"");
        return o;
    }

    private static WorkloadSpec ReadWorkload(JsonField node)
    {
        var f = node.Object(WorkloadFields);
        var w = new WorkloadSpec();
        if (f.TryGetValue("cpus", out var v)) w = w with { CpusText = ReadCpuSet(v) };
        if (f.TryGetValue("kind", out v)) w = w with { Kind = v.Enum(ScenarioWords.Workload) };
        if (f.TryGetValue("period_ns", out v))
        {
            var p = v.Double(0, double.MaxValue, " ns");
            if (p <= 0) throw v.NotAllowed("a number > 0 ns");
            w = w with { PeriodNs = p };
        }
        if (f.TryGetValue("irq_off_ns", out v)) w = w with { IrqOffNs = v.Range() };
        if (f.TryGetValue("preempt_off_ns", out v)) w = w with { PreemptOffNs = v.Range() };
        if (f.TryGetValue("daif_masked_ns", out v)) w = w with { DaifMaskedNs = v.Range() };
        return w;
    }

    private const string CpuSetForms = "an array of CPU numbers, a range string such as \"1-63\" or \"1-3,8\", or \"others\"";

    /// <summary>Canonical text of a CPU set; the CPUs themselves are resolved against the machine later.</summary>
    private static string ReadCpuSet(JsonField v)
    {
        if (v.Value.ValueKind == JsonValueKind.String)
        {
            var text = v.Value.GetString()!.Trim();
            if (string.Equals(text, CpuSets.Others, StringComparison.OrdinalIgnoreCase)) return CpuSets.Others;
            var cpus = CpuSets.TryParseRanges(text, out var why);
            if (cpus is null || cpus.Length == 0) throw v.NotAllowed(CpuSetForms + (why is null ? "" : $" ({why})"));
            return CpuSets.Format(cpus);
        }
        if (v.Value.ValueKind == JsonValueKind.Array)
        {
            var list = v.Array("CPU numbers").Select(e => e.Int(0, ScenarioDefaults.MaxCpus - 1)).ToArray();
            if (list.Length == 0) throw v.NotAllowed(CpuSetForms + " (not empty)");
            if (list.Distinct().Count() != list.Length) throw v.NotAllowed(CpuSetForms + " (each CPU once)");
            return CpuSets.Format(list.Order().ToArray());
        }
        throw v.NotAllowed(CpuSetForms);
    }

    private static SchedulerSpec ReadScheduler(JsonField node)
    {
        var f = node.Object(SchedulerFields);
        var s = new SchedulerSpec();
        if (f.TryGetValue("mode", out var v)) s = s with { Mode = v.Enum(ScenarioWords.Mode) };
        if (f.TryGetValue("seeds", out v)) s = s with { Seeds = v.Int(ScenarioFields.Seeds) };
        if (f.TryGetValue("iterations", out v)) s = s with { Iterations = v.Int(ScenarioFields.Iterations) };
        if (f.TryGetValue("pct_depth", out v)) s = s with { PctDepth = v.Int(1, ScenarioDefaults.MaxPctDepth) };
        if (f.TryGetValue("preemption_bound", out v))
            s = s with { PreemptionBound = v.Value.ValueKind == JsonValueKind.Null ? null : v.Int(0, int.MaxValue) };
        if (f.TryGetValue("max_executions", out v)) s = s with { MaxExecutions = v.Int(1, int.MaxValue) };
        if (f.TryGetValue("step_budget", out v)) s = s with { StepBudget = v.Long(1, long.MaxValue) };
        if (f.TryGetValue("wall_seconds", out v))
        {
            // At most a week: a wall budget is a safety net, and TimeSpan cannot hold arbitrary doubles.
            var w = v.Double(0, ScenarioDefaults.MaxWallSeconds, " s");
            if (w <= 0) throw v.NotAllowed($"a number > 0 s and <= {ScenarioDefaults.MaxWallSeconds} s");
            s = s with { WallSeconds = w };
        }
        if (f.TryGetValue("closed_form_handlers", out v)) s = s with { ClosedFormHandlers = v.Bool() };
        return s;
    }
}
