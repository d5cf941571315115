using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Xunit;
using Xunit.Abstractions;

namespace HvoLab.Experiments.Tests.Fuzz;

/// <summary>
/// The fuzzer (docs/reliability.md): 10,000 fuzzed scenarios (all validated, every 20th valid one run end to end with
/// a capped step budget) and 1,500 fuzzed command lines run in-process. Each must end in a result or one clean
/// validation error within <see cref="FuzzHarness.HangLimit"/>. CsCheck shrinks a failure and prints it as a
/// regression file; put that under Fuzz/regressions/ and <see cref="RegressionReplays"/> runs it on every build.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output) : IDisposable
{
    public const int ScenarioInputs = 10_000, ArgvInputs = 1_500, ExecuteEvery = 20;
    private readonly FuzzWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    /// <summary>CI runs a fixed, reproducible set of inputs (input i from PCG stream 1, seed i), so a green build stays
    /// green; HVOLAB_FUZZ_EXPLORE=1 lets CsCheck draw fresh inputs (and shrink) to keep exploring on a developer machine.</summary>
    private static void Run<T>(Gen<T> gen, int count, Action<T> body, Func<T, string> print)
    {
        if (Environment.GetEnvironmentVariable("HVOLAB_FUZZ_EXPLORE") is not null)
        {
            gen.Sample(body, iter: count, threads: 2, print: print);
            return;
        }
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            var value = gen.Generate(new PCG(1, (ulong)i), null, out _);
            try { body(value); }
            catch (Exception e) { throw new Exception($"fuzz input {i} failed: {print(value)}", e); }
        });
    }

    [Fact]
    public void FuzzedScenariosValidateOrRunCleanly()
    {
        int tried = 0, valid = 0, executed = 0;
        Run(Gen.Select(ScenarioGen.Text, Gen.Int[0, ExecuteEvery - 1]), ScenarioInputs, t =>
        {
            var (json, pick) = t;
            Interlocked.Increment(ref tried);
            bool execute = pick == 0;
            var failure = FuzzHarness.Scenario(json, execute);
            if (failure is not null) throw new Exception(failure);
            if (IsValid(json)) { Interlocked.Increment(ref valid); if (execute) Interlocked.Increment(ref executed); }
        }, t => RegressionFile("scenario", t.Item1, null, t.Item2 == 0));
        output.WriteLine($"scenarios: {tried} tried, {valid} valid, {executed} run end to end");
        Assert.True(tried >= ScenarioInputs);
        Assert.True(valid > ScenarioInputs / 50, $"only {valid} of {tried} fuzzed scenarios were valid: the generator no longer reaches the runner");
    }

    [Fact]
    public void FuzzedCommandLinesExitCleanly()
    {
        int tried = 0;
        var codes = new int[4];
        Run(Gen.Select(ArgvGen.Argv, ScenarioGen.Text), ArgvInputs, t =>
        {
            var (args, bad) = t;
            Interlocked.Increment(ref tried);
            var failure = FuzzHarness.Cli(_ws.Expand(args, bad));
            if (failure is not null) throw new Exception(failure);
        }, t => RegressionFile("argv", t.Item2, t.Item1, false));
        output.WriteLine($"command lines: {tried} tried");
        Assert.True(tried >= ArgvInputs);
    }

    public static IEnumerable<object[]> Regressions() =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fuzz", "regressions"), "*.json").Order().Select(f => new object[] { Path.GetFileName(f) });

    [Theory]
    [MemberData(nameof(Regressions))]
    public void RegressionReplays(string file)
    {
        var node = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fuzz", "regressions", file)))!.AsObject();
        var input = node["input"]?.GetValue<string>() ?? "";
        var failure = node["kind"]!.GetValue<string>() switch
        {
            "scenario" => FuzzHarness.Scenario(input, execute: node["execute"]?.GetValue<bool>() ?? true),
            "argv" => FuzzHarness.Cli(_ws.Expand(node["args"]!.AsArray().Select(a => a!.GetValue<string>()).ToArray(), input)),
            var k => $"unknown kind {k}",
        };
        Assert.Null(failure);
        if (node["expect"]?.GetValue<string>() is { } expect) Assert.Contains(expect, Outcome(node, input));
    }

    /// <summary>What the input produces (the error line or "ok"), for regressions that pin the message too.</summary>
    private string Outcome(JsonObject node, string input)
    {
        if (node["kind"]!.GetValue<string>() == "scenario")
        {
            try { global::HvoLab.Experiments.Scenarios.ScenarioLoader.Parse(input); return "ok"; }
            catch (global::HvoLab.Experiments.Scenarios.ScenarioException e) { return e.Message; }
        }
        var o = new StringWriter();
        var e2 = new StringWriter();
        int code = global::HvoLab.Cli.Program.Run(_ws.Expand(node["args"]!.AsArray().Select(a => a!.GetValue<string>()).ToArray(), input), o, e2);
        return $"exit {code}: {e2}{o}";
    }

    private static bool IsValid(string json)
    {
        try { global::HvoLab.Experiments.Scenarios.ScenarioLoader.Parse(json); return true; }
        catch (global::HvoLab.Experiments.Scenarios.ScenarioException) { return false; }
    }

    /// <summary>A failing input in the format of Fuzz/regressions/*.json.</summary>
    public static string RegressionFile(string kind, string input, string[]? args, bool execute) => JsonSerializer.Serialize(new JsonObject
    {
        ["kind"] = kind, ["note"] = "what failed and what fixed it", ["execute"] = execute, ["input"] = input,
        ["args"] = args is null ? null : new JsonArray(args.Select(a => (JsonNode?)a).ToArray()),
    }, new JsonSerializerOptions { WriteIndented = true });
}
