using System.Diagnostics;
using HvoLab.Arch.MemoryModel;

namespace HvoLab.Litmus;

/// <summary>
/// Exhaustive search of a data-memory litmus test under the view-based Arm model with promises (Promising-ARM,
/// PLDI 2019). Executions are explored promise-first (§6 of the paper: every behaviour has an execution in which the
/// threads make all their promises before any other step): first any thread may promise a write its certification
/// (a thread-local run against the current memory that fulfils all its promises) can produce, then threads execute,
/// each write either fulfilling one of the writer's promises or appending a new message. After every step a thread
/// with unfulfilled promises must still be certifiable. Every state is visited once (structural deduplication).
/// Restricting the search (promise-first, promise caps, certification budget) can only lose behaviours of the model,
/// never add one.
/// </summary>
internal sealed class ViewSearch
{
    /// <summary>Most promises outstanding per thread.</summary>
    public const int MaxPromisesPerThread = 4;
    /// <summary>States one certification may visit before the promise is refused.</summary>
    public const int CertificationBudget = 20_000;

    private readonly ViewSteps _steps;
    private readonly LitmusRunOptions _options;
    private readonly HashSet<ViewConfig> _visited = [];
    private readonly Dictionary<ViewConfig, (bool Ok, List<(int Loc, ulong Value)> Writes)> _cert = [];
    private readonly Action<ViewConfig> _final;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public long States => _visited.Count;
    public long Finals { get; private set; }
    public string? Stopped { get; private set; }
    public bool CertificationCut { get; private set; }
    public bool LoopBound => _steps.BudgetHit;

    public ViewSearch(ViewSteps steps, LitmusRunOptions options, Action<ViewConfig> final)
    {
        _steps = steps;
        _options = options;
        _final = final;
    }

    public void Run(ViewConfig initial) => Visit(initial, promising: true);

    private bool OverBudget()
    {
        if (Stopped is not null) return true;
        if (_visited.Count > _options.MaxExecutions) Stopped = $"more than {_options.MaxExecutions} states";
        else if (_clock.Elapsed > _options.TestWallBudget) Stopped = $"wall-clock budget {_options.TestWallBudget.TotalSeconds:0} s";
        return Stopped is not null;
    }

    private void Visit(ViewConfig c, bool promising)
    {
        if (OverBudget() || !_visited.Add(c)) return;
        var done = true;
        var next = new List<ViewConfig>();
        for (var i = 0; i < c.Threads.Length; i++)
        {
            if (c.Threads[i].Views.PromiseCount > 0 || _steps.IsRunning(c.Threads[i])) done = false;
            next.Clear();
            _steps.Execute(c, i, next);
            foreach (var n in next)
                if (n.Threads[i].Views.PromiseCount == 0 || Certify(n, i).Ok) Visit(n, promising: false);
            if (!promising || c.Threads[i].Views.PromiseCount >= MaxPromisesPerThread) continue;
            foreach (var (loc, value) in Certify(c, i).Writes)
            {
                var p = c.CloneThread(i);
                p.Memory = c.Memory.Clone();
                p.Threads[i].Views.AddPromise(p.Memory.Append(loc, value, p.Threads[i].Views.Tid));
                if (Certify(p, i).Ok) Visit(p, promising: true);
            }
        }
        if (done) { Finals++; _final(c); }
    }

    /// <summary>Thread-local runs of thread <paramref name="i"/> from <paramref name="c"/>: whether one fulfils all
    /// its promises, and every fresh write (location, value) some run makes (the promises it could make now).</summary>
    private (bool Ok, List<(int Loc, ulong Value)> Writes) Certify(ViewConfig c, int i)
    {
        var key = new ViewConfig(c.Memory, [c.Threads[i]]);
        if (_cert.TryGetValue(key, out var known)) return known;
        var seen = new HashSet<ViewConfig>();
        var writes = new List<(int, ulong)>();
        var ok = false;
        var stack = new Stack<ViewConfig>();
        stack.Push(key);
        var next = new List<ViewConfig>();
        while (stack.Count > 0)
        {
            var s = stack.Pop();
            if (!seen.Add(s)) continue;
            if (seen.Count > CertificationBudget) { CertificationCut = true; ok = false; break; }
            if (s.Threads[0].Views.PromiseCount == 0) ok = true;
            next.Clear();
            _steps.Execute(s, 0, next);
            foreach (var n in next)
            {
                if (n.Memory.Count > s.Memory.Count)
                {
                    var w = (n.Memory.LocationOf(n.Memory.Count), n.Memory.ValueOf(n.Memory.Count, 0));
                    if (!writes.Contains(w)) writes.Add(w);
                }
                stack.Push(n);
            }
        }
        return _cert[key] = (ok, writes);
    }
}
