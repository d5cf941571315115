using System.Text.Json;
using System.Text.Json.Serialization;
using HvoLab.Engine;
using HvoLab.Engine.Schedulers;
using HvoLab.Experiments.IO;
using HvoLab.Experiments.Scenarios;

namespace HvoLab.Experiments.Checking;

/// <summary>
/// The partial result of one shard of a distributed exhaustive search (check --shard i/n): what it searched (the
/// resolved scenario and every option that shapes the tree), how far it got, and each failure as the subtree it was
/// found in and its choices. <see cref="Merge"/> combines the n parts into the result one run gives: executions add
/// up, the search is complete when every part is, and the failures are replayed to rebuild their violations.
/// </summary>
public sealed record CheckShard
{
    /// <summary>/2 added the memory model (a /1 shard of a silent file does not say which one it searched).</summary>
    public const string CurrentFormat = "hvolab-check-shard/2";
    [JsonPropertyName("format")] public string Format { get; init; } = CurrentFormat;
    [JsonPropertyName("strategy")] public required string Strategy { get; init; }
    [JsonPropertyName("seed")] public required ulong Seed { get; init; }
    [JsonPropertyName("reduction")] public required string Reduction { get; init; }
    [JsonPropertyName("split_depth")] public required int SplitDepth { get; init; }
    [JsonPropertyName("preemption_bound")] public int? PreemptionBound { get; init; }
    [JsonPropertyName("all_violations")] public required bool AllViolations { get; init; }
    /// <summary>"sc" or "arm" (also in the scenario, which records it explicitly); where it came from beside it.</summary>
    [JsonPropertyName("memory_model")] public required string MemoryModel { get; init; }
    [JsonPropertyName("memory_model_source")] public required string MemoryModelSource { get; init; }
    [JsonPropertyName("scenario")] public required JsonElement Scenario { get; init; }
    [JsonPropertyName("shard")] public required int Shard { get; init; }
    [JsonPropertyName("shards")] public required int Shards { get; init; }
    [JsonPropertyName("subtrees")] public required int Subtrees { get; init; }
    [JsonPropertyName("complete")] public required bool Complete { get; init; }
    [JsonPropertyName("stop_reason")] public required string StopReason { get; init; }
    [JsonPropertyName("executions")] public required long Executions { get; init; }
    [JsonPropertyName("transitions")] public required long Transitions { get; init; }
    [JsonPropertyName("seconds")] public required double Seconds { get; init; }
    [JsonPropertyName("failures")] public required Failure[] Failures { get; init; }

    public sealed record Failure([property: JsonPropertyName("subtree")] int Subtree, [property: JsonPropertyName("choices")] int[] Choices);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static CheckShard From(Scenario scenario, string strategy, CheckOptions options, ExplorationResult r)
    {
        using var doc = JsonDocument.Parse(ScenarioLoader.Serialize(scenario));
        return new CheckShard
        {
            Strategy = strategy, Seed = options.Seed, Reduction = options.Reduction, SplitDepth = options.SplitDepth,
            PreemptionBound = options.PreemptionBound, AllViolations = options.AllViolations, Scenario = doc.RootElement.Clone(),
            MemoryModel = options.MemoryModel!.ModelWord, MemoryModelSource = options.MemoryModel.SourceWord,
            Shard = options.Shard.Index, Shards = options.Shard.Count, Subtrees = r.Subtrees, Complete = r.Complete,
            StopReason = r.StopReason, Executions = r.Executions, Transitions = r.Transitions, Seconds = r.Elapsed.TotalSeconds,
            Failures = r.Failures.Select((f, i) => new Failure(r.FailureSubtrees[i], [.. f.Choices])).ToArray(),
        };
    }

    public void Save(string path) => AtomicFile.WriteAllText("--out", path, JsonSerializer.Serialize(this, Json));

    public static CheckShard Load(string path)
    {
        if (!File.Exists(path)) throw new ArgumentException($"shard file '{path}' does not exist");
        CheckShard? s;
        try { s = JsonSerializer.Deserialize<CheckShard>(HvoLab.Engine.Host.HostFile.ReadText("FILES", path, ScheduleTrace.MaxFileBytes), Json); }
        catch (JsonException e) { throw new ArgumentException($"shard file '{path}' is not a valid hvolab check shard: {e.Message}"); }
        if (s is null || s.Format != CurrentFormat)
            throw new ArgumentException($"shard file '{path}': format '{s?.Format}' is not supported; expected '{CurrentFormat}'");
        return s;
    }

    /// <summary>Everything that shapes the search tree: shards of different searches must not be merged.</summary>
    private string Identity() =>
        $"{Strategy}|{Seed}|{Reduction}|{SplitDepth}|{PreemptionBound}|{AllViolations}|{Shards}|{Subtrees}|{Scenario.GetRawText()}";

