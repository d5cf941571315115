using System.Diagnostics;
using CsCheck;
using HvoLab.Experiments.Running;
using HvoLab.Experiments.Scenarios;
using Xunit;
using Xunit.Abstractions;

namespace HvoLab.Experiments.Tests.Fuzz;

/// <summary>
/// The reliability campaign of docs/reliability.md, outside CI: HVOLAB_CAMPAIGN=N runs N fuzzed scenarios (input i from
/// PCG stream 6, seed i; two thirds from <see cref="ScenarioGen.Text"/>, valid and invalid, one third near the memory
/// limits from <see cref="FuzzFamiliesTests.NearTheLimits"/>). Every input is validated; every valid one is run end to
/// end twice: "off" timed (step budget 5M, 60 s) and its first runnable strategy in its own mode with the fuzzer's caps.
/// It counts internal errors, hangs (no result in <see cref="FuzzHarness.HangLimit"/>), validated scenarios that fail to
/// run, violations of "off", and the process's peak memory. Without the variable it checks nothing and returns.
/// </summary>
public sealed class CampaignTests(ITestOutputHelper output)
{
    [Fact]
    public void Campaign()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("HVOLAB_CAMPAIGN"), out var count) || count <= 0) return;
        var gen = Gen.Int[0, 2].SelectMany(k => k == 0 ? FuzzFamiliesTests.NearTheLimits : ScenarioGen.Text);
        int valid = 0, internalErrors = 0, hangs = 0, failedRuns = 0, offViolations = 0, started = 0;
        var examples = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var sw = Stopwatch.StartNew();
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            if (Interlocked.Increment(ref started) % 500 == 0)
                File.AppendAllText(Path.Combine(Path.GetTempPath(), "hvolab-campaign.txt"),
                    $"progress: {started} started, {valid} valid, internal {internalErrors}, hangs {hangs}, failed runs {failedRuns}, off {offViolations}, {sw.Elapsed.TotalSeconds:F0} s, peak {Process.GetCurrentProcess().PeakWorkingSet64 >> 20} MiB\n");
            var json = gen.Generate(new PCG(6, (ulong)i), null, out _);
            var task = Task.Factory.StartNew(() => One(json), TaskCreationOptions.LongRunning);
            if (!task.Wait(FuzzHarness.HangLimit)) { Interlocked.Increment(ref hangs); examples.Enqueue($"hang {i}: {json}"); return; }
            var (isValid, kind, detail) = task.Result;
            if (isValid) Interlocked.Increment(ref valid);
            switch (kind)
            {
                case "internal": Interlocked.Increment(ref internalErrors); break;
                case "run": Interlocked.Increment(ref failedRuns); break;
                case "off": Interlocked.Increment(ref offViolations); break;
                default: return;
            }
            examples.Enqueue($"{kind} {i}: {detail}\n{json}");
        });
        long peak = Process.GetCurrentProcess().PeakWorkingSet64;
        var summary = $"campaign: {count} scenarios ({valid} valid, each run twice) in {sw.Elapsed.TotalSeconds:F0} s; internal errors {internalErrors}, " +
            $"hangs {hangs}, validated but failed to run {failedRuns}, off violations {offViolations}, peak working set {peak / (1 << 20)} MiB";
        output.WriteLine(summary);
        File.AppendAllText(Path.Combine(Path.GetTempPath(), "hvolab-campaign.txt"), summary + "\n" + string.Join("\n", examples.Take(20)) + "\n");
        Assert.True(internalErrors + hangs + failedRuns + offViolations == 0 && peak < 4L << 30, summary + "\n" + string.Join("\n", examples.Take(5)));
    }

    private static (bool Valid, string Kind, string Detail) One(string json)
    {
        Scenario s;
        try { s = ScenarioLoader.Parse(json); }
        catch (ScenarioException) { return (false, "ok", ""); }
        catch (Exception e) { return (false, "internal", $"{e.GetType().Name} while validating: {e.Message}"); }
        try
        {
            var off = ScenarioEdits.Edit(s, x => x with { Strategies = [HvoLab.Strategies.OffStrategy.Id], Scheduler = x.Scheduler with { StepBudget = 5_000_000, WallSeconds = 60 } });
            var m = TimedRunner.RunOne(off, HvoLab.Strategies.OffStrategy.Id, s.Seed);
            if (m.Violations.Count > 0) return (true, "off", $"{m.Violations[0].Kind}: {m.Violations[0].Explanation}");
        }
        catch (Exception e) { return (true, "run", $"off: {e.GetType().Name}: {e.Message}"); }
        var failure = FuzzHarness.Scenario(json, execute: true);
        return failure is null ? (true, "ok", "") : (true, "run", failure);
    }
}
