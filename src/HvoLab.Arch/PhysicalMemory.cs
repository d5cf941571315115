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
/// Sparse simulated physical memory. Storage is a two-level directory indexed by PFN (granule frames): a top array
/// of directory pages, each holding 2^<see cref="_dirShift"/> frame slots. Only written frames take host memory;
/// untouched frames read as zero or from the optional generator. A written frame is held as a
/// <see cref="PeriodicFrame"/> (one 64-byte record repeated, a few words different: struct pages) while its content
/// allows, else as a plain word array; periodic frames may be shared by several PFNs (copy-on-write), so
/// copy_page and runs of identical vmemmap pages cost no host memory. 1 TiB of 4K frames needs a 64 Ki-entry top
/// array plus whatever was written.
/// </summary>
public sealed class PhysicalMemory
{
    /// <summary>log2 of the frame slots per directory page: about the square root of the frame count, between 64 and
    /// 4096 slots. A search builds a new machine for every execution, so with 1 GiB (2^18 frames) fixed 4096-slot
    /// directories were 32 KiB each for the few frames written in them — most of what an execution allocated; 1 TiB
    /// (2^28 frames) keeps 4096 slots and a 64 Ki-entry top.</summary>
    private readonly int _dirShift;
    private readonly ulong _dirMask;

    private readonly object?[]?[] _top;        // frame slot: null (untouched), ulong[] or PeriodicFrame
    private Func<ulong, int, ulong>? _generator;
    private readonly int _wordsPerFrame;
    private PeriodicFrame? _lastDedup;

    public PhysicalMemory(ulong bytes, Granule granule, Func<ulong, int, ulong>? generator = null)
    {
        Granule = granule;
        if (bytes == 0 || bytes % granule.PageSize != 0) throw new ArgumentException($"memory size {bytes} must be a positive multiple of the {granule} granule", nameof(bytes));
        if (bytes > 1UL << 48) throw new ArgumentException($"memory size {bytes} exceeds the 48-bit OA space", nameof(bytes));
        SizeBytes = bytes;
        FrameCount = bytes >> granule.PageShift;
        _wordsPerFrame = (int)(granule.PageSize / 8);
        int frameBits = 64 - System.Numerics.BitOperations.LeadingZeroCount(FrameCount - 1);
        _dirShift = Math.Clamp((frameBits + 1) / 2, 6, 12);
        _dirMask = (1UL << _dirShift) - 1;
        _top = new object?[]?[(FrameCount + _dirMask) >> _dirShift];
        _generator = generator;
        Allocator = new BumpFrameAllocator(0, FrameCount);
    }

    public Granule Granule { get; }
    /// <summary>Content of frames never written: (pfn, word index) → value. Settable so the kernel model can describe
    /// untouched struct pages once it knows where the vmemmap lives; changing it only affects untouched frames.</summary>
    public Func<ulong, int, ulong>? Generator { get => _generator; set => _generator = value; }
    /// <summary>The generator's value depends only on the PFN and the word's place in its 64-byte record (every
    /// untouched struct page of a frame alike), so a frame's first record describes it (no 512 calls per frame).</summary>
    public bool GeneratorIsPeriodic { get; set; }
    public ulong SizeBytes { get; }
    public ulong FrameCount { get; }
    /// <summary>Frames that currently hold host storage (were written), shared storage counted per frame.</summary>
    public long TouchedFrames { get; private set; }
    /// <summary>Frames held as full word arrays (the rest of <see cref="TouchedFrames"/> are periodic).</summary>
    public long FullFrames { get; private set; }
    /// <summary>Frame allocator used for page tables; replaceable (e.g. by the kernel model's buddy allocator).</summary>
    public IFrameAllocator Allocator { get; set; }

    private object? FrameOrNull(ulong pfn)
    {
        if (pfn >= FrameCount) throw new ArgumentOutOfRangeException(nameof(pfn), $"pfn 0x{pfn:x} is beyond simulated RAM ({FrameCount} frames)");
        return _top[pfn >> _dirShift]?[pfn & _dirMask];
    }

    /// <summary>The storage slot of a frame, created (from the generator) if the frame was untouched.</summary>
    private ref object? SlotForWrite(ulong pfn)
    {
        if (pfn >= FrameCount) throw new ArgumentOutOfRangeException(nameof(pfn), $"pfn 0x{pfn:x} is beyond simulated RAM ({FrameCount} frames)");
        var dir = _top[pfn >> _dirShift] ??= new object?[1 << _dirShift];
        ref object? slot = ref dir[pfn & _dirMask];
        if (slot is null) { slot = NewFrame(pfn); TouchedFrames++; }
        return ref slot;
    }

    /// <summary>The generator's content of an untouched frame, periodic when it is.</summary>
    private object NewFrame(ulong pfn)
    {
        if (_generator is null) return new PeriodicFrame();
        var p = new PeriodicFrame();
        for (int w = 0; w < PeriodicFrame.Period; w++) p.Pattern[w] = _generator(pfn, w);
        if (GeneratorIsPeriodic) return p;
        for (int w = PeriodicFrame.Period; w < _wordsPerFrame; w++)
            if (_generator(pfn, w) != p.Pattern[w & (PeriodicFrame.Period - 1)]) return Full(Generated(pfn));
        return p;
    }

