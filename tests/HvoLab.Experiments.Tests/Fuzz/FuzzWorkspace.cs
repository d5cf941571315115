using HvoLab.Experiments.Checking;
using HvoLab.Experiments.Scenarios;

namespace HvoLab.Experiments.Tests.Fuzz;

/// <summary>The files fuzzed command lines refer to, and the expansion of their placeholders (one directory per case,
/// so cases never share an output file).</summary>
public sealed class FuzzWorkspace : IDisposable
{
    /// <summary>2 CPUs, one 2 MiB alloc with a PFN walker beside it; every budget small.</summary>
    public const string TinyJson = """
    {
      "name": "fuzz-tiny", "seed": 7,
      "machine": { "cpus": 2, "granule": "4k", "pseudo_nmi": true, "memory": "1GiB" },
      "operations": [ { "cpu": 0, "op": "alloc", "count": 1, "hugepage": "2MiB" } ],
      "workload": [ { "cpus": [1], "kind": "pfn-walker", "period_ns": 500 } ],
      "scheduler": { "mode": "timed", "seeds": 1, "iterations": 2, "max_executions": 3, "step_budget": 20000, "wall_seconds": 10 }
    }
    """;

    private static readonly string[] BadTraces =
    [
        """{"format":"hvolab-trace/2","strategy":"unsafe","mode":"random","seed":1,"scenario_hash":"x","header_hash":"y","scenario":{"machine":{"cpus":2}},"choices":[-1,99999,3]}""",
        """{"format":"hvolab-trace/2","strategy":"Z","mode":"random","seed":1,"scenario":{},"choices":[]}""",
        """{"format":"hvolab-trace/9","strategy":"D","mode":"pct","seed":1,"scenario":{},"choices":[]}""",
        """{"format":"hvolab-trace/2","strategy":"D","mode":"pct","seed":1,"scenario":{"machine":{"cpus":"x"}},"choices":[1]}""",
        """{"format":"hvolab-trace/2","strategy":"D","mode":"pct","seed":-1}""",
        """{"format":"hvolab-trace/2","strategy":"D","mode":"pct","seed":1,"scenario":{"operations":[{"cpu":0,"op":"alloc","count":1}],"workload":[],"scheduler":{"step_budget":100}},"choices":[1,2,3]}""",
        """{"format":"hvolab-trace/2","strategy":"D","mode":"pct","seed":1,"options":{},"scenario_hash":"x","header_hash":"y","scenario":{},"choices":null}""",
        """{"format":"hvolab-trace/2","strategy":"D","mode":"pct","seed":1,"options":null,"scenario_hash":"x","header_hash":"y","scenario":[],"choices":[]}""",
        """{"format":"hvolab-trace/2","strat""",
        "[]", "null", "",
    ];

    private readonly string _tiny, _trace, _fifo, _device;
    private readonly string[] _badTraces;
    private int _cases;

    public string Root { get; } = Directory.CreateTempSubdirectory("hvolab-fuzz-").FullName;

    public FuzzWorkspace()
    {
        _tiny = Path.Combine(Root, "tiny.json");
        File.WriteAllText(_tiny, TinyJson);
        _trace = Path.Combine(Root, "tiny.trace.json");
        ScheduleTrace.Create(ScenarioLoader.Parse(TinyJson), "unsafe", SchedulerMode.Random, 7, [0, 1, 1, 0, 2, 1, 0], null).Save(_trace);
        _fifo = Path.Combine(Root, "input.fifo");
        _device = Path.Combine(Root, "null.dev");
        // Special files of our own, never the machine's /dev entries: a FIFO, and (as root) a private /dev/null node.
        if (!Run($"mkfifo '{_fifo}'")) _fifo = "/dev/zero";
        if (!(Environment.UserName == "root" && Run($"mknod '{_device}' c 1 3"))) _device = "/dev/null";
        _badTraces = BadTraces.Select((t, i) =>
        {
            var p = Path.Combine(Root, $"bad{i}.trace.json");
            File.WriteAllText(p, t);
            return p;
        }).ToArray();
    }

    /// <summary>The arguments with placeholders replaced; {bad} becomes a file holding <paramref name="badScenario"/>
    /// (budget-capped if it is valid, so a command that runs it stays fast).</summary>
    public string[] Expand(string[] args, string badScenario)
    {
        int n = Interlocked.Increment(ref _cases);
        var dir = Path.Combine(Root, $"case{n}");
        Directory.CreateDirectory(dir);
        var bad = Path.Combine(dir, "bad.json");
        string text;
        try { text = ScenarioLoader.Serialize(FuzzHarness.Capped(ScenarioLoader.Parse(badScenario))); }
        catch (ScenarioException) { text = badScenario; }
        File.WriteAllText(bad, text);
        return args.Select(a => a
            .Replace("{tiny}", _tiny).Replace("{bad}", bad).Replace("{trace}", _trace)
            .Replace("{badtrace}", _badTraces[n % _badTraces.Length]).Replace("{dir}", dir)
            .Replace("{special}", Special(n, dir)).Replace("{outspecial}", OutSpecial(n, dir))
            .Replace("{missing}", Path.Combine(dir, "missing", "nothing.json"))).ToArray();
    }

    /// <summary>An input that is not a regular file, or is one only the size cap stops.</summary>
    private string Special(int n, string dir) => (n % 7) switch
    {
        0 => "/dev/zero",
        1 => _fifo,
        2 => _device,
        3 => dir,
        4 => "/proc/self/status",
        5 => Path.Combine(dir, new string('n', 244) + ".json"),
        _ => _badTraces[0],
    };

    /// <summary>An output that must be written in place (device), refused (directory, /proc) or named at the limit.</summary>
    private string OutSpecial(int n, string dir) => (n % 5) switch
    {
        0 => _device,
        1 => dir,
        2 => "/proc/self/status",
        3 => Path.Combine(dir, new string('n', 244) + ".json"),
        _ => "/",
    };

    private static bool Run(string command)
    {
        try
        {
            using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", command]) { RedirectStandardError = true })!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
