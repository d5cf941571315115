using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using HvoLab.Kernel.Mm;
using HvoLab.Kernel.Primitives;
using HvoLab.Kernel.Workloads;

namespace HvoLab.Kernel.Tests;

/// <summary>One vmemmap page of a folio as the live tables map it now.</summary>
public readonly record struct VmemmapMapping(ulong Pfn, bool Writable, int Level);

/// <summary>Reads the live kernel tables (Arch.Translate, no TLB) for the vmemmap pages of a folio.</summary>
public static class VmemmapView
{
    public static int VmemmapPages(Linux linux, Folio f) => (int)(f.Pages * (ulong)Layout.StructPageSize / linux.Layout.PageSize);

    public static VmemmapMapping[] Of(Linux linux, Folio f)
    {
        int n = Math.Max(1, VmemmapPages(linux, f));
        var res = new VmemmapMapping[n];
        for (int k = 0; k < n; k++)
        {
            var t = linux.Arch.Translate(f.HeadPage + (ulong)k * linux.Layout.PageSize);
            if (t.Fault != FaultKind.None) throw new InvalidOperationException($"vmemmap page {k} of {f} does not translate: {t.Fault}");
            // A block (4K before the split) has no RO bit set for vmemmap; AP[2] = PTE_RDONLY decides writability here.
            res[k] = new VmemmapMapping(t.Pa >> linux.Layout.PageShift, (t.Leaf & DescBits.RdOnly) == 0, t.Level);
        }
        return res;
    }
}
