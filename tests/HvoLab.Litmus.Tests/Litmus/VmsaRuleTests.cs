using HvoLab.Litmus;
using Xunit;

namespace HvoLab.Litmus.Tests;

/// <summary>
/// Single herd-vmsa tests that each depend on one rule of the binding (docs/litmus.md, "Binding"), in pairs where an
/// Allowed test needs the rule to produce an outcome and a Forbidden one needs its bound. Each must agree with Arm's
/// verdict; removing or loosening the rule makes one side fail. Fast (a few thousand executions at most).
/// </summary>
public sealed class VmsaRuleTests
{
    public static TheoryData<string, string> Cases => new()
    {
        // A walk may be made early, before a DSB (no FEAT_ETS2) ...
        { "D15347-load-DSB.litmus", "walk before the DSB: fault after publishing the valid entry" },
        { "coRR-pte8-dsb.litmus", "a later load's walk made before the earlier load's" },
        { "F2S+DSB-ETS.litmus", "a store's walk made before the earlier load's" },
        // ... but not before an ISB that follows what it must see.
        { "D15347-load-DSB-ISB2.litmus", "ISB after the DSB bounds the walk" },
        { "coRR-pte8-dsb-isb.litmus", "ISB after the DSB bounds the walk" },
        { "I2V-R-DSB.LD-ISB-W+W.litmus", "DSB LD orders the descriptor read before the ISB" },
        { "I2V-R-DSB.ST-ISB-R+W.litmus", "DSB ST does not order a read before the ISB" },
        { "NT-10-dsb+dmbld-isb.litmus", "DMB LD orders nothing before an ISB" },
        { "newlob/MP+dmb.st+addrisb-Imp_TTD_R.litmus", "address dependency then ISB bounds the walk" },
        // Old translations after a change without break-before-make, and after a TLBI.
        { "coRR-pte4.litmus", "old translation after the new one (no TLBI)" },
        { "coRR-pte13.litmus", "old translation after the new one (copied descriptor)" },
        { "coRR-pte6.litmus", "own TLBI + DSB without ISB does not bound own walks" },
        { "coRR-pte9.litmus", "another CPU's completed TLBI bounds the walk" },
        { "coRR-pte10.litmus", "no old value to return without a fault" },
        // Visibility of descriptor stores (other-multi-copy atomicity, DMB and release ordering).
        { "V2I-W+R-CTRL-ISB-TLBI-DSB.ISH-ISB-R.litmus", "an explicit read sees another CPU's descriptor store only once walkers do" },
        { "MPExp-DMBST-Exp+Exp-DSB-ISB-NExp.litmus", "DMB ST publishes the descriptor store before the later store" },
        { "S+dmb.st+dsb.st-tlbi-dsb-isb.litmus", "DMB ST publishes the descriptor store before the later store" },
        // Hardware flag updates belong to the access's own translation.
        { "LBNExpNExp+ExpNExp+BIS.litmus", "one dirty update per store, made with the access" },
        { "STRx+2SWPptex+db+TLBI.litmus", "one dirty update per store, made with the access" },
        { "STRx+STCLRptex+db.litmus", "no dirty update on a descriptor made invalid meanwhile" },
        // A hardware update may become visible after its access, until the next full DSB (rule 4b) ...
        { "NT-12-dmb+dsb.litmus", "AF update still invisible after a DMB and the later store" },
        { "NT-12-dsb.litmus", "a full DSB makes the AF update visible before the later store" },
        { "NT-11-dmb.litmus", "another CPU's atomic observes the pending AF update" },
        // ... a dirty update may be made ahead of earlier accesses, acquires and DSBs, not of an ISB or a pick address ...
        { "newlob/LB+dmb.sy+acq-HU.litmus", "dirty update ahead of an acquire" },
        { "newlob/LB+dmb.sy+dsb.sy-isb-HU.litmus", "no update ahead of an ISB" },
        { "newlob/LB+dmb.sy+pickaddr-po-HUdb.litmus", "no update ahead of an access whose address is not known" },
        // ... and a walker may set AF spuriously, without an access (rule 4c).
        { "NOP+AF.litmus", "spurious AF update of the initial descriptor" },
        { "TwoPhantoms.litmus", "one spurious AF update per AF = 0 write" },
        // A fault is ordered only by barriers, acquires and context synchronisation (rule 3b).
        { "F1a.litmus", "release store faults with a walk older than an observed remote TLBI" },
        { "F1b.litmus", "an acquire orders the fault after the observed remote TLBI" },
        { "order-to-faults/S+shoot+rel_mmufault_db.litmus", "release does not order the fault" },
        { "order-to-faults/S+shoot+acq_mmufault_db.litmus", "an acquire orders the fault" },
        { "order-to-faults/S+shoot+dmb.ld_mmufault_db.litmus", "DMB LD orders the fault" },
        // A stale read-only entry may be evicted before a store.
        { "F2+DSB-ETS.litmus", "store through a fresh walk while a stale read-only entry was cached" },
        // Spin loops wait instead of iterating.
        { "newlob/S+dsb.sy-tlbi-dsb.sy+ctrl.litmus", "spin loop completes within the budget" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void AgreesWithArm(string file, string rule)
    {
        if (!LitmusCorpus.Available) return;
        var r = LitmusRunner.RunFile(LitmusCorpus.Vmsa(file));
        Assert.True(r.Status == LitmusStatus.Ok, $"{file} ({rule}): {r.Status} {r.Reason}");
        Assert.True(r.Comparison!.Agreement == Agreement.Agree,
            $"{file} ({rule}): expected {r.Expected!.Verdict}, HvoLab observation {r.Exploration!.Observation}");
    }
}
