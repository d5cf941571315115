using HvoLab.Engine;
using HvoLab.Kernel;

namespace HvoLab.Strategies;

/// <summary>
/// Approach E, the design akpm's mm tree carries in 2026 (linux-mm/linux-mm @5aaa2bcaece3; hvo-2026-arm64.md §1–2):
/// break-before-make through the Access flag. Each live vmemmap PTE is updated in place by try_update_vmemmap_pte
/// (AF cleared atomically, flush, compare-and-exchange of the AF = 0 value for the new one, at most 16 attempts,
/// -EAGAIN), the PMD split by try_populate_vmemmap_pmd (direct with BBML2_NOABORT, the same AF loop otherwise), with
/// the generic 2026 path's rollback and partial HVO. No IPI, no pause. Refused unless every CPU updates the Access
/// flag in hardware (ARM64_HVO_COMPATIBLE). A thin adapter: the primitives are kernel code (Arm64VmemmapUpdate).
/// </summary>
public sealed class AccessFlagBreakStrategy : VmemmapArch, IVmemmapInPlaceUpdate
{
    public override string Name => "E";

    public override string? Refusal(Linux linux) => linux.Arm64.GateRefusal;

    public override bool UpdateSupported(Linux linux) => Refusal(linux) is null;

    public SimTask<int> TryUpdateVmemmapPte(Cpu cpu, ulong addr, ulong ptepPa, ulong newPte) =>
        Kernel.Arm64.TryUpdateVmemmapPte(cpu, addr, ptepPa, newPte);

    public SimTask<int> TryPopulateVmemmapPmd(Cpu cpu, ulong addr, ulong pmdpPa, ulong pgtablePa) =>
        Kernel.Arm64.TryPopulateVmemmapPmd(cpu, addr, pmdpPa, pgtablePa);
}
