using System.Text.Json.Nodes;
using CsCheck;
using HvoLab.Cli.Commands;
using HvoLab.Experiments.Scenarios;
using HvoLab.Experiments.Sweeps;
using Xunit;

namespace HvoLab.Experiments.Tests.Fuzz;

/// <summary>
/// The fuzz families added for issue #19 (paths and special files and unit overflow are in <see cref="ArgvGen"/>):
/// validate→run agreement, replay tampering, resume after a scenario change. CI runs a fixed set (input i from PCG
/// stream 3, 4 or 5, seed i); HVOLAB_FUZZ_FAMILY_INPUTS=N runs N of each.
/// </summary>
public sealed class FuzzFamiliesTests : IDisposable
{
    private static readonly int Inputs = int.TryParse(Environment.GetEnvironmentVariable("HVOLAB_FUZZ_FAMILY_INPUTS"), out var n) ? n : 0;
    private readonly string _dir = Directory.CreateTempSubdirectory("hvolab-family-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void Run<T>(Gen<T> gen, uint stream, int count, Action<int, T> body) =>
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => body(i, gen.Generate(new PCG(stream, (ulong)i), null, out _)));

    /// <summary>Consistent scenarios with memory, counts and updaters varied around what the machine can hold: every
    /// one that validates must run (each valid one is run, not one in 20), and each that does not must name a path.</summary>
    public static readonly Gen<string> NearTheLimits =
        Gen.Select(ScenarioGen.Consistent, Gen.Int[0, 7], Gen.Int[1, 40], Gen.Int[0, 1], Gen.Bool)
        .Select((o, mem, count, cpu, empty) =>
        {
            o["machine"]!["memory"] = new[] { "16MiB", "32MiB", "36MiB", "48MiB", "64MiB", "128MiB", "1GiB", "18446744073709551615" }[mem];
            var op = o["operations"]!.AsArray()[0]!;
            op["count"] = count;
            op["cpu"] = cpu;
            if (empty) o["operations"] = new JsonArray();
            return o.ToJsonString();
        });

    [Fact]
    public void ValidatedScenariosRun()
    {
        int valid = 0;
        Run(NearTheLimits, 3, Math.Max(Inputs, 150), (i, json) =>
        {
            var failure = FuzzHarness.Scenario(json, execute: true);
            if (failure is not null) throw new Exception($"validate→run input {i}: {failure}\n{json}");
            try { ScenarioLoader.Parse(json); Interlocked.Increment(ref valid); }
            catch (ScenarioException) { }
        });
        Assert.True(valid > 10, $"only {valid} valid: the family no longer reaches the runner");
    }

    private static readonly Gen<(int Kind, int Index, int Value)> Tamper = Gen.Select(Gen.Int[0, 9], Gen.Int[0, 1000], Gen.Int[-2, 1_000_000]);

    /// <summary>A real trace, tampered: replay must say reproduced only for the untouched file, diverged or scenario
    /// differs for every change, and a one-line error (exit 2) for a malformed one; never an internal error.</summary>
    [Fact]
    public void TamperedTracesNeverReplayAsReproduced()
    {
        var (code, _, err) = CliRun.Run("check", "--strategy", "unsafe", "--traces", _dir);
        Assert.True(code == CheckCommands.Unsafe, err);
        var original = File.ReadAllText(Directory.GetFiles(_dir, "*.trace.json").Single());
        Run(Tamper.Array[1, 3], 4, Math.Max(Inputs, 60), (i, tampers) =>
        {
            var node = JsonNode.Parse(original)!.AsObject();
            foreach (var t in tampers) Apply(node, t);
            var text = node.ToJsonString();
            var path = Path.Combine(_dir, $"t{i}.json");
            File.WriteAllText(path, text);
            var failure = FuzzHarness.Cli(["replay", path]);
            if (failure is not null) throw new Exception($"tampered trace {i}: {failure}\n{text}");
            var (c, _, e) = CliRun.Run("replay", path);
            bool unchanged = JsonNode.DeepEquals(node, JsonNode.Parse(original));
            // A reproduced trace exits as its execution does (0, or 1 with its violation); anything else is 2, 5 or 6.
            bool reproduced = c is CheckCommands.Safe or CheckCommands.Unsafe;
            if (reproduced && !unchanged) throw new Exception($"tampered trace {i} replayed as reproduced\n{text}");
            if (!reproduced && c is not (2 or CheckCommands.Diverged or CheckCommands.ScenarioDiffers)) throw new Exception($"tampered trace {i}: exit {c}: {e}");
        });
    }

