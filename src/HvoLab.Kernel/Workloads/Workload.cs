using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using HvoLab.Kernel.Mm;
using HvoLab.Kernel.Primitives;

namespace HvoLab.Kernel.Workloads;

/// <summary>A length range in ns, drawn uniformly from the workload's seeded generator.</summary>
public readonly record struct NsRange(double Min, double Max)
{
    public double Draw(ref SplitMix64 rng) => Max <= Min ? Min : Min + (Max - Min) * rng.NextDouble();
}

/// <summary>Common settings of a concurrent accessor placed on a CPU.</summary>
public sealed record WorkloadSpec
{
    public required string Kind { get; init; }
    /// <summary>Time between two accesses (timed runs).</summary>
    public double PeriodNs { get; init; } = 2_000;
    /// <summary>Iterations before the task ends by itself; null = until every HVO operation has finished.</summary>
    public int? Iterations { get; init; }
    public NsRange? IrqOffNs { get; init; }
    public NsRange? PreemptOffNs { get; init; }
    public NsRange? DaifMaskedNs { get; init; }
    /// <summary>PFNs whose struct pages the reader looks at, in order, cyclically.</summary>
    public IReadOnlyList<ulong> TargetPfns { get; init; } = [];
    public ulong Seed { get; init; } = 1;
}

/// <summary>Counters the metrics read after a run.</summary>
public sealed class WorkloadStats
{
    public long Iterations;
    public long RefsTaken;
}

/// <summary>Base of the workloads: each is an async task on one CPU that loops until done or told to stop.</summary>
public abstract class Workload(Linux linux, WorkloadSpec spec)
{
    protected Linux Linux { get; } = linux;
    protected WorkloadSpec Spec { get; } = spec;
    protected PageFlags Flags { get; } = new(linux);
    public WorkloadStats Stats { get; } = new();
    private int _next;

    public abstract SimTask Run(Cpu cpu);

    protected bool Continue(Cpu cpu) => Spec.Iterations is int n ? Stats.Iterations < n : !cpu.Sim.StopRequested;

    protected ulong NextTargetPage()
    {
        if (Spec.TargetPfns.Count == 0) return Linux.Layout.PfnToPage(0);
        ulong pfn = Spec.TargetPfns[_next++ % Spec.TargetPfns.Count];
        return Linux.Layout.PfnToPage(pfn);
    }

    /// <summary>What every reader does with a struct page it does not own: note who owns it, optionally read its
    /// flags, resolve compound_head(), and have the monitor compare the answer with the owner. Returns the head.</summary>
    protected async SimTask<ulong> ResolveHead(Cpu cpu, ulong page, string reader, bool readFlags = true)
    {
        ulong truth = Linux.Monitors.TruthOf(page);
        if (readFlags) LastFlags = await cpu.Load(page + StructPage.Flags);
        ulong head = await Flags.CompoundHead(cpu, page);
        Linux.Monitors.CheckCompoundHead(cpu, page, head, reader, truth);
        return head;
    }

    /// <summary>The flags word the last <see cref="ResolveHead"/> read (the page's own flags).</summary>
    protected ulong LastFlags { get; private set; }

    protected async SimTask Pause(Cpu cpu)
    {
        if (Spec.PeriodNs > 0) await cpu.Work(Spec.PeriodNs, cpu.Sim.Label(Spec.Kind + " period"));
    }

    public static Workload Create(Linux linux, WorkloadSpec spec) => spec.Kind switch
    {
        "pfn-walker" => new PfnWalker(linux, spec),
        "gup-fast" => new GupFast(linux, spec),
        "memory-failure" => new MemoryFailureReader(linux, spec),
        "nmi-reader" => new NmiReader(linux, spec),
        "background" => new BackgroundLoad(linux, spec),
        _ => throw new ArgumentException($"workload kind '{spec.Kind}' is unknown; allowed: pfn-walker, gup-fast, memory-failure, nmi-reader, background"),
    };
}
