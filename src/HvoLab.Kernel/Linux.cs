using HvoLab.Arch;
using HvoLab.Engine.Schedulers;
using HvoLab.Engine;
using HvoLab.Kernel.Mm;
using HvoLab.Kernel.Primitives;
using HvoLab.Kernel.Workloads;

namespace HvoLab.Kernel;

/// <summary>
/// One booted Linux instance on the simulated machine: its layout, allocator, page tables (the linear map and the
/// vmemmap, real data in simulated memory), kernel globals, the hugetlb pool and HVO, and the arch hooks the
/// strategy supplies. Create it with <see cref="Boot"/> before <see cref="Simulator.Run"/>.
/// </summary>
public sealed partial class Linux : IGuest
{
    private Linux(Simulator sim, KernelConfig config, VmemmapArch hooks, KernelCosts costs)
    {
        Sim = sim; Config = config; Hooks = hooks; Cost = new CostModel(sim.Cost, costs);
        Layout = new Layout(sim.Arch.Granule, sim.Arch.Memory.SizeBytes);
        Pt = new PageTableOps(this);
        Monitors = new KernelMonitors(this);
        Rcu = new Rcu(this);
        Folios = new FolioRegistry(this);
        Arm64 = new Arm64VmemmapUpdate(this);
        if (config.FailVmemmapPte is { } pte) FailPte = new FaultInjector(pte, sim.Options.Seed ^ 0x7074_655fUL);
        if (config.FailVmemmapPmd is { } pmd) FailPmd = new FaultInjector(pmd, sim.Options.Seed ^ 0x706d_645fUL);
    }

    /// <summary>The arm64 primitives of the 2026 design (try_update_vmemmap_pte, try_populate_vmemmap_pmd).</summary>
    public Arm64VmemmapUpdate Arm64 { get; }
    /// <summary>fail_hugetlb_vmemmap_pte / _pmd, when the scenario sets them.</summary>
    public FaultInjector? FailPte { get; }
    public FaultInjector? FailPmd { get; }
    public HvoUpdateCounters HvoCounters { get; } = new();

    public Simulator Sim { get; }
    public ArchMachine Arch => Sim.Arch;
    /// <summary>The machine's costs (what the engine charges) and the kernel's own.</summary>
    public CostModel Cost { get; }
    public KernelConfig Config { get; }
    public Layout Layout { get; }
    public VmemmapArch Hooks { get; }
    public PageTableOps Pt { get; }
    public KernelMonitors Monitors { get; }
    public Rcu Rcu { get; }
    public FolioRegistry Folios { get; }
    public PageAllocator Buddy { get; private set; } = null!;
    public KernelData Data { get; private set; } = null!;
    public HugetlbVmemmap Hvo { get; private set; } = null!;
    public Hugetlb Hugetlb { get; private set; } = null!;
    /// <summary>PA of the first vmemmap backing frame (the vmemmap is populated contiguously at boot).</summary>
    public ulong VmemmapBackingPa { get; private set; }
    /// <summary>vmemmap_optimize_enabled after hugetlb_vmemmap_init(): off when the arch says it cannot update.</summary>
    public bool VmemmapOptimizeEnabled { get; private set; }
    /// <summary>Frames freed back by HVO (old vmemmap pages) minus frames allocated for it, for the savings figure.</summary>
    public long VmemmapPagesFreed { get => _freed; internal set { _freed = value; NotePeak(); } }
    public long VmemmapPagesAllocated { get => _allocated; internal set { _allocated = value; NotePeak(); } }
    /// <summary>Largest net number of vmemmap pages given back at any moment (the memory HVO saved while the pool was full).</summary>
    public long PeakNetFreed { get; private set; }
    private long _freed, _allocated;
    private void NotePeak() { if (_freed - _allocated > PeakNetFreed) PeakNetFreed = _freed - _allocated; }

    public static Linux Boot(Simulator sim, KernelConfig config, VmemmapArch hooks, KernelCosts? costs = null)
    {
        var linux = new Linux(sim, config, hooks, costs ?? KernelCosts.Default);
        linux.BootMemory();
        linux.Hvo = new HugetlbVmemmap(linux);
        linux.Hugetlb = new Hugetlb(linux);
        linux.VmemmapOptimizeEnabled = config.HvoEnabled && hooks.UpdateSupported(new SystemConfig(sim.Arch.Config, config));
        linux.ConfigureIpiPriorities();   // ipi_should_be_nmi(): set up at boot whatever the strategy
        sim.AttachGuest(linux);
        hooks.Attach(new KernelServices(linux));
        return linux;
    }

