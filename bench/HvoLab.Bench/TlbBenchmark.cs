using BenchmarkDotNet.Attributes;
using HvoLab.Arch;

namespace HvoLab.Bench;

/// <summary>ArchMachine.Access by VA: a TLB hit (lookup only) and a miss that walks and fills.</summary>
[MemoryDiagnoser]
public class TlbBenchmark
{
    private ArchMachine _m = null!;
    private int _i;

    [GlobalSetup] public void Setup() { _m = ArchFixture.Make(4); for (int i = 0; i < ArchFixture.Pages; i++) _m.Access(0, MemOp.Load(ArchFixture.Va + (ulong)i * 4096)); }

    [Benchmark] public ulong Hit() => _m.Access(0, MemOp.Load(ArchFixture.Va + (ulong)(_i++ & 511) * 4096)).Value;

    [Benchmark]
    public ulong MissAndFill()
    {
        ulong va = ArchFixture.Va + (ulong)(_i++ & 511) * 4096;
        _m.Tlbi(1, TlbiOp.VAAE1, va);
        _m.Barrier(1, BarrierKind.DsbSy);
        return _m.Access(1, MemOp.Load(va)).Value;
    }
}
