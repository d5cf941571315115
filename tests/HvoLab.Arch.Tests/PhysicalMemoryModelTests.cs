using CsCheck;
using HvoLab.Arch;
using Xunit;

namespace HvoLab.Arch.Tests;

/// <summary>
/// PhysicalMemory keeps frames as periodic records with exceptions, shares them copy-on-write (CopyFrame,
/// ShareIfSameAsPrevious) and turns them into word arrays when they outgrow that. None of it may change what any
/// address reads: random sequences of every mutating call are checked against a plain dictionary of words.
/// </summary>
public class PhysicalMemoryModelTests
{
    private const int Frames = 6;
    private const int Words = 512;   // 4K granule

    /// <summary>The generator a booted kernel installs: untouched struct pages read as free pages.</summary>
    private static ulong Gen6(ulong pfn, int w) => pfn >= 3 && (w & 7) == 6 ? 0xffff_ffffUL : 0;

    private sealed class Reference(bool generator)
    {
        private readonly Dictionary<(ulong, int), ulong> _w = new();
        public ulong Read(ulong pfn, int w) => _w.TryGetValue((pfn, w), out var v) ? v : generator ? Gen6(pfn, w) : 0;
        public void Write(ulong pfn, int w, ulong v) => _w[(pfn, w)] = v;
        public void Fill(ulong pfn, int field, ulong v) { for (int w = field; w < Words; w += 8) Write(pfn, w, v); }
        public void Copy(ulong dst, ulong src) { var words = Enumerable.Range(0, Words).Select(w => Read(src, w)).ToArray(); for (int w = 0; w < Words; w++) Write(dst, w, words[w]); }
        public void Zero(ulong pfn) { for (int w = 0; w < Words; w++) Write(pfn, w, 0); }
    }

    [Fact]
    public void EveryOperationReadsBackAsAPlainArrayWould()
    {
        var op = Gen.Select(Gen.Int[0, 5], Gen.Int[0, Frames - 1], Gen.Int[0, Frames - 1], Gen.Int[0, Words - 1], Gen.ULong[0, 3]);
        Gen.Select(Gen.Bool, op.Array[1, 120]).Sample(t =>
        {
            var (generator, ops) = t;
            var mem = new PhysicalMemory(Frames * 4096UL, Granule.K4, generator ? Gen6 : null) { GeneratorIsPeriodic = generator };
            var reference = new Reference(generator);
            foreach (var (kind, a, b, word, value) in ops)
            {
                ulong pfnA = (ulong)a, pfnB = (ulong)b;
                switch (kind)
                {
                    case 0: mem.WriteWord(pfnA * 4096 + (ulong)word * 8, value); reference.Write(pfnA, word, value); break;
                    case 1: mem.FillRecords(pfnA, word & 7, value); reference.Fill(pfnA, word & 7, value); break;
                    case 2: mem.CopyFrame(pfnA, pfnB); reference.Copy(pfnA, pfnB); break;
                    case 3: mem.ShareIfSameAsPrevious(pfnA); break;
                    case 4: mem.ZeroFrame(pfnA); reference.Zero(pfnA); break;
                    default:   // a burst of distinct words: more than the exceptions a periodic frame holds
                        for (int i = 0; i < 20; i++) { mem.WriteWord(pfnA * 4096 + (ulong)((word + 8 * i + 1) % Words) * 8, value + (ulong)i + 7); reference.Write(pfnA, (word + 8 * i + 1) % Words, value + (ulong)i + 7); }
                        break;
                }
            }
            for (ulong pfn = 0; pfn < Frames; pfn++)
                for (int w = 0; w < Words; w++)
                    if (mem.ReadWord(pfn * 4096 + (ulong)w * 8) != reference.Read(pfn, w)) return false;
            for (ulong x = 0; x < Frames; x++)
                for (ulong y = 0; y < Frames; y++)
                {
                    bool same = Enumerable.Range(0, Words).All(w => reference.Read(x, w) == reference.Read(y, w));
                    if (mem.FramesEqual(x, y) != same) return false;
                }
            return true;
        }, iter: 300);
    }

    [Fact]
    public void IdenticalStructPageFramesShareStorageUntilOneIsWritten()
    {
        var mem = new PhysicalMemory(64 * 4096UL, Granule.K4);
        for (ulong pfn = 8; pfn < 16; pfn++)
        {
            mem.FillRecords(pfn, 1, 0xffff_0000_dead_0001UL);   // compound_head of a tail
            mem.FillRecords(pfn, 6, 0xffff_ffffUL);             // _mapcount -1, _refcount 0
            mem.ShareIfSameAsPrevious(pfn);
        }
        Assert.Equal(8, mem.TouchedFrames);
        Assert.Equal(0, mem.FullFrames);
        Assert.True(mem.FramesEqual(8, 15));
        mem.WriteWord(12 * 4096 + 6 * 8, 0x1_ffff_ffffUL);     // one refcount taken: copy-on-write
        Assert.Equal(0x1_ffff_ffffUL, mem.ReadWord(12 * 4096 + 6 * 8));
        Assert.Equal(0xffff_ffffUL, mem.ReadWord(11 * 4096 + 6 * 8));
        Assert.Equal(0xffff_ffffUL, mem.ReadWord(13 * 4096 + 6 * 8));
        Assert.False(mem.FramesEqual(12, 13));
        Assert.True(mem.FramesEqual(11, 13));
    }
}
