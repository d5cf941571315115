using HvoLab.Arch;

namespace HvoLab.Litmus;

/// <summary>Why a memory port refused an access (herd's MMU:Translation / MMU:AccessFlag / MMU:Permission; TlbConflict
/// is HvoLab's TLB conflict abort, which herd does not have).</summary>
/// <summary>The exception an instruction took: an MMU fault of its access, or (UDF) an Undefined Instruction exception
/// (herd's fault type <c>UndefinedInstruction</c>, which has no location).</summary>
public enum LitmusFaultKind { Translation, AccessFlag, Permission, TlbConflict, UndefinedInstruction }

/// <summary>Result of one access: the value read (old value for RMWs, status for STXR) or a fault.</summary>
public readonly record struct MemResult(ulong Value, LitmusFaultKind? Fault)
{
    public static MemResult Ok(ulong value = 0) => new(value, null);
    public static MemResult Faulted(LitmusFaultKind kind) => new(0, kind);
    public bool IsFault => Fault is not null;
}

/// <summary>One explicit data access issued by thread <paramref name="Proc"/>; <paramref name="Size"/> is 4 or 8.</summary>
public readonly record struct MemAccess(int Proc, ulong Va, int Size, AccessOrder Order, bool Exclusive = false);

/// <summary>Everything an instruction can do outside its own registers. The interpreter calls exactly one
/// method per memory/barrier/TLBI instruction, so a scheduler can interleave at instruction granularity;
/// the implementation (e.g. HvoLab's Arch machine) owns memory, TLBs, translation and faults.</summary>
public interface ILitmusMemoryPort
{
    MemResult Load(in MemAccess access);

    /// <summary>For a store-exclusive the returned <see cref="MemResult.Value"/> is the status (0 = success).</summary>
    MemResult Store(in MemAccess access, ulong value);

    /// <summary>Single-copy-atomic read-modify-write; returns the old value. For <see cref="LitmusRmwOp.CompareSwap"/>
    /// the write of <paramref name="operand"/> happens only if the old value equals <paramref name="expected"/>
    /// (compared at access size).</summary>
    MemResult Rmw(in MemAccess access, LitmusRmwOp op, ulong operand, ulong expected);

    /// <summary>DMB/DSB with their option, or ISB (option null).</summary>
    void Barrier(int proc, BarrierType type, BarrierOption? option);

    /// <summary>TLBI; <paramref name="operand"/> is the Xt value (VA[55:12] in bits [43:0]) or 0 for the *ALL forms.</summary>
    void Tlbi(int proc, TlbiOp op, ulong operand);

    /// <summary>System registers other than ELR_EL1 (which is thread state kept by the interpreter).</summary>
    ulong ReadSysReg(int proc, string name);
    void WriteSysReg(int proc, string name, ulong value);
}

/// <summary>How the symbolic names of a test become numbers. The machine binding decides the layout
/// (which VA each location has, where its descriptor lives, how descriptor literals are encoded).</summary>
public interface ILitmusAddressMap
{
    /// <summary>Virtual address of location <paramref name="symbol"/>.</summary>
    ulong VirtualAddress(string symbol);

    /// <summary>Virtual address of the last-level descriptor that maps <paramref name="symbol"/>.</summary>
    ulong PteAddress(string symbol);

    /// <summary>Physical address of the page initially backing <paramref name="symbol"/>.</summary>
    ulong PhysicalAddress(string symbol);

    /// <summary>Encodes a descriptor literal. <paramref name="mapsSymbol"/> is the location whose PTE is being
    /// written/compared, used as the default output address when the literal has no <c>oa</c>.</summary>
    ulong EncodeDescriptor(DescriptorValue descriptor, string? mapsSymbol);

    /// <summary>Reverse lookup for fault records: the location (data or descriptor) a VA belongs to.</summary>
    LitLocation? Describe(ulong va);
}

/// <summary>Code addresses for ADR/ELR_EL1/ERET and <c>label:"P1:L0"</c> values. Code is not placed in
/// simulated memory (no test fetches or writes it), so one fixed encoding serves every binding.</summary>
public static class LitmusCodeAddress
{
    private const ulong Tag = 0xC0DEUL << 48;

    public static ulong Encode(int proc, bool handler, int index) =>
        Tag | ((ulong)proc << 32) | (handler ? 1UL << 31 : 0) | ((ulong)index << 2);

    public static bool TryDecode(ulong address, out int proc, out bool handler, out int index)
    {
        proc = (int)((address >> 32) & 0xFFFF);
        handler = (address & (1UL << 31)) != 0;
        index = (int)((address & 0x7FFF_FFFF) >> 2);
        return (address & (0xFFFFUL << 48)) == Tag && (address & 3) == 0;
    }

    /// <summary>Address of a label: in the thread's own code, else (for handlers) in its main thread.</summary>
    public static ulong OfLabel(LitmusTest test, int proc, string label, bool preferHandler = false)
    {
        var order = preferHandler ? new[] { test.Handler(proc), test.Thread(proc) } : [test.Thread(proc), test.Handler(proc)];
        foreach (var t in order)
            if (t is not null && t.Labels.TryGetValue(label, out var idx)) return Encode(proc, t.IsHandler, idx);
        throw new KeyNotFoundException($"{test.Name}: no label P{proc}:{label}");
    }
}

/// <summary>A fault recorded in a thread's state: herd's <c>fault(Pn:Label,loc)</c>.</summary>
public sealed record LitmusFault(int Proc, int Index, string? Label, ulong Va, LitLocation? Target, LitmusFaultKind Kind);

/// <summary>Raised when a well-formed program does something the interpreter cannot give meaning to
/// (e.g. ERET outside a handler); distinct from parse errors and from architectural faults.</summary>
public sealed class LitmusExecutionException(string message) : Exception(message);
