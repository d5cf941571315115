using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using Xunit;

namespace HvoLab.Engine.Tests;

/// <summary>
/// A DMB ST orders earlier stores before the fault of a later access, a load's as much as a store's (herdtools7
/// aarch64hwreqs.cat bob "[Exp &amp; W]; po; [dmb.st]; po; [Exp &amp; W | MMU &amp; FAULT]"). Shape of herd's FO with the
/// faulting access a load: CPU0 stores a kernel global, smp_wmb(), loads through an unmapped VA; CPU1 maps it, DSB,
/// TLBI, DSB, reads the global. CPU0 faulting while CPU1 reads the global's old value is forbidden with the DMB ST (the
/// TLBI's completion orders CPU0's walk before CPU1's read: TLBI-ob) and allowed without it. Found by review in
/// session 8: a relaxed load by VA waited only for buffered release stores, not for older DMB ST epochs.
/// </summary>
public sealed class ArmFaultAfterWmbTests
{
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void AFaultingLoadAfterSmpWmbIsOrderedAfterTheEarlierStore(bool wmb, bool weakAllowed)
    {
        foreach (var options in new[] { SearchPresets.Plain, SearchPresets.Dpor })
        {
            var (seen, r) = ObservedExecution.Observe(s => new FaultAfterWmbExecution(s, wmb), options);
            Assert.True(r.Complete);
            Assert.Contains(seen, o => o.Contains("CPU0:F") && o.Contains("g1"));
            Assert.Equal(weakAllowed, seen.Any(o => o.Contains("CPU0:F") && o.Contains("g0")));
        }
    }

    private sealed class FaultAfterWmbExecution : ObservedExecution
    {
        private const ulong Global = 0x1000;
        private readonly ulong[] _ptes;

        public FaultAfterWmbExecution(IScheduler search, bool wmb) : base(search, 2, 2)
        {
            (var arch, _ptes) = PageTablePrograms.MappedPages(2, 1, 2, TlbFillPolicy.OnAccess);
            arch.Memory.WriteWord(_ptes[0], 0);   // the VA starts unmapped (FO: [PTE(x)]=(valid:0))
            Sim = new Simulator(arch, HardwareCosts.Default, this, new SimOptions { StepBudget = 500, StopOnViolation = false, MemoryModel = DataMemoryModel.Arm });
            Sim.AttachGuest(new Guest(this));
            ulong va = PageTablePrograms.Va(0);
            Sim.Spawn(0, async cpu =>
            {
                await cpu.StorePhys(Global, 1);                        // a kernel global: buffered
                if (wmb) await cpu.Barrier(BarrierKind.DmbIshSt);      // smp_wmb()
                ulong v = await cpu.Access(MemOp.Load(va, 8), returnFaults: true, MemOrder.Relaxed);
                Reads[0].Append(cpu.LastFault != FaultKind.None ? "F" : v.ToString()).Append(' ');
            });
            Sim.Spawn(1, async cpu =>
            {
                await cpu.StorePhys(_ptes[0], PageTablePrograms.Mapping(0));
                await cpu.Barrier(BarrierKind.DsbIsh);
                await cpu.Tlbi(TlbiOp.VAAE1IS, va);
                await cpu.Barrier(BarrierKind.DsbIsh);
                Reads[1].Append('g').Append(await cpu.LoadPhys(Global)).Append(' ');
            });
        }

        /// <summary>The fault handler maps the page and lets the access retry (a fault is an outcome, not an oops).</summary>
        private async SimTask<bool> Fixup(Cpu cpu)
        {
            Reads[cpu.Id].Append("F ");
            await cpu.StorePhys(_ptes[0], PageTablePrograms.Mapping(0));
            await cpu.Barrier(BarrierKind.DsbIshSt);
            return true;
        }

        protected override ulong Word(int w) => w == 0 ? Global : _ptes[0];

        private sealed class Guest(FaultAfterWmbExecution e) : IGuest
        {
            public SimTask HandleSgi(Cpu cpu, int sgi) => SimTask.CompletedTask;
            public SimTask<bool> HandleFault(Cpu cpu, FaultInfo fault) => e.Fixup(cpu);
            public bool IsPrivateKernelData(ulong pa) => pa >= ArmDataPrograms.Base && pa < 0x3000;
            public bool MayReadOlderValue(ulong pa) => IsPrivateKernelData(pa);
        }
    }
}
