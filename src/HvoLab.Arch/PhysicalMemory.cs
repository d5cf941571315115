namespace HvoLab.Arch;

/// <summary>Hands out granule-sized physical frames for page tables. The Linux model replaces the default
/// <see cref="BumpFrameAllocator"/> with its buddy allocator.</summary>
public interface IFrameAllocator
{
    /// <summary>Returns the PFN (in granule pages) of a free frame. Contents are not guaranteed.</summary>
    ulong AllocFrame();
    void FreeFrame(ulong pfn);
}

/// <summary>Allocates frames downwards from the top of simulated RAM (so low RAM stays free for test data) and
/// reuses freed frames first.</summary>
public sealed class BumpFrameAllocator : IFrameAllocator
{
    private readonly Stack<ulong> _free = new();
    private readonly ulong _lowestPfn;
    private ulong _next;

    public BumpFrameAllocator(ulong lowestPfn, ulong endPfn) { _lowestPfn = lowestPfn; _next = endPfn; }

    public ulong AllocFrame()
    {
        if (_free.Count > 0) return _free.Pop();
        if (_next <= _lowestPfn) throw new InvalidOperationException("simulated physical memory exhausted");
        return --_next;
    }

    public void FreeFrame(ulong pfn) => _free.Push(pfn);
}

/// <summary>
/// Sparse simulated physical memory. Storage is a two-level directory indexed by PFN (granule frames):
/// a top array of directory pages, each holding <see cref="DirEntries"/> frame arrays. Only written frames take
/// host memory; untouched frames read as zero or from the optional generator. 1 TiB of 4K frames needs a
/// 64 Ki-entry top array plus whatever was written.
/// </summary>
public sealed class PhysicalMemory
{
    private const int DirShift = 12;
    private const int DirEntries = 1 << DirShift;

    private readonly ulong[]?[]?[] _top;
    private Func<ulong, int, ulong>? _generator;
    private readonly int _wordsPerFrame;

    public PhysicalMemory(ulong bytes, Granule granule, Func<ulong, int, ulong>? generator = null)
    {
        Granule = granule;
        if (bytes == 0 || bytes % granule.PageSize != 0) throw new ArgumentException($"memory size {bytes} must be a positive multiple of the {granule} granule", nameof(bytes));
        if (bytes > 1UL << 48) throw new ArgumentException($"memory size {bytes} exceeds the 48-bit OA space", nameof(bytes));
        SizeBytes = bytes;
        FrameCount = bytes >> granule.PageShift;
        _wordsPerFrame = (int)(granule.PageSize / 8);
        _top = new ulong[]?[]?[(FrameCount + DirEntries - 1) >> DirShift];
        _generator = generator;
        Allocator = new BumpFrameAllocator(0, FrameCount);
    }

    public Granule Granule { get; }
    /// <summary>Content of frames never written: (pfn, word index) → value. Settable so the kernel model can describe
    /// untouched struct pages once it knows where the vmemmap lives; changing it only affects untouched frames.</summary>
    public Func<ulong, int, ulong>? Generator { get => _generator; set => _generator = value; }
    public ulong SizeBytes { get; }
    public ulong FrameCount { get; }
    /// <summary>Frames that currently hold host storage (were written).</summary>
    public long TouchedFrames { get; private set; }
    /// <summary>Frame allocator used for page tables; replaceable (e.g. by the kernel model's buddy allocator).</summary>
    public IFrameAllocator Allocator { get; set; }

    private ulong[]? FrameOrNull(ulong pfn)
    {
        if (pfn >= FrameCount) throw new ArgumentOutOfRangeException(nameof(pfn), $"pfn 0x{pfn:x} is beyond simulated RAM ({FrameCount} frames)");
        return _top[pfn >> DirShift]?[pfn & (DirEntries - 1)];
    }