    private ulong[] Generated(ulong pfn)
    {
        var f = new ulong[_wordsPerFrame];
        for (int i = 0; i < f.Length; i++) f[i] = _generator!(pfn, i);
        return f;
    }

    private ulong[] Full(ulong[] words) { FullFrames++; return words; }

    /// <summary>A periodic frame this PFN alone owns (copied first if shared).</summary>
    private static PeriodicFrame Own(ref object? slot)
    {
        var p = (PeriodicFrame)slot!;
        if (!p.Shared) return p;
        p = p.Clone();
        slot = p;
        return p;
    }

    public bool IsTouched(ulong pfn) => FrameOrNull(pfn) != null;

    /// <summary>Reads the aligned 8-byte word containing <paramref name="pa"/>.</summary>
    public ulong ReadWord(ulong pa)
    {
        ulong pfn = pa >> Granule.PageShift;
        int w = (int)((pa & (Granule.PageSize - 1)) >> 3);
        var f = FrameOrNull(pfn);
        if (f is ulong[] a) return a[w];
        if (f is PeriodicFrame p) return p.Read(w);
        return _generator == null ? 0 : _generator(pfn, w);
    }

    public void WriteWord(ulong pa, ulong value)
    {
        int w = (int)((pa & (Granule.PageSize - 1)) >> 3);
        ref object? slot = ref SlotForWrite(pa >> Granule.PageShift);
        if (slot is ulong[] a) { a[w] = value; return; }
        var p = (PeriodicFrame)slot!;
        if (p.Read(w) == value) return;
        p = Own(ref slot);
        if (p.TryWrite(w, value)) return;
        var full = Full(p.Materialize(_wordsPerFrame));
        full[w] = value;
        slot = full;
    }

    /// <summary>Sets word <paramref name="wordInRecord"/> of every 64-byte record of frame <paramref name="pfn"/> (the
    /// same field of every struct page in a vmemmap page) to <paramref name="value"/>: what a loop of stores does.</summary>
    public void FillRecords(ulong pfn, int wordInRecord, ulong value)
    {
        if ((uint)wordInRecord >= PeriodicFrame.Period) throw new ArgumentOutOfRangeException(nameof(wordInRecord));
        ref object? slot = ref SlotForWrite(pfn);
        if (slot is ulong[] a)
        {
            for (int w = wordInRecord; w < a.Length; w += PeriodicFrame.Period) a[w] = value;
            return;
        }
        Own(ref slot).FillAllRecords(wordInRecord, value);
    }

    /// <summary>Storage hint after a frame was filled: if its content equals the last frame passed here, both share
    /// one copy-on-write frame (the tail vmemmap pages of a folio are identical). Never changes what any PFN reads.</summary>
    public void ShareIfSameAsPrevious(ulong pfn)
    {
        var dir = _top[pfn >> _dirShift];
        if (dir?[pfn & _dirMask] is not PeriodicFrame p) { _lastDedup = null; return; }
        if (_lastDedup is not null && !ReferenceEquals(p, _lastDedup) && _lastDedup.SameContent(p))
        {
            _lastDedup.Shared = true;
            dir[pfn & _dirMask] = _lastDedup;
            return;
        }
        _lastDedup = p;
    }

    /// <summary>copy_page: <paramref name="dstPfn"/> gets <paramref name="srcPfn"/>'s content (shared copy-on-write when
    /// periodic).</summary>
    public void CopyFrame(ulong dstPfn, ulong srcPfn)
    {
        if (dstPfn == srcPfn) return;
        ref object? src = ref SlotForWrite(srcPfn);
        ref object? dst = ref SlotForWrite(dstPfn);
        if (dst is ulong[]) FullFrames--;
        if (src is PeriodicFrame p) { p.Shared = true; dst = p; }
        else dst = Full((ulong[])((ulong[])src!).Clone());
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
            var dir = _top[pfn >> _dirShift];
            var old = dir?[pfn & _dirMask];
            if (old != null)
            {
                if (old is ulong[]) FullFrames--;
                dir![pfn & _dirMask] = null;
                TouchedFrames--;
            }
            return;
        }
        ref object? slot = ref SlotForWrite(pfn);
        if (slot is ulong[]) FullFrames--;
        slot = new PeriodicFrame();
    }

    /// <summary>True if both frames hold the same data (what R_WHZWS item 2b asks when an OA changes).</summary>
    public bool FramesEqual(ulong pfnA, ulong pfnB)
    {
        if (pfnA == pfnB) return true;
        var a = FrameOrNull(pfnA);
        var b = FrameOrNull(pfnB);
        if (a == null && b == null && _generator == null) return true;
        if (a is PeriodicFrame pa && b is PeriodicFrame pb && pa.SameContent(pb)) return true;
        ulong baseA = pfnA << Granule.PageShift, baseB = pfnB << Granule.PageShift;
        for (int i = 0; i < _wordsPerFrame; i++)
            if (ReadWord(baseA + (ulong)(8 * i)) != ReadWord(baseB + (ulong)(8 * i))) return false;
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
