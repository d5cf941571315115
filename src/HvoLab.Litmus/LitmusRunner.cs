namespace HvoLab.Litmus;

/// <summary>Budgets and switches for <see cref="LitmusRunner.Run"/>.</summary>
public sealed record LitmusRunOptions
{
    /// <summary>Executions explored per test before it is reported as incomplete.</summary>
    public long MaxExecutions { get; init; } = 200_000;
    /// <summary>Wall-clock budget per test; <see cref="TimeSpan.MaxValue"/>: none, so a result depends only on the
    /// execution budget (what the tests use: a machine's speed must not decide a pinned result).</summary>
    public TimeSpan TestWallBudget { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Engine operations per execution (livelock guard).</summary>
    public long StepBudget { get; init; } = 100_000;
    /// <summary>Instructions per thread per execution (bounds litmus loops, like herd's unrolling).</summary>
    public int InstructionBudget { get; init; } = 64;
    /// <summary>Let descriptor stores become visible to walkers before the writer's DSB (see docs/litmus.md).</summary>
    public bool PropagateStores { get; init; } = true;
    /// <summary>Run data-memory tests on the view-based Arm model (<see cref="ViewModelExplorer"/>); false runs them on
    /// the machine binding, whose data accesses are sequentially consistent (the behaviour before the model existed).</summary>
    public bool ArmDataModel { get; init; } = true;
    /// <summary>Run data-memory tests on the machine binding with the engine's Arm store-buffer model, the one the kernel
    /// checks use (<see cref="EngineArmAccess"/>; docs/litmus.md "The engine's Arm model on the catalogues"); other
    /// tests are reported unsupported. Overrides <see cref="ArmDataModel"/>.</summary>
    public bool EngineArmData { get; init; }
    /// <summary>With <see cref="EngineArmData"/>: access the data words by VA, as the kernel model accesses struct page
    /// fields (stores translated when issued, then buffered), instead of by PA as kernel globals.</summary>
    public bool EngineArmByVa { get; init; }
    /// <summary>Called after each test (progress output).</summary>
    public Action<LitmusTestResult>? Progress { get; init; }
    /// <summary>Ctrl-C: no further test starts; the report covers the tests that ran.</summary>
    public CancellationToken Cancel { get; init; }
}

/// <summary>
/// Entry point of <c>hvolab litmus</c>: runs herd7 AArch64 litmus files on HvoLab's machine and compares with herd's
/// expectations (a sibling <c>NAME.litmus.expected</c>, or a <c>kinds.txt</c> in the file's folder or above).
/// </summary>
public static class LitmusRunner
{
    /// <summary>What the binding implements beyond the bare interpreter: hardware AF and dirty-state updates, and
    /// memory-type attributes (encoded in AttrIndx so the BBM oracle sees type changes; accesses to device or
    /// non-cacheable memory behave like normal memory).</summary>
    public static readonly LitmusSupportProfile Profile = new(HardwareAccessFlag: true, HardwareDirtyBit: true, MemoryAttributes: true);

    public static LitmusReport Run(IEnumerable<string> paths, LitmusRunOptions? options = null)
    {
        options ??= new LitmusRunOptions();
        var kindsCache = new Dictionary<string, IReadOnlyDictionary<string, Verdict>?>(StringComparer.Ordinal);
        var results = new List<LitmusTestResult>();
        foreach (var f in Files(paths))
        {
            if (options.Cancel.IsCancellationRequested) break;
            var r = RunFile(f, options, kindsCache);
            options.Progress?.Invoke(r);
            results.Add(r);
        }
        return new LitmusReport(results);
    }

    /// <summary>The litmus files <see cref="Run"/> runs, in its order: each folder's *.litmus files (recursively, in
    /// ordinal order) and each named file, once.</summary>
    public static IReadOnlyList<string> Files(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p)) files.AddRange(Directory.GetFiles(p, "*.litmus", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            else if (File.Exists(p)) files.Add(p);
            else throw new FileNotFoundException($"no such litmus file or folder: {p}", p);
        }
        return files.Distinct().ToArray();
    }

    public static LitmusTestResult RunFile(string path, LitmusRunOptions? options = null,
        Dictionary<string, IReadOnlyDictionary<string, Verdict>?>? kindsCache = null)
    {
        options ??= new LitmusRunOptions();
        LitmusTest test;
        try { test = LitmusParser.ParseFile(path); }
        catch (LitmusParseException e)
        {
            return new LitmusTestResult(Path.GetFileNameWithoutExtension(path), path, LitmusStatus.Unsupported, "parse error: " + e.Message, null);
        }
        var herd = File.Exists(path + ".expected") ? ExpectedReader.ReadFile(path + ".expected") : null;
        var kind = herd is null ? FindKind(path, test.Name, kindsCache ?? []) : null;
        var expectation = new LitmusExpectation(kind ?? VerdictOfHerd(herd), herd);
        var support = SupportClassifier.Classify(test, Profile);
        if (!support.Supported)
            return new LitmusTestResult(test.Name, path, LitmusStatus.Unsupported, string.Join("; ", support.Reasons), null) { Expected = expectation, Test = test };
        if (options.EngineArmData && !options.EngineArmByVa && !ViewModelExplorer.Handles(test))
            return new LitmusTestResult(test.Name, path, LitmusStatus.Unsupported, EngineArmAccess.NotBound, null) { Expected = expectation, Test = test };
        var x = options.EngineArmData ? LitmusExplorer.Explore(test, options)
            : options.ArmDataModel && ViewModelExplorer.Handles(test) ? ViewModelExplorer.Explore(test, options) : LitmusExplorer.Explore(test, options);
        var status = x.Error is not null ? LitmusStatus.Error : x.Complete ? LitmusStatus.Ok : LitmusStatus.Incomplete;
        var reason = x.Error ?? x.Incomplete;
        var result = new LitmusTestResult(test.Name, path, status, reason, x) { Expected = expectation, Test = test };
        return status == LitmusStatus.Ok ? result with { Comparison = LitmusComparison.Compare(test, x, expectation) } : result;
    }

    private static Verdict? VerdictOfHerd(ExpectedOutcome? herd) => herd?.Observation switch
    {
        Observation.Never => Verdict.Forbidden,
        Observation.Always => Verdict.Required,
        Observation.Sometimes => Verdict.Allowed,
        _ => null,
    };

    private static Verdict? FindKind(string path, string name, Dictionary<string, IReadOnlyDictionary<string, Verdict>?> cache)
    {
        for (var dir = Path.GetDirectoryName(Path.GetFullPath(path)); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (!cache.TryGetValue(dir, out var kinds))
            {
                var k = Path.Combine(dir, "kinds.txt");
                kinds = File.Exists(k) ? ExpectedReader.ReadKinds(k) : null;
                cache[dir] = kinds;
            }
            if (kinds is not null) return kinds.TryGetValue(name, out var v) ? v : null;
        }
        return null;
    }
}
