using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using Xunit;
using static HvoLab.Engine.Tests.SearchPresets;

namespace HvoLab.Engine.Tests;

/// <summary>Frame stores (<see cref="Cpu.StoreFrame"/>: copy_page, a PTE table's fill) under the Arm data model: one
/// buffered store that other CPUs see only when it drains, ordered before later stores by smp_wmb and by a DSB, never
/// hidden from its own CPU; under SC it is visible at once.</summary>
public class ArmFrameStoreTests
{
    private static ulong Flag => ArmDataPrograms.Word(0);

    private static HashSet<(ulong, ulong)> Outcomes(DataMemoryModel model, ExplorationOptions options,
        Func<Cpu, SimTask<ulong>> t0, Func<Cpu, SimTask<ulong>> t1) => ArmDataModelTests.Outcomes(model, options, t0, t1);

    private static async SimTask FillFrame(Cpu cpu) => await cpu.StoreFrame(1, 0, 0, 0, ArmDataPrograms.Frame, ulong.MaxValue, 7, 1, 512);

    /// <summary>MP with the data a whole frame: CPU0 fills the frame (word 3 = 10), then sets the flag; CPU1 reads the
    /// flag with acquire, then word 3. (flag 1, word 0) needs the flag store to become visible before the frame.</summary>
    [Theory]
    [InlineData(DataMemoryModel.Arm, null, true)]
    [InlineData(DataMemoryModel.Arm, BarrierKind.DmbIshSt, false)]   // smp_wmb (vmemmap_remap_pte, vmemmap_split_pmd)
    [InlineData(DataMemoryModel.Arm, BarrierKind.DsbIshSt, false)]   // set_pte_at's / flush_tlb_kernel_range's dsb(ishst)
    [InlineData(DataMemoryModel.Sc, null, false)]
    public void AFrameIsSeenAfterALaterStoreOnlyWithoutABarrier(DataMemoryModel model, BarrierKind? between, bool weakAllowed)
    {
        foreach (var options in new[] { Plain, Dpor })
        {
            var seen = Outcomes(model, options, async cpu =>
            {
                await FillFrame(cpu);
                if (between is { } b) await cpu.Barrier(b);
                await cpu.StorePhys(Flag, 1);
                return 0;
            }, async cpu =>
            {
                ulong flag = await cpu.LoadPhys(Flag, MemOrder.Acquire);
                ulong data = await cpu.LoadPhys(ArmDataPrograms.FrameWord(3));
                return flag * 100 + data;
            });
            Assert.Equal(weakAllowed, seen.Contains((0, 100)));
            Assert.Contains((0UL, 110UL), seen);
            Assert.Contains((0UL, 0UL), seen);
        }
    }

    /// <summary>A CPU reads its own frame store (it waits for the drain rather than forwarding a whole page).</summary>
    [Fact]
    public void ACpuSeesItsOwnFrameStore()
    {
        var seen = Outcomes(DataMemoryModel.Arm, Dpor, async cpu =>
        {
            await FillFrame(cpu);
            return await cpu.LoadPhys(ArmDataPrograms.FrameWord(5));
        }, _ => SimTask<ulong>.FromResult(0UL));
        Assert.All(seen, o => Assert.Equal(12UL, o.Item1));
    }
}
