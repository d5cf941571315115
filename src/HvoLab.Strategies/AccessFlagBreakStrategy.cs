using HvoLab.Engine;
using HvoLab.Kernel;
using HvoLab.Kernel.Primitives;

namespace HvoLab.Strategies;

/// <summary>
/// Approach E, the design akpm's mm tree carries in 2026 (linux-mm/linux-mm @5aaa2bcaece3; hvo-2026-arm64.md §1–2):
/// break-before-make through the Access flag. Each live vmemmap PTE is updated in place by try_update_vmemmap_pte
/// (AF cleared atomically, flush, compare-and-exchange of the AF = 0 value for the new one, at most 16 attempts,
/// -EAGAIN), the PMD split by try_populate_vmemmap_pmd (direct with BBML2_NOABORT, the same AF loop otherwise), and
/// the generic 2026 path (<see cref="IVmemmapInPlaceUpdate"/>) stops at the first error with rollback or partial HVO.
/// No IPI, no pause. Refused unless every CPU updates the Access flag in hardware (ARM64_HVO_COMPATIBLE). The
/// primitives are kernel code (Primitives/Arm64VmemmapUpdate.cs); this file only plugs them in.
/// </summary>
public sealed class AccessFlagBreakStrategy : Strategy, IVmemmapInPlaceUpdate
{
    public override string Name => "E";
    public override string Title => "break-before-make through the Access flag: AF clear, TLBI, CAS in place (mm tree 2026)";
    public override string Needs => "hardware Access-flag updates on every CPU (ARM64_HVO_COMPATIBLE)";
    public override string Source => "linux-mm/linux-mm 5aaa2bcaece3 (arch/arm64 try_update_vmemmap_pte)";
    public override string Doc => "Per live PTE: clear AF with a relaxed CAS, flush_tlb_kernel_range for the page, then CAS the AF = 0 descriptor " +
        "for the new one (a walker that set AF again makes it fail; 16 attempts, then -EAGAIN). A descriptor with AF = 0 is never held in a TLB, " +
        "so the AF = 0 value serves as the break (herdtools7 PR #1864). The PMD split writes the table directly with BBML2_NOABORT, else runs the " +
        "same loop on the block. Failures roll back (optimize) or leave partial HVO (restore). No IPIs.";
    public override int Order => 7;

    public override string? Refusal(SystemConfig config) => Arm64VmemmapUpdate.GateRefusalFor(config.Machine);

    public SimTask<int> TryUpdateVmemmapPte(Cpu cpu, ulong addr, ulong ptepPa, ulong newPte) => K.TryUpdateVmemmapPte(cpu, addr, ptepPa, newPte);

    public SimTask<int> TryPopulateVmemmapPmd(Cpu cpu, ulong addr, ulong pmdpPa, ulong pgtablePa) => K.TryPopulateVmemmapPmd(cpu, addr, pmdpPa, pgtablePa);
}
