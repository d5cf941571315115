using System.Runtime.CompilerServices;

namespace HvoLab.Arch;

/// <summary>
/// A frame whose content is one 64-byte record repeated (<see cref="Pattern"/>) with at most
/// <see cref="MaxExceptions"/> words that differ. That is what a vmemmap page is: 64 struct pages, all tails of one
/// folio and identical, except the head and the first tail in the head's page — so 1 TiB of hugetlb memory needs
/// a few hundred bytes per 4 KiB vmemmap frame instead of 4 KiB (issue "Speed and scale"). Frames that hold
/// anything else (page tables, test data) outgrow the exception list and become plain word arrays.
/// A frame marked <see cref="Shared"/> is referenced by more than one PFN (copy_page, identical neighbours) and is
/// copied before it is written.
/// </summary>
internal sealed class PeriodicFrame
{
    public const int Period = 8;               // words per record: sizeof(struct page) / 8
    public const int MaxExceptions = 16;

    [InlineArray(Period)]
    internal struct Record { private ulong _w0; }

    public Record Pattern;
    private ushort[]? _exIndex;                 // word indices, unordered (at most 16: a scan beats a search)
    private ulong[]? _exValue;
    public int ExceptionCount { get; private set; }
    public bool Shared;

    public PeriodicFrame() { }

    public PeriodicFrame(in Record pattern) => Pattern = pattern;

    public ulong Read(int word)
    {
        if (ExceptionCount != 0)
        {
            int i = Find(word);
            if (i >= 0) return _exValue![i];
        }
        return Pattern[word & (Period - 1)];
    }

    /// <summary>Writes one word; false when it would need more exceptions than allowed (caller materializes).</summary>
    public bool TryWrite(int word, ulong value)
    {
        int i = Find(word);
        ulong patterned = Pattern[word & (Period - 1)];
        if (i >= 0)
        {
            if (value == patterned) RemoveAt(i); else _exValue![i] = value;
            return true;
        }
        if (value == patterned) return true;
        if (ExceptionCount == MaxExceptions) return false;
        Add(word, value);
        return true;
    }

    /// <summary>Sets word <paramref name="wordInRecord"/> of every record to <paramref name="value"/>.</summary>
    public void FillAllRecords(int wordInRecord, ulong value)
    {
        Pattern[wordInRecord] = value;
        for (int i = ExceptionCount - 1; i >= 0; i--)
            if ((_exIndex![i] & (Period - 1)) == wordInRecord) RemoveAt(i);
    }

    public PeriodicFrame Clone()
    {
        var c = new PeriodicFrame(in Pattern);
        if (ExceptionCount > 0)
        {
            c._exIndex = (ushort[])_exIndex!.Clone();
            c._exValue = (ulong[])_exValue!.Clone();
            c.ExceptionCount = ExceptionCount;
        }
        return c;
    }

    public ulong[] Materialize(int words)
    {
        var a = new ulong[words];
        for (int w = 0; w < words; w++) a[w] = Pattern[w & (Period - 1)];
        for (int i = 0; i < ExceptionCount; i++) a[_exIndex![i]] = _exValue![i];
        return a;
    }

    /// <summary>Same content as <paramref name="o"/> (same pattern and the same exceptions, in any order).</summary>
    public bool SameContent(PeriodicFrame o)
    {
        if (ReferenceEquals(this, o)) return true;
        if (ExceptionCount != o.ExceptionCount) return false;
        for (int w = 0; w < Period; w++) if (Pattern[w] != o.Pattern[w]) return false;
        for (int i = 0; i < ExceptionCount; i++)
        {
            int j = o.Find(_exIndex![i]);
            if (j < 0 || o._exValue![j] != _exValue![i]) return false;
        }
        return true;
    }

    private int Find(int word)
    {
        for (int i = 0; i < ExceptionCount; i++) if (_exIndex![i] == word) return i;
        return -1;
    }

    private void Add(int word, ulong value)
    {
        if (_exIndex is null) { _exIndex = new ushort[4]; _exValue = new ulong[4]; }
        else if (ExceptionCount == _exIndex.Length)
        {
            Array.Resize(ref _exIndex, Math.Min(MaxExceptions, _exIndex.Length * 2));
            Array.Resize(ref _exValue, _exIndex.Length);
        }
        _exIndex[ExceptionCount] = (ushort)word;
        _exValue![ExceptionCount] = value;
        ExceptionCount++;
    }

    private void RemoveAt(int i)
    {
        ExceptionCount--;
        _exIndex![i] = _exIndex[ExceptionCount];
        _exValue![i] = _exValue[ExceptionCount];
    }
}
