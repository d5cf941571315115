using System.Text;
using HvoLab.Engine;
using HvoLab.Engine.Schedulers;

namespace HvoLab.Engine.Tests;

/// <summary>
/// The observing side of one execution in the differential tests (<see cref="TinyPrograms"/>,
/// <see cref="ArmDataPrograms"/>): it wraps the search's scheduler and remembers whether the search cut the execution
/// short (a sleep set), keeps what each CPU read, and harvests the outcome — every CPU's reads, the final value of
/// each of the program's words, the violations — so two searches can be compared by the outcomes they reach.
/// </summary>
internal abstract class ObservedExecution(IScheduler search, int cpus, int words) : IScheduler
{
    private bool _pruned;

    /// <summary>What each CPU read, in order (the program appends to it).</summary>
    protected StringBuilder[] Reads { get; } = Enumerable.Range(0, cpus).Select(_ => new StringBuilder()).ToArray();

    public Simulator Sim { get; protected set; } = null!;

    /// <summary>PA of the program's word <paramref name="w"/>.</summary>
    protected abstract ulong Word(int w);

    public SchedulingMode Mode => SchedulingMode.Choice;
    public void OnExecutionStart(Simulator sim) => search.OnExecutionStart(sim);

    public int Choose(ReadOnlySpan<int> actions, Simulator sim)
    {
        int i = search.Choose(actions, sim);
        if (i < 0) _pruned = true;
        return i;
    }

    /// <summary>Explores every execution <paramref name="options"/> allows, each built by <paramref name="make"/> around the
    /// search's scheduler, and collects the outcomes of those the search did not prune.</summary>
    public static (HashSet<string> Seen, ExplorationResult Result) Observe(Func<IScheduler, ObservedExecution> make, ExplorationOptions options)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // Per thread: a parallel search runs executions on several workers at once.
        using var last = new ThreadLocal<ObservedExecution?>(trackAllValues: true);
        var r = new ExhaustiveExplorer(s =>
        {
            lock (seen) last.Value?.Harvest(seen);
            last.Value = make(s);
            return last.Value.Sim;
        }, options).Explore();
        foreach (var e in last.Values) e?.Harvest(seen);
        return (seen, r);
    }

    /// <summary>Spawns each CPU's task of <paramref name="p"/>, every step run by <paramref name="run"/>.</summary>
    protected void SpawnTasks<TStep>(SmallProgram<TStep> p, Func<Cpu, ProgramOp<TStep>, SimTask> run) where TStep : struct, Enum
    {
        for (int c = 0; c < p.Tasks.Length; c++)
        {
            var task = p.Tasks[c];
            Sim.Spawn(c, async cpu => { foreach (var op in task) await run(cpu, op); });
        }
    }

    /// <summary>The CPU's handler steps of <paramref name="p"/>, bracketed in its read log from <paramref name="entry"/>
    /// ("[irq ", "[nmi ", "[work ") to "]" so that an outcome says which reads the handler made.</summary>
    protected async SimTask RunHandler<TStep>(SmallProgram<TStep> p, Cpu cpu, string entry, Func<Cpu, ProgramOp<TStep>, SimTask> run)
        where TStep : struct, Enum
    {
        Reads[cpu.Id].Append(entry);
        foreach (var op in p.Handlers[cpu.Id]) await run(cpu, op);
        Reads[cpu.Id].Append(']');
    }

    /// <summary>Adds this execution's outcome to <paramref name="seen"/> unless the search pruned it.</summary>
    public void Harvest(HashSet<string> seen)
    {
        if (_pruned) return;
        var sb = new StringBuilder();
        for (int c = 0; c < Reads.Length; c++) sb.Append("CPU").Append(c).Append(':').Append(Reads[c]).Append(' ');
        for (int w = 0; w < words; w++) sb.Append('w').Append(w).Append('=').Append(Sim.Arch.ReadPhys(Word(w))).Append(' ');
        // Distinct and sorted: two CPUs' independent steps may report their violations in either order, and a fault
        // retried until the step budget reports its violation as often as that execution's path allows.
        foreach (var k in Sim.Violations.Select(v => v.Kind).Distinct().Order(StringComparer.Ordinal)) sb.Append(k).Append(' ');
        seen.Add(sb.ToString());
    }
}
