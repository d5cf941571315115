using HvoLab.Arch;
using HvoLab.Engine;

namespace HvoLab.Kernel.Primitives;

/// <summary>
/// The arm64 primitives of the 2026 HVO design (break-before-make through the Access flag), step by step as in
/// linux-mm/linux-mm @5aaa2bcaece3 arch/arm64/include/asm/pgtable.h (try_update_vmemmap_pte, __ptep_clear_young)
/// and pgalloc.h (try_populate_vmemmap_pmd); hvo-2026-arm64.md §1. Both compare-and-exchanges are relaxed atomics on
/// page-table memory (no implied barrier); the oracle sees them as descriptor writes.
/// </summary>
public sealed class Arm64VmemmapUpdate(Linux linux)
{
    public const int EAGAIN = -11;
    public const int EINVAL = -22;
    public const int EOPNOTSUPP = -95;
    /// <summary>max_attempts in try_update_vmemmap_pte / try_populate_vmemmap_pmd.</summary>
    public const int MaxAttempts = 16;

    private Granule G => linux.Layout.Granule;

    /// <summary>system_supports_hvo(): cpucap ARM64_HVO_COMPATIBLE, matched by hvo_compatible() = supports_hw_af():
    /// ID_AA64MMFR1_EL1.HAFDBS != 0 system-wide (arch/arm64/kernel/cpufeature.c @5aaa2bca). The model's machine sets
    /// TCR_EL1.HA exactly when it advertises HAFDBS (__cpu_setup, proc.S @44bf5ed2).</summary>
    public bool SystemSupportsHvo => linux.Arch.Config.HardwareAf;

    /// <summary>ARM64_HAS_BBML2_NOABORT (variant A's PMD fast path): the machine implements FEAT_BBM level 2 and is on
    /// the kernel's no-abort allow-list; the model's BBM level 2 is the no-abort kind (BbmRules.Conflict).</summary>
    public bool SystemSupportsBbml2NoAbort => linux.Arch.Config.BbmLevel >= 2;

    /// <summary>Why HVO is refused on this machine (the gate), or null.</summary>
    public string? GateRefusal => GateRefusalFor(linux.Arch.Config);

    /// <summary>The ARM64_HVO_COMPATIBLE gate on <paramref name="machine"/>: null when every CPU updates AF in hardware.</summary>
    public static string? GateRefusalFor(MachineConfig machine) => machine.HardwareAf ? null :
        "ARM64_HVO_COMPATIBLE is not set: hvo_compatible() needs hardware Access-flag updates (ID_AA64MMFR1_EL1.HAFDBS != 0 on every CPU), " +
        "so arch_hugetlb_vmemmap_optimization_supported() is false and folios stay fully mapped (hvo-2026-arm64.md §2.1)" +
        ((machine.Errata & ArchErrata.LateFlagWriteAc03Cpu38) != 0
            ? "; this part reports HAFDBS = 0 because of AC03_CPU_38 (hidden A/D updates may land after a PTE changed, §5.1), so the kernel never sets TCR_EL1.HA"
            : "");

    /// <summary>Calls made, AF-clear rounds (each with a flush) and failed install CASes, for the counters.</summary>
    public long AfClearRounds { get; private set; }
    public long InstallCasFailures { get; private set; }
    public long EagainReturns { get; private set; }

    /// <summary>__ptep_clear_young(ptep): loop on cmpxchg_relaxed(ptep, v, v &amp; ~PTE_AF) until it succeeds; returns
    /// the value it overwrote (with whatever hardware or software changed since it was read).</summary>
    public async SimTask<ulong> PtepClearYoung(Cpu cpu, ulong ptep)
    {
        ulong v = await cpu.LoadPhys(ptep);
        while (true)
        {
            ulong seen = await cpu.CasPhys(ptep, v, v & ~DescBits.AF, MemOrder.Relaxed);
            if (seen == v) return v;
            v = seen;
        }
    }

