namespace HvoLab.Engine;

/// <summary>Every kind of violation the model reports. Each has a printed word (kebab-case, <see cref="ViolationKinds.Word"/>)
/// that outputs, traces and pins use; <see cref="Violation.Kind"/> holds the word, <see cref="Violation.Type"/> the value.</summary>
public enum ViolationKind
{
    /// <summary>A word this enum does not know (a monitor written for one test, or a trace from another version).</summary>
    Other,
    /// <summary>Arch oracle: a live descriptor changed in a way that needs break-before-make ("bbm:bbm").</summary>
    Bbm,
    /// <summary>Arch oracle: a new valid entry written while a stale one may still be cached ("bbm:make-while-stale").</summary>
    BbmMakeWhileStale,
    /// <summary>Arch oracle: two TLB entries for one address with different output ("bbm:tlb-conflict").</summary>
    BbmTlbConflict,
    /// <summary>Arch oracle: attribute change needing BBM ("bbm:pgattr").</summary>
    BbmPgattr,
    /// <summary>Arch oracle: a range TLBI without FEAT_TLBIRANGE or out of range ("bbm:tlbi-range").</summary>
    BbmTlbiRange,
    /// <summary>A spinlock taken in NMI context.</summary>
    LockInNmi,
    /// <summary>A store or atomic to a read-only vmemmap page.</summary>
    WriteToRoVmemmap,
    /// <summary>An unhandled kernel translation/permission fault (the oops path of __do_kernel_fault).</summary>
    KernelFault,
    /// <summary>A freed page still reachable through some CPU's TLB.</summary>
    FreedPageInTlb,
    /// <summary>A struct page read through the vmemmap describes another page.</summary>
    WrongStructPage,
    /// <summary>HVO of a folio whose refcount is not frozen.</summary>
    RefcountNotFrozen,
    /// <summary>page_table_check's rule broken.</summary>
    PageTableCheck,
    /// <summary>BUG_ON() in the modelled kernel.</summary>
    BugOn,
    /// <summary>WARN_ON() in the modelled kernel.</summary>
    WarnOn,
    /// <summary>A lockdep assertion.</summary>
    Lockdep,
    /// <summary>The fault handler gave up.</summary>
    Oops,
    /// <summary>A fault with no handler.</summary>
    UnhandledFault,
    /// <summary>No CPU can make progress.</summary>
    Deadlock,
    /// <summary>The step budget ran out while CPUs kept spinning.</summary>
    Livelock,
    /// <summary>The model itself threw (a bug in HvoLab or in a strategy file).</summary>
    ModelError,
}

/// <summary>Words of <see cref="ViolationKind"/>.</summary>
public static class ViolationKinds
{
    private static readonly Dictionary<string, ViolationKind> ByWord = Enum.GetValues<ViolationKind>()
        .Where(k => k != ViolationKind.Other).ToDictionary(Word);

    /// <summary>The printed word: "lock-in-nmi", "bbm:tlb-conflict", ...</summary>
    public static string Word(this ViolationKind k) => k switch
    {
        ViolationKind.Bbm => "bbm:bbm",
        ViolationKind.BbmMakeWhileStale => "bbm:make-while-stale",
        ViolationKind.BbmTlbConflict => "bbm:tlb-conflict",
        ViolationKind.BbmPgattr => "bbm:pgattr",
        ViolationKind.BbmTlbiRange => "bbm:tlbi-range",
        ViolationKind.WriteToRoVmemmap => "write-to-ro-vmemmap",
        _ => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(k.ToString()),
    };

    /// <summary>The kind of a printed word; <see cref="ViolationKind.Other"/> when unknown.</summary>
    public static ViolationKind Parse(string word) => ByWord.GetValueOrDefault(word, ViolationKind.Other);
}
