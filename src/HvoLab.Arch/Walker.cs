using System.Runtime.CompilerServices;

namespace HvoLab.Arch;

/// <summary>Four per-level slots (levels 0..3) without a heap array.</summary>
[InlineArray(4)]
public struct PerLevel<T> { private T _e0; }

/// <summary>Outcome of one translation table walk. A value type: walks allocate nothing.</summary>
public struct WalkResult
{
    public FaultKind Fault;
    /// <summary>Level of the fault, or of the leaf on success.</summary>
    public int Level;
    /// <summary>Output address for the walked VA (leaf OA plus the offset inside the page/block).</summary>
    public ulong Pa;
    public ulong Leaf;
    public ulong LeafPa;
    /// <summary>VA of the start of the page/block and its size.</summary>
    public ulong BlockVa;
    public ulong Size;
    /// <summary>Hierarchical attributes collected from table descriptors (APTable[1] = no writes, PXNTable).</summary>
    public bool TableNoWrite;
    public bool TablePxn;
    /// <summary>Hierarchical attributes the walk started with (from a walk-cache entry).</summary>
    public bool InheritedNoWrite;
    public bool InheritedPxn;
    /// <summary>First level read from memory (levels above came from the walk cache).</summary>
    public int FirstLevelRead;
    /// <summary>PA and value of the descriptor used at each level (valid for FirstLevelRead..Level).</summary>
    public PerLevel<ulong> DescPa;
    public PerLevel<ulong> DescValue;

    public readonly bool Ok => Fault == FaultKind.None;
    /// <summary>Effective EL1 write permission: AP[2]=0 and no APTable[1] above (ARM ARM D8.4; HD not modelled).</summary>
    public readonly bool Writable => !TableNoWrite && (Leaf & DescBits.RdOnly) == 0;
    /// <summary>Effective privileged execute-never: PXN in the leaf or PXNTable above it.</summary>
    public readonly bool PrivilegedExecuteNever => TablePxn || (Leaf & DescBits.PXN) != 0;
    /// <summary>Number of descriptors read from memory by this walk (DescPa/DescValue[FirstLevelRead..Level]).</summary>
    public readonly int DescriptorsRead => Level - FirstLevelRead + 1;
}

/// <summary>
/// Stage-1 EL1 walk of the TTBR1 tables held in simulated memory (ARM ARM K.a D8.2 "Translation process").
/// Reads see a pending descriptor store's old value (see <see cref="DescriptorStoreBuffer"/>).
/// Checks: kernel VA (bits 63:48 all ones), descriptor validity per level, OA within 48 bits (Address size
/// fault), AF = 0 gives an Access flag fault; with TCR_EL1.HA the caller resolves it by the walker's atomic AF
/// update (<see cref="HardwareFlagUpdates"/>), so the walk itself stays a pure read.
/// </summary>
public sealed class Walker
{
    private readonly PhysicalMemory _mem;
    private readonly DescriptorStoreBuffer _stores;
    private readonly Granule _g;

    public Walker(PhysicalMemory mem, DescriptorStoreBuffer stores)
    {
        _mem = mem; _stores = stores; _g = mem.Granule;
    }

    public const ulong KernelVaMask = 0xFFFF_0000_0000_0000UL;
    public static bool IsKernelVa(ulong va) => (va & KernelVaMask) == KernelVaMask;

    /// <summary>The descriptor value a table walker sees at <paramref name="pa"/> now.</summary>
    public ulong ReadDescriptor(ulong pa) => _stores.TryGetWalkerValue(pa, out var v) ? v : _mem.ReadWord(pa);

    /// <summary>Full walk from the root table at <paramref name="ttbr1"/>.</summary>
    public void Walk(ulong ttbr1, ulong va, out WalkResult r) => WalkFrom(va, _g.StartLevel, ttbr1, false, false, out r);

    /// <summary>Walk starting at <paramref name="level"/> in the table at <paramref name="tablePa"/> (e.g. from a
    /// walk-cache entry), with the hierarchical attributes accumulated above it.</summary>
    public void WalkFrom(ulong va, int level, ulong tablePa, bool noWrite, bool pxn, out WalkResult r)
    {
        r = default;
        r.FirstLevelRead = level;
        r.TableNoWrite = noWrite;
        r.TablePxn = pxn;
        r.InheritedNoWrite = noWrite;
        r.InheritedPxn = pxn;
        if (!IsKernelVa(va) || tablePa == 0) { r.Fault = FaultKind.Translation; r.Level = level; return; }
        while (true)
        {
            ulong descPa = tablePa + ((ulong)_g.Index(va, level) << 3);
            ulong d = ReadDescriptor(descPa);
            r.DescPa[level] = descPa;
            r.DescValue[level] = d;
            r.Level = level;
            var desc = new Descriptor(d);
            var kind = desc.Kind(_g, level);
            if (kind == DescriptorKind.Invalid) { r.Fault = FaultKind.Translation; return; }
            // OA bits above 47 (OA[51:48] in [15:12] for 64K; bits [49:48], OA[49:48] with LPA2, otherwise RES0) exceed the 48-bit PA size.
            if ((_g.PageShift == 16 && desc.OaHigh != 0) || (d & (0x3UL << 48)) != 0) { r.Fault = FaultKind.AddressSize; return; }
            if (kind == DescriptorKind.Table)
            {
                // Hierarchical attributes (ARM ARM D8.4.2 "Hierarchical control of data access permissions").
                if ((d & (1UL << 62)) != 0) r.TableNoWrite = true;
                if ((d & DescBits.PXNTable) != 0) r.TablePxn = true;
                tablePa = desc.OutputAddress(_g, level);
                level++;
                continue;
            }
            if (!desc.AF) { r.Fault = FaultKind.AccessFlag; return; }
            r.Leaf = d;
            r.LeafPa = descPa;
            r.Size = _g.LevelSize(level);
            r.BlockVa = va & ~(r.Size - 1);
            r.Pa = desc.OutputAddress(_g, level) | (va & (r.Size - 1) & ((1UL << 48) - 1));
            return;
        }
    }
}
