using System.Diagnostics;
using HvoLab.Experiments.Sweeps;
using HvoLab.Experiments.Tests.Comparison;
using Xunit;

namespace HvoLab.Experiments.Tests.Reliability;

/// <summary>
/// Nothing lost: the built CLI (hvolab.dll beside this test assembly) runs a sweep as a child process and is killed
/// with SIGKILL at seeded random moments, resumed each time with --resume; the final file must be byte for byte the
/// uninterrupted run. SIGINT must stop it cleanly (exit 130) with a file that --resume completes the same way.
/// </summary>
public class KillResumeTests
{
    private static readonly string[] Params = ["--param", "cpus=8,9", "--param", "irq_off=5us,10us", "--param", "strategy=off,D,ours"];

    private static byte[] Uninterrupted()
    {
        var path = Path.Combine(SmallScenario.TempDir(), "full.jsonl");
        SweepRunner.Run(new SweepGrid(SmallScenario.Load(),
            [new SweepParam("cpus", ["8", "9"]), new SweepParam("irq_off", ["5us", "10us"]), new SweepParam("strategy", ["off", "D", "ours"])]),
            path, new SweepOptions { Parallel = 2 });
        return File.ReadAllBytes(path);
    }

    private static Process Start(string dir, bool resume)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "hvolab.dll"), "sweep", "--scenario", SmallScenario.WriteFile(dir) }
                     .Concat(Params).Concat(["--out", Path.Combine(dir, "s.jsonl"), "--parallel", "2", "--plots", Path.Combine(dir, "plots")])
                     .Concat(resume ? ["--resume"] : []))
            psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    private static (int Code, string Err) Finish(Process p)
    {
        var err = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "sweep did not finish");
        return (p.ExitCode, err.Result);
    }

    [Fact]
    public void KilledAtRandomMomentsThenResumedEqualsUninterrupted()
    {
        var expected = Uninterrupted();
        var dir = SmallScenario.TempDir();
        var rng = new Random(20260);   // seeded: the same kill points every run
        int kills = 0;
        for (int round = 0; round < 4; round++)
        {
            var p = Start(dir, resume: round > 0);
            Thread.Sleep(rng.Next(250, 1500));
            if (p.HasExited) { Finish(p); break; }
            p.Kill();   // SIGKILL: no handler runs
            p.WaitForExit();
            kills++;
            var partial = File.Exists(Path.Combine(dir, "s.jsonl")) ? File.ReadAllBytes(Path.Combine(dir, "s.jsonl")) : [];
            // Whatever was written is a prefix of the uninterrupted file, up to a torn last line.
            int whole = Array.LastIndexOf(partial, (byte)'\n') + 1;
            Assert.Equal(expected.AsSpan(0, whole).ToArray(), partial.AsSpan(0, whole).ToArray());
        }
        var (code, err) = Finish(Start(dir, resume: true));
        Assert.True(code == 0, err);
        Assert.Equal(expected, File.ReadAllBytes(Path.Combine(dir, "s.jsonl")));
        Assert.True(kills >= 1, "the sweep finished before any kill: make the grid larger");
    }

    [Fact]
    public void SigintStopsCleanlyAndResumeCompletes()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        var expected = Uninterrupted();
        var dir = SmallScenario.TempDir();
        var p = Start(dir, resume: false);
        // Signal once the sweep has written its first row (its Ctrl-C handler is in place by then), not after a fixed
        // 700 ms: on a loaded machine the runtime was still starting and died of the default SIGINT action, silently.
        var output = Path.Combine(dir, "s.jsonl");
        for (var waited = Stopwatch.StartNew(); !p.HasExited && waited.Elapsed < TimeSpan.FromSeconds(120); Thread.Sleep(50))
            if (File.Exists(output) && new FileInfo(output).Length > 0) break;
        if (!p.HasExited) Process.Start("kill", ["-INT", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        var (code, err) = Finish(p);
        if (code != 0)
        {
            Assert.Equal(130, code);
            Assert.Contains("interrupted", err);
            var text = File.ReadAllText(Path.Combine(dir, "s.jsonl"));
            Assert.True(text.Length == 0 || text.EndsWith('\n'), "an interrupted sweep leaves only whole rows");
        }
        (code, err) = Finish(Start(dir, resume: true));
        Assert.True(code == 0, err);
        Assert.Equal(expected, File.ReadAllBytes(Path.Combine(dir, "s.jsonl")));
    }
}
