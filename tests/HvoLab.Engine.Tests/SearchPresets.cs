using HvoLab.Engine.Schedulers;

namespace HvoLab.Engine.Tests;

/// <summary>The two searches the differential tests compare: the plain one (every interleaving, no reduction) and
/// DPOR with sleep sets; both go on past a violation so every outcome is observed.</summary>
internal static class SearchPresets
{
    public static readonly ExplorationOptions Plain = new() { Dpor = false, SleepSets = false, StopAtFirstViolation = false };
    public static readonly ExplorationOptions Dpor = new() { Dpor = true, StopAtFirstViolation = false };
}
