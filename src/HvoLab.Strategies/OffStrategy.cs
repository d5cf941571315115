using HvoLab.Kernel;

namespace HvoLab.Strategies;

/// <summary>HVO disabled: what arm64 ships since 060a2c92d1b6 dropped ARCH_WANT_HUGETLB_PAGE_OPTIMIZE_VMEMMAP.
/// vmemmap_update_supported() is false, so hugetlb_vmemmap_init() turns HVO off and no vmemmap entry changes.</summary>
public sealed class OffStrategy : VmemmapArch
{
    public override string Name => "off";
    public override bool UpdateSupported(Linux linux) => false;
}

/// <summary>The generic (x86) rewrite of live entries without break-before-make: set_pte_at / pmd_populate_kernel
/// over the live entry, flush afterwards. What arm64 ran in v5.19–v6.2 before 060a2c92d1b6.</summary>
public sealed class UnsafeStrategy : VmemmapArch
{
    public override string Name => "unsafe";
}
