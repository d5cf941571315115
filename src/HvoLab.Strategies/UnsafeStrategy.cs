namespace HvoLab.Strategies;

/// <summary>The generic (x86) rewrite of live entries without break-before-make: set_pte_at / pmd_populate_kernel
/// over the live entry, flush afterwards (the <see cref="HvoLab.Kernel.VmemmapArch"/> defaults). What arm64 ran in
/// v5.19–v6.2 before 060a2c92d1b6.</summary>
public sealed class UnsafeStrategy : Strategy
{
    public override string Name => "unsafe";
    public override string Title => "live rewrite without break-before-make (x86 behaviour, arm64 v5.19–v6.2)";
    public override string Needs => "nothing";
    public override string Source => "mm/hugetlb_vmemmap.c generic";
    public override string Doc => "The generic code's own writes over live entries, flushed afterwards: no break-before-make, which the Arm architecture requires for these changes (R_HMZLF-style BBM rules).";
    public override int Order => 1;
    public override bool TimePastViolations => true;
}
