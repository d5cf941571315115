using HvoLab.Kernel;

namespace HvoLab.Strategies;

/// <summary>HVO disabled: what arm64 ships since 060a2c92d1b6 dropped ARCH_WANT_HUGETLB_PAGE_OPTIMIZE_VMEMMAP.
/// vmemmap_update_supported() is false, so hugetlb_vmemmap_init() turns HVO off and no vmemmap entry changes.</summary>
public sealed class OffStrategy : Strategy
{
    /// <summary>The baseline's name: every cost is also shown relative to it.</summary>
    public const string Id = "off";
    public override string Name => Id;
    public override string Title => "HVO disabled (arm64 today)";
    public override string Needs => "nothing";
    public override string Source => "060a2c92d1b6";
    public override string Doc => "HVO is never enabled (vmemmap_update_supported() is false), so no vmemmap entry changes: the baseline every cost is compared with.";
    public override int Order => 0;
    public override bool UpdateSupported(SystemConfig config) => false;
}
