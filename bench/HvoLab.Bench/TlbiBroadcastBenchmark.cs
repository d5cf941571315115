using BenchmarkDotNet.Attributes;
using HvoLab.Arch;

namespace HvoLab.Bench;

/// <summary>TLBI VAAE1IS + DSB ISH from CPU 0 with every CPU holding some translations: the cost should follow the
/// entries actually cached, not the CPU count.</summary>
[MemoryDiagnoser]
public class TlbiBroadcastBenchmark
{
    private ArchMachine _m = null!;
    private int _i;

    [Params(4, 16, 64, 256)] public int Cpus;

    [GlobalSetup]
    public void Setup()
    {
        _m = ArchFixture.Make(Cpus);
        for (int c = 0; c < Cpus; c++)
            for (int p = 0; p < 8; p++) _m.Access(c, MemOp.Load(ArchFixture.Va + (ulong)((c + p) & 511) * 4096));
    }

    [Benchmark]
    public int InvalidateOnePage()
    {
        _m.Tlbi(0, TlbiOp.VAAE1IS, ArchFixture.Va + (ulong)(_i++ & 511) * 4096);
        _m.Barrier(0, BarrierKind.DsbIsh);
        return _m.PendingTlbiCount(0);
    }
}
