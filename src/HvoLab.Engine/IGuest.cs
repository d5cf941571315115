namespace HvoLab.Engine;

/// <summary>
/// The software the simulated machine runs, as the engine sees it: where an interrupt or a fault enters it, and what it
/// tells the search about its memory. The kernel (<c>HvoLab.Kernel.Linux</c>) is the guest of every scenario; the
/// litmus runner and tests supply their own. Installed once per <see cref="Simulator"/> (<see cref="Simulator.AttachGuest"/>).
/// </summary>
public interface IGuest
{
    /// <summary>The SGI handler (the kernel's do_handle_IPI), run in the IRQ or NMI context the engine pushed.</summary>
    SimTask HandleSgi(Cpu cpu, int sgi);

    /// <summary>The fault handler for a faulting access (do_translation_fault and friends): true to retry the access,
    /// false for an oops.</summary>
    SimTask<bool> HandleFault(Cpu cpu, FaultInfo fault);

    /// <summary>Cost of the fault-handling body beyond exception entry/exit, charged when a fault is taken.</summary>
    double FaultHandlingNs => 0;

    /// <summary>Physical words no VA the model accesses can map (kernel globals reached through the linear map): lets
    /// the search treat writes to them as independent of struct page accesses.</summary>
    bool IsPrivateKernelData(ulong pa) => false;
    /// <summary>Arm data model: kernel globals (among <see cref="IsPrivateKernelData"/>) whose relaxed loads may read an
    /// older value (load→load reordering, <see cref="DataLoadViews"/>): the words the guest's code reads with plain
    /// loads where the ordering matters. Others are read at their newest value.</summary>
    bool MayReadOlderValue(ulong pa) => false;

    /// <summary>VAs whose accesses may use a translation other than the one the TLBs and tables show now (the litmus
    /// binding's walks made before the access): the search must not assume their physical word.</summary>
    bool TranslationMayVary(ulong va) => false;
}
