namespace HvoLab.Arch;

/// <summary>
/// Boot-time construction of the TTBR1 tables: writes descriptors straight into <see cref="PhysicalMemory"/>
/// (no oracle, no TLB, no store buffer), allocating table frames from the memory's <see cref="IFrameAllocator"/>
/// and registering them so later live writes are watched. Mirrors what arch/arm64/mm/mmu.c (__create_pgd_mapping,
/// vmemmap_populate) leaves behind, not how it gets there.
/// </summary>
public sealed class PageTableBuilder
{
    /// <summary>VA of the first byte the TTBR1 root maps (48-bit kernel VA space).</summary>
    public const ulong KernelVaBase = 0xFFFF_0000_0000_0000UL;

    private readonly PhysicalMemory _mem;
    private readonly TableRegistry _tables;
    private readonly ArchMachine? _machine;
    private readonly Granule _g;

    public PageTableBuilder(ArchMachine machine) : this(machine.Memory, machine.Tables)
    {
        _machine = machine;
        if (machine.Ttbr1 != 0) Root = machine.Ttbr1;
    }

    public PageTableBuilder(PhysicalMemory memory, TableRegistry tables)
    {
        _mem = memory; _tables = tables; _g = memory.Granule;
    }

    /// <summary>PA of the root table (0 until <see cref="CreateRoot"/>).</summary>
    public ulong Root { get; private set; }

    /// <summary>Table descriptor attributes used for new intermediate tables.</summary>
    public ulong TableProt { get; set; } = Prot.TABLE;

    /// <summary>Allocates and registers the root table; sets the machine's TTBR1 when built on a machine.</summary>
    public ulong CreateRoot()
    {
        Root = AllocTable(KernelVaBase, _g.StartLevel);
        if (_machine != null) _machine.Ttbr1 = Root;
        return Root;
    }

    /// <summary>A zeroed, registered table frame for descriptors of <paramref name="level"/> starting at VA <paramref name="vaBase"/>.</summary>
    public ulong AllocTable(ulong vaBase, int level)
    {
        ulong pfn = _mem.Allocator.AllocFrame();
        _mem.ZeroFrame(pfn);
        ulong pa = pfn << _g.PageShift;
        _tables.Register(pa, vaBase, level);
        return pa;
    }

    /// <summary>PA of the table of <paramref name="level"/> on the path to <paramref name="va"/>, creating missing
    /// intermediate tables. Throws if a block or bad descriptor sits on the path.</summary>
    public ulong EnsureTable(ulong va, int level)
    {
        if (Root == 0) CreateRoot();
        ulong table = Root;
        for (int l = _g.StartLevel; l < level; l++)
        {
            ulong descPa = table + ((ulong)_g.Index(va, l) << 3);
            var d = new Descriptor(_mem.ReadWord(descPa));
            switch (d.Kind(_g, l))
            {
                case DescriptorKind.Table: table = d.OutputAddress(_g, l); break;
                case DescriptorKind.Invalid when d.Value == 0:
                    ulong size = _g.LevelSize(l);
                    ulong next = AllocTable(va & ~(size - 1) | KernelVaBase, l + 1);
                    _mem.WriteWord(descPa, TableProt | next);
                    table = next;
                    break;
                default: throw new InvalidOperationException($"VA 0x{va:x}: level {l} entry 0x{d.Value:x16} is not a table");
            }
        }
        return table;
    }

    /// <summary>PA of the descriptor for <paramref name="va"/> at <paramref name="level"/> (creates tables above it).</summary>
    public ulong DescriptorPa(ulong va, int level) => EnsureTable(va, level) + ((ulong)_g.Index(va, level) << 3);

    /// <summary>Writes a raw descriptor directly (boot time).</summary>
    public void SetDescriptor(ulong va, int level, ulong value)
    {
        ulong pa = DescriptorPa(va, level);
        _mem.WriteWord(pa, value);
        var d = new Descriptor(value);
        if (level < 3 && d.Kind(_g, level) == DescriptorKind.Table)
            _tables.Register(d.OutputAddress(_g, level), va & ~(_g.LevelSize(level) - 1), level + 1);
    }

    /// <summary>Maps [<paramref name="va"/>, +<paramref name="size"/>) to <paramref name="pa"/> with leaves at
    /// <paramref name="leafLevel"/> (3 = pages; 1 or 2 = blocks where the granule allows). <paramref name="prot"/>
    /// is a page protection (e.g. <see cref="Prot.PAGE_KERNEL"/>) or a block one; the type bits are set per level.</summary>
    public void Map(ulong va, ulong pa, ulong size, ulong prot, int leafLevel = 3)
    {
        if (leafLevel != 3 && !_g.BlockAllowed(leafLevel))
            throw new ArgumentException($"level {leafLevel} blocks are not allowed with the {_g} granule (allowed: {(_g.PageShift == 12 ? "1, 2" : "2")}, or 3 for pages)", nameof(leafLevel));
        ulong step = _g.LevelSize(leafLevel);
        if (((va | pa | size) & (step - 1)) != 0)
            throw new ArgumentException($"va 0x{va:x}, pa 0x{pa:x}, size 0x{size:x} must be aligned to the level-{leafLevel} size 0x{step:x}");
        ulong attrs = leafLevel == 3 ? prot | DescBits.TableOrPage : prot & ~DescBits.TableOrPage;
        attrs &= ~DescBits.AddressMask(_g.PageShift);
        for (ulong off = 0; off < size; off += step)
        {
            ulong descPa = DescriptorPa(va + off, leafLevel);
            _mem.WriteWord(descPa, attrs | (pa + off));
        }
    }
}
