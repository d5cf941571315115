namespace HvoLab.Engine;

/// <summary>Deterministic, seedable PRNG (SplitMix64, Steele/Lea/Flood 2014). All randomness in a run flows from the
/// scenario seed through instances of this type, so a seed gives byte-identical results on every platform.</summary>
public struct SplitMix64
{
    private ulong _state;
    public SplitMix64(ulong seed) => _state = seed;

    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n) => n <= 1 ? 0 : (int)(Next() % (ulong)n);
    /// <summary>Uniform double in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));
}
