namespace HvoLab.Engine.Schedulers;

/// <summary>
/// What a write leaves in its word, for the race walk of a wait (<see cref="RaceDetector"/>, docs/engine.md item 14).
/// A WaitPhys is a spin loop folded into one step, enabled only while its condition holds on the word. When the race
/// walk meets a write to that word from another CPU at a node where the wait was not enabled, the paper's fallback
/// tried every enabled action there. But the race only needs reversing if the wait could run before the write: in
/// the reordering that puts it first — the prefix before the write, then everything after it that does not happen
/// after it — the word holds the value before the write plus the blind adds of other CPUs that commute with it.
/// When the condition fails on that value, no execution puts the wait first and the race is not reversible.
/// Sequentially consistent data only: under the Arm data model a wait may read a buffered value.
/// </summary>
public readonly partial record struct Footprint
{
    /// <summary>Whether this wait's condition holds on <paramref name="value"/>.</summary>
    internal bool WaitWouldRun(ulong value) => WaitHolds(value);

    /// <summary>Whether <paramref name="x"/> may change the word <paramref name="wait"/> waits on (conservative).</summary>
    internal static bool MayWriteWaitedWord(in Footprint x, in Footprint wait) => x.Kind switch
    {
        FootprintKind.PhysWrite => x.TouchesPhys(wait.Addr),
        FootprintKind.VaWrite => wait.Aliased && MayAlias(x, wait),
        FootprintKind.Bulk => wait.Aliased,
        FootprintKind.Preempt => true,
        _ => false,
    };
}
