using System.Numerics;
using System.Runtime.InteropServices;

namespace HvoLab.Arch;

/// <summary>A set of up to 256 CPUs as four words, stored by value (no allocation).</summary>
public struct CpuMask
{
    public const int MaxCpus = 256;
    private ulong _w0, _w1, _w2, _w3;

    [System.Diagnostics.CodeAnalysis.UnscopedRef]
    private ref ulong Word(int cpu)
    {
        if ((uint)cpu >= MaxCpus) throw new ArgumentOutOfRangeException(nameof(cpu));
        switch (cpu >> 6) { case 0: return ref _w0; case 1: return ref _w1; case 2: return ref _w2; default: return ref _w3; }
    }

    public void Set(int cpu) => Word(cpu) |= 1UL << (cpu & 63);
    public void Clear(int cpu) => Word(cpu) &= ~(1UL << (cpu & 63));
    public bool Has(int cpu) => (Word(cpu) & (1UL << (cpu & 63))) != 0;
    public readonly bool IsEmpty => (_w0 | _w1 | _w2 | _w3) == 0;
    public readonly int Count => BitOperations.PopCount(_w0) + BitOperations.PopCount(_w1) + BitOperations.PopCount(_w2) + BitOperations.PopCount(_w3);

    /// <summary>Smallest member ≥ <paramref name="from"/>, or -1. Iterate with <c>for (c = m.Next(0); c >= 0; c = m.Next(c + 1))</c>.</summary>
    public readonly int Next(int from)
    {
        for (int wi = from >> 6; wi < 4; wi++)
        {
            ulong w = wi switch { 0 => _w0, 1 => _w1, 2 => _w2, _ => _w3 };
            if (wi == from >> 6) w &= ~0UL << (from & 63);
            if (w != 0) return (wi << 6) + BitOperations.TrailingZeroCount(w);
        }
        return -1;
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
