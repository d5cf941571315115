using System.Text;
using HvoLab.Engine;

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

    /// <summary>Adds this execution's outcome to <paramref name="seen"/> unless the search pruned it.</summary>
    public void Harvest(HashSet<string> seen)
    {
        if (_pruned) return;
        var sb = new StringBuilder();
        for (int c = 0; c < Reads.Length; c++) sb.Append("CPU").Append(c).Append(':').Append(Reads[c]).Append(' ');
        for (int w = 0; w < words; w++) sb.Append('w').Append(w).Append('=').Append(Sim.Arch.ReadPhys(Word(w))).Append(' ');
        foreach (var v in Sim.Violations) sb.Append(v.Kind).Append(' ');
        seen.Add(sb.ToString());
    }
}
