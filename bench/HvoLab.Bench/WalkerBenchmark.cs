using BenchmarkDotNet.Attributes;
using HvoLab.Arch;

namespace HvoLab.Bench;

/// <summary>A full four-level table walk (what a TLB miss costs before the fill).</summary>
[MemoryDiagnoser]
public class WalkerBenchmark
{
    private ArchMachine _m = null!;
    private int _i;

    [GlobalSetup] public void Setup() => _m = ArchFixture.Make(1);

    [Benchmark] public ulong Walk() => _m.Translate(ArchFixture.Va + (ulong)(_i++ & 511) * 4096).Pa;
}