    /// <summary>try_update_vmemmap_pte(addr, ptep, new): valid→valid only, contiguous refused; AF clear, flush, then
    /// the whole-descriptor CAS of the AF = 0 value for <paramref name="newPte"/>, at most 16 attempts.</summary>
    public async SimTask<int> TryUpdateVmemmapPte(Cpu cpu, ulong addr, ulong ptep, ulong newPte)
    {
        if (!SystemSupportsHvo) return EOPNOTSUPP;
        if ((newPte & DescBits.Valid) == 0) return Warn(cpu, addr, "try_update_vmemmap_pte: new PTE is not valid");
        ulong expected = await cpu.LoadPhys(ptep);                           // __ptep_get: READ_ONCE
        for (int attempts = 0; ;)
        {
            if ((expected & DescBits.Valid) == 0) return Warn(cpu, addr, "try_update_vmemmap_pte: PTE is not valid");
            if ((expected & DescBits.Cont) != 0) return Warn(cpu, addr, "try_update_vmemmap_pte: contiguous PTE refused");
            if ((expected & DescBits.AF) != 0)                                // pte_young
            {
                ulong old = await PtepClearYoung(cpu, ptep);
                expected = old & ~DescBits.AF;
                AfClearRounds++;
                await linux.Pt.FlushTlbKernelRange(cpu, addr, addr + G.PageSize);
            }
            ulong seen = await cpu.CasPhys(ptep, expected, newPte, MemOrder.Relaxed); // try_cmpxchg_relaxed
            if (seen == expected)
            {
                linux.Monitors.OnPteWritten(cpu, ptep, newPte);
                return 0;
            }
            InstallCasFailures++;
            expected = seen;
            if (++attempts == MaxAttempts) { EagainReturns++; return EAGAIN; }
        }
    }

    /// <summary>try_populate_vmemmap_pmd (variant A, pgalloc.h @5aaa2bca): with BBML2_NOABORT a direct
    /// pmd_populate_kernel (set_pmd: WRITE_ONCE, DSB ISHST, ISB; no TLBI); otherwise the AF loop on the block entry
    /// with flush_tlb_kernel_range(addr, addr + PMD_SIZE), which is a full VMALLE1IS without FEAT_TLBIRANGE.</summary>
    public async SimTask<int> TryPopulateVmemmapPmd(Cpu cpu, ulong addr, ulong pmdp, ulong pgtablePa)
    {
        if (!SystemSupportsHvo) return EOPNOTSUPP;
        if (SystemSupportsBbml2NoAbort)
        {
            await linux.Pt.PmdPopulateKernel(cpu, pmdp, pgtablePa);
            return 0;
        }
        ulong newPmd = pgtablePa | Prot.TABLE | DescBits.PXNTable;
        linux.Arch.Tables.Register(pgtablePa, addr & ~(G.PmdSize - 1), 3);
        ulong expected = await cpu.LoadPhys(pmdp);
        for (int attempts = 0; ;)
        {
            var d = new Descriptor(expected);
            if (!d.Valid) return Warn(cpu, addr, "try_populate_vmemmap_pmd: PMD is not valid");
            if (!d.IsBlock(G, 2)) return Warn(cpu, addr, "try_populate_vmemmap_pmd: PMD is not a leaf");
            if (d.Contiguous) return Warn(cpu, addr, "try_populate_vmemmap_pmd: contiguous PMD refused");
            if (d.AF)
            {
                ulong old = await PtepClearYoung(cpu, pmdp);
                expected = old & ~DescBits.AF;
                AfClearRounds++;
                await linux.Pt.FlushTlbKernelRange(cpu, addr, addr + G.PmdSize);
            }
            ulong seen = await cpu.CasPhys(pmdp, expected, newPmd, MemOrder.Relaxed); // try_cmpxchg_relaxed
            if (seen == expected) return 0;
            InstallCasFailures++;
            expected = seen;
            if (++attempts == MaxAttempts) { EagainReturns++; return EAGAIN; }
        }
    }

    /// <summary>WARN_ON_ONCE(...) followed by return -EINVAL: the selftest fails on any WARNING in dmesg, so the model
    /// reports it.</summary>
    private int Warn(Cpu cpu, ulong addr, string what)
    {
        cpu.Sim.ReportViolation("kernel-warn", [cpu.Id], addr, $"WARNING: {what} (returns -EINVAL)");
        return EINVAL;
    }
}
