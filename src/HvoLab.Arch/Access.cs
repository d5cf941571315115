namespace HvoLab.Arch;

/// <summary>What an access needs from the translation: loads need read, stores and every atomic need write
/// (an LSE CAS needs write permission even when its compare fails: ARM ARM, CAS "Operation"; kernel-hvo.md §4.3).</summary>
public enum AccessKind : byte { Read, Write, Rmw }

/// <summary>The read-modify-write operations the kernel model and the litmus tests use.</summary>
public enum RmwOp : byte { None, Swap, Cas, Add, Or, AndNot, Eor }

/// <summary>Architectural outcome of one access. TlbConflict is the TLB conflict abort (FSC 0b110000).</summary>
public enum FaultKind : byte { None, Translation, Permission, AccessFlag, TlbConflict, AddressSize }

/// <summary>One memory operation by VA. Size is 1, 2, 4 or 8 bytes, naturally aligned.</summary>
public readonly record struct MemOp(AccessKind Kind, ulong Va, int Size, ulong Value = 0, ulong Expected = 0, RmwOp Rmw = RmwOp.None)
{
    public static MemOp Load(ulong va, int size = 8) => new(AccessKind.Read, va, size);
    public static MemOp Store(ulong va, ulong value, int size = 8) => new(AccessKind.Write, va, size, value);
    public static MemOp Cas(ulong va, ulong expected, ulong desired, int size = 8) => new(AccessKind.Rmw, va, size, desired, expected, RmwOp.Cas);
    public static MemOp Add(ulong va, ulong delta, int size = 8) => new(AccessKind.Rmw, va, size, delta, 0, RmwOp.Add);

    /// <summary>The value bits of an access of <paramref name="size"/> bytes (1, 2, 4 or 8).</summary>
    public static ulong ValueMask(int size) => size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;
}

/// <summary>Result of an access: on success the physical address used and the value read (for RMW, the old value).
/// On a fault, the kind and the level of the walk where it was found.</summary>
public readonly record struct AccessResult(FaultKind Fault, int Level, ulong Pa, ulong Value)
{
    public bool Ok => Fault == FaultKind.None;
    public static AccessResult Success(ulong pa, ulong value) => new(FaultKind.None, -1, pa, value);
    public static AccessResult Faulted(FaultKind kind, int level) => new(kind, level, 0, 0);
}
