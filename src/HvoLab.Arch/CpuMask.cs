using System.Runtime.InteropServices;
using System.Numerics;

namespace HvoLab.Arch;

/// <summary>A cpumask for up to 256 CPUs (struct cpumask in include/linux/cpumask.h), held by value.</summary>
public struct CpuMask : IEquatable<CpuMask>
{
    public const int MaxCpus = 256;
    [System.Runtime.CompilerServices.InlineArray(4)]
    private struct Words { private ulong _e0; }

    private Words _w;

    public static CpuMask FirstN(int n) { var m = new CpuMask(); for (int i = 0; i < n; i++) m.Set(i); return m; }
    public static CpuMask Of(int cpu) { var m = new CpuMask(); m.Set(cpu); return m; }

    private static int WordIndex(int cpu) => (uint)cpu < MaxCpus ? cpu >> 6
        : throw new ArgumentOutOfRangeException(nameof(cpu), cpu, "cpu must be 0..255");

    public void Set(int cpu) => _w[WordIndex(cpu)] |= 1UL << (cpu & 63);
    public void Clear(int cpu) => _w[WordIndex(cpu)] &= ~(1UL << (cpu & 63));
    public readonly bool Has(int cpu) => Test(cpu);
    public readonly int Count => Weight;
    public readonly bool Test(int cpu) => (_w[WordIndex(cpu)] & (1UL << (cpu & 63))) != 0;
    public readonly int Weight => BitOperations.PopCount(_w[0]) + BitOperations.PopCount(_w[1]) + BitOperations.PopCount(_w[2]) + BitOperations.PopCount(_w[3]);
    public readonly bool IsEmpty => (_w[0] | _w[1] | _w[2] | _w[3]) == 0;
    public readonly bool Intersects(in CpuMask o) => ((_w[0] & o._w[0]) | (_w[1] & o._w[1]) | (_w[2] & o._w[2]) | (_w[3] & o._w[3])) != 0;

    /// <summary>Next set CPU at or after <paramref name="from"/>, or -1.</summary>
    public readonly int Next(int from)
    {
        for (int w = from >> 6; w < 4; w++)
        {
            ulong bits = _w[w];
            if (w == from >> 6) bits &= ~0UL << (from & 63);
            if (bits != 0) return (w << 6) + BitOperations.TrailingZeroCount(bits);
        }
        return -1;
    }

    public static CpuMask operator |(CpuMask a, CpuMask b)
    {
        for (int i = 0; i < 4; i++) a._w[i] |= b._w[i];
        return a;
    }

    /// <summary>The CPUs of <paramref name="a"/> not in <paramref name="b"/>.</summary>
    public static CpuMask AndNot(CpuMask a, CpuMask b)
    {
        for (int i = 0; i < 4; i++) a._w[i] &= ~b._w[i];
        return a;
    }

    public readonly bool Equals(CpuMask o) => _w[0] == o._w[0] && _w[1] == o._w[1] && _w[2] == o._w[2] && _w[3] == o._w[3];
    public override readonly bool Equals(object? obj) => obj is CpuMask m && Equals(m);
    public override readonly int GetHashCode() => HashCode.Combine(_w[0], _w[1], _w[2], _w[3]);
    public static bool operator ==(CpuMask a, CpuMask b) => a.Equals(b);
    public static bool operator !=(CpuMask a, CpuMask b) => !a.Equals(b);
    public override readonly string ToString()
    {
        var parts = new List<int>();
        for (int c = Next(0); c >= 0; c = c + 1 < MaxCpus ? Next(c + 1) : -1) parts.Add(c);
        return "{" + string.Join(",", parts) + "}";
    }
}


/// <summary>Reverse index: descriptor PA → CPUs whose TLB holds an entry (leaf or walk-cache) made from it, so the
/// oracle's per-write check is one dictionary lookup instead of a scan of every TLB.</summary>
public sealed class TlbHolders
{
    private readonly Dictionary<ulong, CpuMask> _byDesc = new();

    public void Add(ulong descPa, int cpu) => CollectionsMarshal.GetValueRefOrAddDefault(_byDesc, descPa, out _).Set(cpu);

    public void Remove(ulong descPa, int cpu)
    {
        ref var m = ref CollectionsMarshal.GetValueRefOrNullRef(_byDesc, descPa);
        if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref m)) return;
        m.Clear(cpu);
        if (m.IsEmpty) _byDesc.Remove(descPa);
    }

    public CpuMask Holders(ulong descPa) => _byDesc.TryGetValue(descPa, out var m) ? m : default;

    public void Clear() => _byDesc.Clear();
}