    /// <summary>Combines every shard of one search (each index 0..n-1 exactly once) into its verdict.</summary>
    public static CheckResult Merge(IReadOnlyList<string> paths, string? traceDirectory)
    {
        if (paths.Count == 0) throw new ArgumentException("check merge: no shard files given");
        var shards = paths.Select(p => (Path: p, Shard: Load(p))).ToList();
        var first = shards[0];
        // Checked before the identity (the scenario differs too) so the message names the reason.
        foreach (var (path, s) in shards)
            if (s.MemoryModel != first.Shard.MemoryModel)
                throw new ArgumentException($"shard file '{path}' was searched under memory model {s.MemoryModel} ({s.MemoryModelSource}), '{first.Path}' under "
                    + $"{first.Shard.MemoryModel} ({first.Shard.MemoryModelSource}): shards of one search must use one model; run every shard with the same --memory-model");
        foreach (var (path, s) in shards)
            if (s.Identity() != first.Shard.Identity())
                throw new ArgumentException($"shard file '{path}' belongs to another search than '{first.Path}' (scenario, strategy, seed, reduction, split depth, --all or shard count differ)");
        int n = first.Shard.Shards;
        var seen = shards.GroupBy(s => s.Shard.Shard).ToDictionary(g => g.Key, g => g.Select(x => x.Path).ToList());
        if (seen.FirstOrDefault(kv => kv.Value.Count > 1) is { Value: not null } dup)
            throw new ArgumentException($"shard {dup.Key}/{n} is given twice: {string.Join(", ", dup.Value)}");
        var missing = Enumerable.Range(0, n).Where(i => !seen.ContainsKey(i)).ToList();
        if (missing.Count > 0) throw new ArgumentException($"check merge: shard(s) {string.Join(", ", missing.Select(i => $"{i}/{n}"))} missing; give all {n} shard files");

        var scenario = ScenarioLoader.Parse(first.Shard.Scenario.GetRawText());
        var model = first.Shard.Choice(first.Path);
        if (scenario.Machine.MemoryModel != model.Model)
            throw new ArgumentException($"shard file '{first.Path}': memory_model is {model.ModelWord} but its scenario says "
                + $"{(scenario.Machine.MemoryModel is { } m ? ScenarioWords.MemoryModel.Word(m) : "nothing")}; the file was edited after the search");
        var options = new CheckOptions
        {
            MemoryModel = model, Mode = SchedulerMode.Exhaustive, Seed = first.Shard.Seed, Reduction = first.Shard.Reduction, SplitDepth = first.Shard.SplitDepth,
            PreemptionBound = first.Shard.PreemptionBound, AllViolations = first.Shard.AllViolations, TraceDirectory = traceDirectory,
        };
        // A single search reports failures in subtree order; stopping at the first, it reports the lowest one only.
        var failures = shards.SelectMany(s => s.Shard.Failures).OrderBy(f => f.Subtree).ToList();
        if (!options.AllViolations && failures.Count > 1) failures = [failures[0]];
        var replayed = failures.Select(f =>
        {
            var run = CheckRunner.Build(scenario, first.Shard.Strategy, new ReplayScheduler(f.Choices), options.Seed).Run();
            return (run, (IReadOnlyList<int>)f.Choices, options.Seed);
        }).ToList();
        var violations = CheckRunner.Distinct(scenario, first.Shard.Strategy, options, replayed);
        bool complete = shards.All(s => s.Shard.Complete) && violations.Count == 0;
        string stop = violations.Count > 0 && !options.AllViolations ? "violation found"
            : shards.FirstOrDefault(s => !s.Shard.Complete).Shard?.StopReason ?? "search complete";
        var verdict = violations.Count > 0 ? Verdict.Unsafe : complete ? Verdict.Proved : Verdict.NotRefuted;
        return new CheckResult(first.Shard.Strategy, verdict, ScenarioWords.Mode.Word(SchedulerMode.Exhaustive), complete,
            shards.Sum(s => s.Shard.Executions), shards.Sum(s => s.Shard.Transitions), shards.Max(s => s.Shard.Seconds), violations, null, stop)
        { MemoryModel = model };
    }

    /// <summary>The recorded model; the scenario says it too (the search writes it there), and the two must agree.</summary>
    private MemoryModelChoice Choice(string path)
    {
        if (!ScenarioWords.MemoryModel.TryParse(MemoryModel, out var model) || !MemoryModelChoice.SourceWords.TryParse(MemoryModelSource, out var source))
            throw new ArgumentException($"shard file '{path}': memory_model \"{MemoryModel}\" / memory_model_source \"{MemoryModelSource}\" is not allowed; "
                + $"use {ScenarioWords.MemoryModel.AllowedText} / {MemoryModelChoice.SourceWords.AllowedText}");
        return new MemoryModelChoice(model, source);
    }
}