    private ulong[] FrameForWrite(ulong pfn)
    {
        var f = FrameOrNull(pfn);
        if (f != null) return f;
        var dir = _top[pfn >> DirShift] ??= new ulong[]?[DirEntries];
        f = new ulong[_wordsPerFrame];
        if (_generator != null)
            for (int i = 0; i < f.Length; i++) f[i] = _generator(pfn, i);
        dir[pfn & (DirEntries - 1)] = f;
        TouchedFrames++;
        return f;
    }

    public bool IsTouched(ulong pfn) => FrameOrNull(pfn) != null;

    /// <summary>Reads the aligned 8-byte word containing <paramref name="pa"/>.</summary>
    public ulong ReadWord(ulong pa)
    {
        ulong pfn = pa >> Granule.PageShift;
        int w = (int)((pa & (Granule.PageSize - 1)) >> 3);
        var f = FrameOrNull(pfn);
        if (f != null) return f[w];
        return _generator == null ? 0 : _generator(pfn, w);
    }

    public void WriteWord(ulong pa, ulong value)
    {
        int w = (int)((pa & (Granule.PageSize - 1)) >> 3);
        FrameForWrite(pa >> Granule.PageShift)[w] = value;
    }

    /// <summary>Read of 1, 2, 4 or 8 naturally aligned bytes (little-endian).</summary>
    public ulong Read(ulong pa, int size = 8) => Extract(ReadWord(pa), pa, size);

    public void Write(ulong pa, ulong value, int size = 8)
    {
        if (size == 8) { WriteWord(pa, value); return; }
        WriteWord(pa, Insert(ReadWord(pa), pa, value, size));
    }

    /// <summary>Fills a frame with zeros (drops its storage when there is no generator).</summary>
    public void ZeroFrame(ulong pfn)
    {
        if (_generator == null)
        {
            var dir = _top[pfn >> DirShift];
            if (dir?[pfn & (DirEntries - 1)] != null) { dir[pfn & (DirEntries - 1)] = null; TouchedFrames--; }
            return;
        }
        Array.Clear(FrameForWrite(pfn));
    }

    /// <summary>True if both frames hold the same data (what R_WHZWS item 2b asks when an OA changes).</summary>
    public bool FramesEqual(ulong pfnA, ulong pfnB)
    {
        if (pfnA == pfnB) return true;
        var a = FrameOrNull(pfnA);
        var b = FrameOrNull(pfnB);
        if (a == null && b == null && _generator == null) return true;
        for (int i = 0; i < _wordsPerFrame; i++)
        {
            ulong x = a != null ? a[i] : _generator == null ? 0 : _generator(pfnA, i);
            ulong y = b != null ? b[i] : _generator == null ? 0 : _generator(pfnB, i);
            if (x != y) return false;
        }
        return true;
    }

    /// <summary>True if the <paramref name="bytes"/> at two frame-aligned physical addresses are equal.</summary>
    public bool RangesEqual(ulong paA, ulong paB, ulong bytes)
    {
        ulong frames = Math.Max(1, bytes >> Granule.PageShift);
        ulong pa = paA >> Granule.PageShift, pb = paB >> Granule.PageShift;
        for (ulong i = 0; i < frames; i++)
            if (!FramesEqual(pa + i, pb + i)) return false;
        return true;
    }

    public static ulong Extract(ulong word, ulong pa, int size)
    {
        if (size == 8) return word;
        CheckSize(size);
        int shift = (int)(pa & 7) * 8;
        return (word >> shift) & ((1UL << (size * 8)) - 1);
    }

    public static ulong Insert(ulong word, ulong pa, ulong value, int size)
    {
        if (size == 8) return value;
        CheckSize(size);
        int shift = (int)(pa & 7) * 8;
        ulong mask = ((1UL << (size * 8)) - 1) << shift;
        return (word & ~mask) | ((value << shift) & mask);
    }

    private static void CheckSize(int size)
    {
        if (size is not (1 or 2 or 4)) throw new ArgumentOutOfRangeException(nameof(size), $"access size {size} is not 1, 2, 4 or 8");
    }
}
