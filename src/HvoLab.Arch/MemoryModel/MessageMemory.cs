namespace HvoLab.Arch.MemoryModel;

/// <summary>
/// The global memory of the view-based Arm model (Promising-ARM, Pulte et al., PLDI 2019, §3): a list of write
/// messages (location, value, writing thread) whose position is the write's timestamp, so the list order restricted
/// to one location is the coherence order and one list for all threads is multi-copy atomicity (Arm ARM B2.3,
/// "other-multi-copy atomic"; AArch64 is in fact multi-copy atomic for normal memory since Armv8.2). Timestamp 0 is
/// the initial write of every location. Locations are small integers chosen by the caller (<see cref="LocationTable"/>).
/// </summary>
public sealed class MessageMemory
{
    private int[] _loc;
    private ulong[] _value;
    private int[] _tid;
    private readonly Func<int, ulong> _initial;

    public MessageMemory(Func<int, ulong> initial, int capacity = 16)
    {
        _initial = initial;
        _loc = new int[capacity + 1];
        _value = new ulong[capacity + 1];
        _tid = new int[capacity + 1];
    }

    /// <summary>Timestamp of the newest message (0 when only initial values exist).</summary>
    public int Count { get; private set; }

    public int LocationOf(int ts) => _loc[ts];
    public int ThreadOf(int ts) => _tid[ts];

    /// <summary>Value of message <paramref name="ts"/>; timestamp 0 reads the initial value of <paramref name="loc"/>.</summary>
    public ulong ValueOf(int ts, int loc) => ts == 0 ? _initial(loc) : _value[ts];

    /// <summary>Appends a message and returns its timestamp (a promise or a write that is fulfilled at once).</summary>
    public int Append(int loc, ulong value, int tid)
    {
        if (Count + 1 == _loc.Length)
        {
            Array.Resize(ref _loc, _loc.Length * 2);
            Array.Resize(ref _value, _value.Length * 2);
            Array.Resize(ref _tid, _tid.Length * 2);
        }
        Count++;
        _loc[Count] = loc;
        _value[Count] = value;
        _tid[Count] = tid;
        return Count;
    }

    /// <summary>No message to <paramref name="loc"/> in the half-open interval (from, to] ("latest").</summary>
    public bool NoWriteBetween(int loc, int from, int to)
    {
        for (var t = from + 1; t <= to && t <= Count; t++)
            if (_loc[t] == loc) return false;
        return true;
    }

    /// <summary>No message to <paramref name="loc"/> by a thread other than <paramref name="tid"/> in (from, to]:
    /// the atomicity condition of a store-exclusive or an atomic read-modify-write.</summary>
    public bool NoOtherWriteBetween(int loc, int tid, int from, int to)
    {
        for (var t = from + 1; t <= to && t <= Count; t++)
            if (_loc[t] == loc && _tid[t] != tid) return false;
        return true;
    }

    /// <summary>Newest message to <paramref name="loc"/> (coherence-final value), or 0 for the initial write.</summary>
    public int Latest(int loc)
    {
        for (var t = Count; t > 0; t--)
            if (_loc[t] == loc) return t;
        return 0;
    }

    public MessageMemory Clone()
    {
        var c = new MessageMemory(_initial, _loc.Length - 1) { Count = Count };
        Array.Copy(_loc, c._loc, Count + 1);
        Array.Copy(_value, c._value, Count + 1);
        Array.Copy(_tid, c._tid, Count + 1);
        return c;
    }

    /// <summary>Adds the messages to a state hash (for state-space deduplication).</summary>
    public void AddTo(ref HashCode h)
    {
        h.Add(Count);
        for (var t = 1; t <= Count; t++) { h.Add(_loc[t]); h.Add(_value[t]); h.Add(_tid[t]); }
    }

    public bool SameAs(MessageMemory o)
    {
        if (Count != o.Count) return false;
        for (var t = 1; t <= Count; t++)
            if (_loc[t] != o._loc[t] || _value[t] != o._value[t] || _tid[t] != o._tid[t]) return false;
        return true;
    }
}

/// <summary>Dense numbering of the addresses a program touches, shared by every state of one search (so indices
/// are stable across branches). Assigning a new index allocates; lookups of known addresses do not.</summary>
public sealed class LocationTable
{
    private readonly Dictionary<ulong, int> _index = [];
    private readonly List<ulong> _address = [];
    private readonly List<int> _size = [];

    public int Count => _address.Count;
    public ulong AddressOf(int loc) => _address[loc];

    /// <summary>The location of an access of <paramref name="size"/> bytes at <paramref name="address"/> (callers that
    /// do not know the size pass none: a whole word). Accesses of different sizes at one address share a location;
    /// the bytes a location covers are the largest access made at its address.</summary>
    public int IndexOf(ulong address, int size = 8)
    {
        if (_index.TryGetValue(address, out var i))
        {
            if (size > _size[i]) { RefuseOverlap(address, size, i); _size[i] = size; }
            return i;
        }
        RefuseOverlap(address, size, -1);
        i = _address.Count;
        _index[address] = i;
        _address.Add(address);
        _size.Add(size);
        return i;
    }

    // Locations are words at distinct, disjoint addresses (two 32-bit words x and x+4 are two locations); overlapping
    // ones would be a mixed-size program, which the model does not cover (docs/arch.md), so it is refused rather than
    // given a wrong meaning.
    private void RefuseOverlap(ulong address, int size, int self)
    {
        for (var k = 0; k < _address.Count; k++)
            if (k != self && _address[k] < address + (ulong)size && address < _address[k] + (ulong)_size[k])
                throw new InvalidOperationException($"mixed-size access: 0x{address:X} ({size} bytes) overlaps location 0x{_address[k]:X} ({_size[k]} bytes) (not modelled)");
    }
}
