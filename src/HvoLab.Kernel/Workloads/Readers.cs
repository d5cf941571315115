using HvoLab.Engine;

namespace HvoLab.Kernel.Workloads;

/// <summary>
/// A speculative PFN walker (compaction's isolate_migratepages_block, alloc_contig_range, page_idle …): pfn_to_page
/// on PFNs it does not own, reads flags and compound_head, and tries get_page_unless_zero, dropping the reference
/// again (kernel-hvo.md §4.3). Preemptible, interrupts enabled.
/// </summary>
public sealed class PfnWalker(Linux linux, WorkloadSpec spec) : Workload(linux, spec)
{
    public override async SimTask Run(Cpu cpu)
    {
        while (Continue(cpu))
        {
            ulong page = NextTargetPage();
            await ResolveHead(cpu, page, "PFN walker");
            if (await Flags.GetPageUnlessZero(cpu, page))
            {
                Stats.RefsTaken++;
                await Flags.PutPage(cpu, page);
            }
            Stats.Iterations++;
            await Pause(cpu);
        }
    }
}

/// <summary>GUP-fast (mm/gup.c, HAVE_GUP_FAST on arm64): interrupts off, page_folio() of a tail of a mapped folio,
/// then folio_try_get on the head, and the reference dropped later.</summary>
public sealed class GupFast(Linux linux, WorkloadSpec spec) : Workload(linux, spec)
{
    public override async SimTask Run(Cpu cpu)
    {
        while (Continue(cpu))
        {
            ulong page = NextTargetPage();
            await cpu.LocalIrqDisable();
            ulong head = await ResolveHead(cpu, page, "GUP-fast", readFlags: false);
            bool got = await Flags.GetPageUnlessZero(cpu, head);
            await cpu.LocalIrqEnable();
            if (got) { Stats.RefsTaken++; await Flags.PutPage(cpu, head); }
            Stats.Iterations++;
            await Pause(cpu);
        }
    }
}

/// <summary>memory-failure's reads of a hugetlb folio (mm/memory-failure.c): the tail's flags and compound_head,
/// and the raw-error list head in folio page 3 — reads only.</summary>
public sealed class MemoryFailureReader(Linux linux, WorkloadSpec spec) : Workload(linux, spec)
{
    public override async SimTask Run(Cpu cpu)
    {
        while (Continue(cpu))
        {
            ulong page = NextTargetPage();
            ulong head = await ResolveHead(cpu, page, "memory-failure");
            // get_huge_page_for_hwpoison() reads folio->_hugetlb_hwpoison only of a hugetlb folio (folio_test_hugetlb):
            // a tail resolved to its head, or a page whose own flags say hugetlb head. Reading it for a plain page ran past
            // the vmemmap at the end of memory (a kernel-fault "B" showed and "off" did not: issue #19, defect 2).
            if (head != page || (LastFlags & StructPage.PG_hugetlb) != 0)
                await cpu.Load(head + 3 * (ulong)Layout.StructPageSize + 16);   // folio->_hugetlb_hwpoison
            Stats.Iterations++;
            await Pause(cpu);
        }
    }
}

/// <summary>An NMI handler that dumps a struct page (dump_page from a perf or backtrace NMI): an external NMI source
/// raises IPI_CPU_BACKTRACE as a pseudo-NMI on this CPU every period; the handler reads flags and compound_head.
/// The CPU's own task just idles. Without pseudo-NMI the interrupt is a normal IRQ.</summary>
public sealed class NmiReader(Linux linux, WorkloadSpec spec) : Workload(linux, spec)
{
    public override async SimTask Run(Cpu cpu)
    {
        Arm(cpu.Id);
        await cpu.Work(1);
    }

    /// <summary>Starts the NMI source on a CPU without a task of its own (e.g. the CPU that runs HVO).</summary>
    public void Arm(int cpu)
    {
        Linux.BacktraceHandler ??= DumpPage;
        Linux.Sim.AddExternalInterrupt(cpu, Linux.IPI_CPU_BACKTRACE, Math.Max(1, Spec.PeriodNs), Spec.Iterations);
    }

    private async SimTask DumpPage(Cpu cpu)
    {
        ulong page = NextTargetPage();
        await ResolveHead(cpu, page, "NMI reader");
        Stats.Iterations++;
    }
}

/// <summary>Background load: private work with interrupt-off, preempt-off and DAIF-masked sections of configured
/// lengths, in chunks of at most 1 µs between preemption points.</summary>
public sealed class BackgroundLoad(Linux linux, WorkloadSpec spec) : Workload(linux, spec)
{
    public override async SimTask Run(Cpu cpu)
    {
        var rng = new SplitMix64(Spec.Seed ^ ((ulong)cpu.Id * 0x9E3779B97F4A7C15UL));
        int work = cpu.Sim.Label("background work");
        // The section labels are looked up once, at their first use (where they were registered before), not by name
        // on every iteration.
        int irqsOff = 0, preemptOff = 0, daifMasked = 0;
        while (Continue(cpu))
        {
            await cpu.Work(Spec.PeriodNs, work);   // interruptible at any instant in timed runs (TimedDriver.ExecWork, OpExecutor)
            if (Spec.IrqOffNs is { } irq)
            {
                await cpu.LocalIrqDisable();
                await cpu.Work(irq.Draw(ref rng), irqsOff = irqsOff != 0 ? irqsOff : cpu.Sim.Label("irqs off"));
                await cpu.LocalIrqEnable();
            }
            if (Spec.PreemptOffNs is { } pre)
            {
                cpu.PreemptCount++;
                await cpu.Work(pre.Draw(ref rng), preemptOff = preemptOff != 0 ? preemptOff : cpu.Sim.Label("preempt off"));
                cpu.PreemptCount--;
            }
            if (Spec.DaifMaskedNs is { } daif)
            {
                await cpu.DaifMask();
                await cpu.Work(daif.Draw(ref rng), daifMasked = daifMasked != 0 ? daifMasked : cpu.Sim.Label("daif masked"));
                await cpu.DaifRestore();
            }
            Stats.Iterations++;
        }
    }
}
