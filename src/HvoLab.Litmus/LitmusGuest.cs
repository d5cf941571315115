using HvoLab.Engine;

namespace HvoLab.Litmus;

/// <summary>
/// What a litmus test's threads are to the engine: they take no interrupts and handle their own faults (every access
/// is issued with returnFaults), so only the search hint is real — which VAs the binding's earlier walks may translate
/// differently from what the tables show now.
/// </summary>
/// <remarks>Under the engine's Arm data model (<see cref="EngineArmAccess"/>) the test's data words are kernel globals to
/// the engine: buffered stores, relaxed loads that may read an older value.</remarks>
internal sealed class LitmusGuest(WalkHistory history, IReadOnlySet<ulong>? armDataWords = null) : IGuest
{
    public SimTask HandleSgi(Cpu cpu, int sgi) =>
        throw new InvalidOperationException($"litmus threads take no interrupts (CPU{cpu.Id}, SGI {sgi})");

    public SimTask<bool> HandleFault(Cpu cpu, FaultInfo fault) =>
        throw new InvalidOperationException($"litmus threads handle their own faults (CPU{cpu.Id}, VA 0x{fault.Va:x})");

    public bool TranslationMayVary(ulong va) => history.MayReachSeveralPages(va);

    public bool IsPrivateKernelData(ulong pa) => armDataWords?.Contains(pa) ?? false;

    public bool MayReadOlderValue(ulong pa) => armDataWords?.Contains(pa) ?? false;
}
