using HvoLab.Engine;
using HvoLab.Experiments.Scenarios;

namespace HvoLab.Experiments.Checking;

/// <summary>One barrier site on a strategy's path and what leaving it out does.</summary>
/// <param name="Site">"routine: barrier", e.g. "flush_tlb_kernel_range: dsb(ishst)".</param>
/// <param name="Verdict">"needed" (a violation without it), "redundant" (safe, search complete), "not shown needed"
/// (safe within the budget, search incomplete), or "refused".</param>
public sealed record BarrierFinding(string Site, string Verdict, CheckResult Check);

/// <summary>The result of <c>hvolab barriers</c>: the baseline check and one check per barrier site without it.</summary>
/// <param name="MemoryModel">The model every check of the audit ran under and where it came from.</param>
public sealed record BarrierAuditResult(string Strategy, CheckResult Baseline, IReadOnlyList<BarrierFinding> Findings, MemoryModelChoice MemoryModel);

/// <summary>
/// hvolab barriers: finds the named barrier sites (<see cref="Cpu.Barrier"/>) the strategy's executions pass through
/// during the baseline check, then re-runs the check once per site with that barrier left out
/// (<see cref="SimOptions.OmitBarrierSite"/>: issued as a DMB LD, which orders nothing the model tracks). A violation
/// means the barrier is needed (its trace replays with the barrier left out); a complete safe search means it is
/// redundant under the model's semantics. Under the memory model "sc" data accesses are sequentially consistent,
/// so a barrier that only orders data accesses (smp_wmb) can be shown needed only under "arm" (docs/arch.md).
/// </summary>
public static class BarrierAudit
{
    public static BarrierAuditResult Run(Scenario scenario, string strategy, CheckOptions options)
    {
        var sites = new SortedSet<string>(StringComparer.Ordinal);
        Simulator? last = null;
        void Harvest() { if (last is not null) sites.UnionWith(last.BarrierSites); }
        var baseline = CheckRunner.Check(scenario, strategy, options with
        {
            OmitBarrierSite = null,
            OnBuild = s => { Harvest(); last = s; },
        });
        Harvest();
        var findings = new List<BarrierFinding>();
        foreach (var site in sites)
        {
            var traces = options.TraceDirectory is { } dir ? Path.Combine(dir, DirectoryName(site)) : null;
            var r = CheckRunner.Check(scenario, strategy, options with { OmitBarrierSite = site, OnBuild = null, TraceDirectory = traces });
            var verdict = r.Verdict switch
            {
                Verdict.Unsafe => "needed",
                Verdict.Refused => "refused",
                Verdict.Proved => "redundant",
                _ => "not shown needed",
            };
            findings.Add(new BarrierFinding(site, verdict, r));
        }
        return new BarrierAuditResult(strategy, baseline, findings, baseline.MemoryModel!);
    }

    /// <summary>"flush_tlb_kernel_range: dsb(ishst)" → "flush_tlb_kernel_range-dsb-ishst".</summary>
    public static string DirectoryName(string site) =>
        string.Join('-', site.Split([' ', ':', '(', ')'], StringSplitOptions.RemoveEmptyEntries));
}