    /// <summary>Lays out physical memory and builds the kernel page tables (arch/arm64/mm/mmu.c: map_mem,
    /// vmemmap_populate): the vmemmap backing at the top of RAM, boot page tables below it, the buddy below that.</summary>
    private void BootMemory()
    {
        var g = Layout.Granule;
        var mem = Arch.Memory;
        ulong pageSize = g.PageSize;
        var plan = BootLayout.Plan(g, mem.SizeBytes)
            ?? throw new ArgumentException($"memory {mem.SizeBytes} bytes is too small for the vmemmap and boot tables of a {g} kernel");
        bool pmdBlocks = g.PageShift == 12;
        ulong vmemmapMapped = plan.VmemmapMappedBytes;
        VmemmapBackingPa = plan.VmemmapBackingPa;
        ulong bootTablesPa = plan.BootTablesPa;
        mem.Allocator = new BumpFrameAllocator(bootTablesPa >> g.PageShift, VmemmapBackingPa >> g.PageShift);

        var builder = new PageTableBuilder(Arch);
        builder.CreateRoot();
        // Linear map: blocks (1 GiB on 4K where RAM allows, else the level-2 block size).
        int linearLevel = g.PageShift == 12 && mem.SizeBytes % g.LevelSize(1) == 0 ? 1 : 2;
        ulong linearBytes = mem.SizeBytes / g.LevelSize(linearLevel) * g.LevelSize(linearLevel);
        if (linearBytes > 0) builder.Map(Layout.PageOffset, 0, linearBytes, Prot.PROT_SECT_NORMAL, linearLevel);
        if (pmdBlocks) builder.Map(Layout.VmemmapStart, VmemmapBackingPa, vmemmapMapped, Prot.PROT_SECT_NORMAL, 2);
        else builder.Map(Layout.VmemmapStart, VmemmapBackingPa, vmemmapMapped, Prot.PAGE_KERNEL, 3);
        Arch.Ttbr1 = builder.Root;

        // Kernel globals: one 64-byte line each plus one per CPU, on contiguous frames (the bump allocator hands
        // them out downwards, so the last one is the lowest).
        ulong dataBytes = (ulong)(KernelData.FixedLines + Sim.Cpus.Length) * 64;
        ulong dataPfn = 0;
        for (ulong i = 0; i < (dataBytes + pageSize - 1) / pageSize; i++) dataPfn = mem.Allocator.AllocFrame();
        Data = new KernelData(dataPfn << g.PageShift, Sim.Cpus.Length);
        ulong dataLo = dataPfn << g.PageShift, dataHi = dataLo + (dataBytes + pageSize - 1) / pageSize * pageSize;
        _privateDataLo = dataLo; _privateDataHi = dataHi;
        ulong buddyEnd = bootTablesPa >> g.PageShift;
        Buddy = new PageAllocator(0, buddyEnd);
        mem.Allocator = new BuddyFrameAllocator(Buddy);
        // Untouched struct pages describe free pages (flags 0, _mapcount -1, _refcount 0), as the buddy holds them.
        // A page in use that is about to be freed (the speculative-walker race of bd225530a4c7) is set up explicitly
        // with MarkInUseLruPage / ReleaseLruPage, so struct page refcounts and the allocator agree.
        ulong vmemmapFirstPfn = VmemmapBackingPa >> g.PageShift, vmemmapEndPfn = vmemmapFirstPfn + (vmemmapMapped >> g.PageShift);
        mem.Generator = (pfn, word) =>
            pfn >= vmemmapFirstPfn && pfn < vmemmapEndPfn && (word & 7) == 6 ? 0x0000_0000_ffff_ffffUL : 0;
        mem.GeneratorIsPeriodic = true;
    }

    /// <summary>Set-up outside simulated time: the struct page of <paramref name="pfn"/> describes a page in use on the
    /// LRU (PG_lru, _refcount 1) that its owner will release (<see cref="ReleaseLruPage"/>) before the page is reused.</summary>
    public void MarkInUseLruPage(ulong pfn)
    {
        ulong page = Layout.PfnToPage(pfn);
        ulong flagsPa = TranslateNow(page + StructPage.Flags) ?? throw new InvalidOperationException("vmemmap not mapped");
        ulong countPa = TranslateNow(page + StructPage.MapCount) ?? throw new InvalidOperationException("vmemmap not mapped");
        Arch.Memory.Write(flagsPa, StructPage.PG_lru);
        Arch.Memory.Write(countPa, 0x0000_0001_ffff_ffffUL);
    }

    /// <summary>The owner's last put_page() of a page set up with <see cref="MarkInUseLruPage"/>: 1 → 0 and the page
    /// is free; if a speculative walker holds a reference, the page is freed only once that walker drops it.</summary>
    public async SimTask ReleaseLruPage(Cpu cpu, ulong pfn)
    {
        ulong page = Layout.PfnToPage(pfn);
        await cpu.Store(page + StructPage.Flags, 0);                                    // off the LRU
        if ((uint)await cpu.FetchAdd(page + StructPage.RefCount, 0xffff_ffffUL, MemOrder.Full, 4) != 1)   // put_page: atomic_dec_and_test
            while ((uint)await cpu.Load(page + StructPage.RefCount, 4) != 0) await cpu.Relax();
    }

    /// <summary>Lets Arch-level helpers allocate frames from the kernel's buddy.</summary>
    private sealed class BuddyFrameAllocator(PageAllocator buddy) : IFrameAllocator
    {
        public ulong AllocFrame() => buddy.Alloc(0) ?? throw new InvalidOperationException("out of memory");
        public void FreeFrame(ulong pfn) => buddy.Free(pfn, 0);
    }

    /// <summary>PA currently backing a kernel VA, by walking the live tables (what a debugger would read).</summary>
    public ulong? TranslateNow(ulong va)
    {
        var r = Arch.Translate(va);
        return r.Fault == FaultKind.None ? r.Pa : null;
    }
}