    private static void Apply(JsonObject n, (int Kind, int Index, int Value) t)
    {
        var choices = n["choices"] as JsonArray;
        switch (t.Kind)
        {
            case 0 when choices is { Count: > 0 }: choices.RemoveAt(t.Index % choices.Count); break;
            case 1 when choices is not null: for (int k = 0; k < 1 + t.Index % 50; k++) choices.Add(Math.Abs(t.Value) % 8); break;
            case 2 when choices is { Count: > 0 }: choices[t.Index % choices.Count] = t.Value; break;
            case 3: n["scenario"]!["machine"]!["cpus"] = 1 + t.Index % 8; break;
            case 4: n["strategy"] = new[] { "off", "B", "D", "ours", "Z" }[t.Index % 5]; break;
            case 5: n["seed"] = t.Index; break;
            case 6: n["violation"] = t.Index % 2 == 0 ? null : "deadlock"; break;
            case 7: n[new[] { "choices", "scenario", "strategy", "scenario_hash", "options" }[t.Index % 5]] = null; break;
            case 8: n.Remove(new[] { "choices", "seed", "header_hash", "mode" }[t.Index % 4]); break;
            default: n["scenario"]!["operations"]![0]!["count"] = 1 + t.Index % 3; break;
        }
    }

    /// <summary>Resume after the scenario or the parameters changed: stops with one clear error and leaves the file as it
    /// was; resuming the same sweep continues it.</summary>
    [Fact]
    public void ResumeAfterAScenarioChangeNeverMixes()
    {
        var baseScenario = ScenarioLoader.Parse(FuzzWorkspace.TinyJson);
        var first = new SweepGrid(baseScenario, [new SweepParam("cpus", ["4"]), new SweepParam("strategy", ["off"])]);
        var path = Path.Combine(_dir, "s.jsonl");
        SweepRunner.Run(first, path, new SweepOptions { Parallel = 1 });
        var written = File.ReadAllText(path);
        var changes = Gen.Select(Gen.Int[0, 4], Gen.ULong[1, 1000]);
        Run(changes, 5, Math.Max(Inputs, 12), (i, c) =>
        {
            var (kind, value) = c;
            var s = kind switch
            {
                0 => ScenarioEdits.Edit(baseScenario, x => x with { Seed = baseScenario.Seed + value }),
                1 => ScenarioEdits.Edit(baseScenario, x => x with { Name = $"renamed-{value}" }),
                2 => ScenarioEdits.Edit(baseScenario, x => x with { Machine = x.Machine with { MemoryBytes = 2UL << 30 } }),
                _ => baseScenario,
            };
            IReadOnlyList<SweepParam> ps = kind == 3 ? [new SweepParam("cpus", ["4", "5"]), new SweepParam("strategy", ["off"])]
                : kind == 4 ? [new SweepParam("cpus", ["4"]), new SweepParam("strategy", ["off", "D"])]
                : [new SweepParam("cpus", ["4"]), new SweepParam("strategy", ["off"])];
            var grid = new SweepGrid(s, ps);
            var copy = Path.Combine(_dir, $"r{i}.jsonl");
            File.WriteAllText(copy, written);
            var e = Assert.Throws<InvalidDataException>(() => SweepRunner.Run(grid, copy, new SweepOptions { Resume = true, Parallel = 1 }));
            Assert.StartsWith("--resume: ", e.Message);
            Assert.Equal(written, File.ReadAllText(copy));
        });
        var same = SweepRunner.Run(first, path, new SweepOptions { Resume = true, Parallel = 1 });
        Assert.Equal(same.Rows, same.Skipped);
    }
}
