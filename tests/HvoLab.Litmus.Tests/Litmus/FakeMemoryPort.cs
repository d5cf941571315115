using HvoLab.Arch;
using HvoLab.Litmus;

namespace HvoLab.Litmus.Tests;

/// <summary>Sequentially consistent flat memory with a programmable set of faulting addresses;
/// records every call so tests can check what the interpreter asked for.</summary>
internal sealed class FakeMemoryPort : ILitmusMemoryPort
{
    public readonly Dictionary<ulong, ulong> Memory = [];
    /// <summary>Addresses that fault (per thread) and how many times before they stop faulting.</summary>
    public readonly Dictionary<(int Proc, ulong Va), int> FaultsLeft = [];
    public readonly List<string> Log = [];

    private bool Fault(in MemAccess a)
    {
        if (!FaultsLeft.TryGetValue((a.Proc, a.Va), out var n) || n == 0) return false;
        FaultsLeft[(a.Proc, a.Va)] = n - 1;
        Log.Add($"fault P{a.Proc} {a.Va:X}");
        return true;
    }

    private static ulong Mask(int size) => size == 8 ? ulong.MaxValue : 0xFFFF_FFFFUL;

    public MemResult Load(in MemAccess a)
    {
        if (Fault(a)) return MemResult.Faulted(LitmusFaultKind.Translation);
        Log.Add($"load P{a.Proc} {a.Va:X} {a.Order}{(a.Exclusive ? " excl" : "")}");
        return MemResult.Ok(Memory.GetValueOrDefault(a.Va) & Mask(a.Size));
    }

    public MemResult Store(in MemAccess a, ulong value)
    {
        if (Fault(a)) return MemResult.Faulted(LitmusFaultKind.Permission);
        Log.Add($"store P{a.Proc} {a.Va:X}={value} {a.Order}{(a.Exclusive ? " excl" : "")}");
        Memory[a.Va] = value & Mask(a.Size);
        return MemResult.Ok(0);
    }

    public MemResult Rmw(in MemAccess a, LitmusRmwOp op, ulong operand, ulong expected)
    {
        if (Fault(a)) return MemResult.Faulted(LitmusFaultKind.Permission);
        var m = Mask(a.Size);
        var old = Memory.GetValueOrDefault(a.Va) & m;
        ulong? nv = op switch
        {
            LitmusRmwOp.Swap => operand,
            LitmusRmwOp.CompareSwap => old == (expected & m) ? operand : null,
            LitmusRmwOp.Add => old + operand,
            LitmusRmwOp.Set => old | operand,
            LitmusRmwOp.Clr => old & ~operand,
            _ => old ^ operand,
        };
        Log.Add($"rmw P{a.Proc} {op} {a.Va:X} {a.Order}");
        if (nv is { } v) Memory[a.Va] = v & m;
        return MemResult.Ok(old);
    }

    public void Barrier(int proc, BarrierType type, BarrierOption? option) => Log.Add($"{type} P{proc} {option}");
    public void Tlbi(int proc, TlbiOp op, ulong operand) => Log.Add($"tlbi P{proc} {op} {operand:X}");
    public ulong ReadSysReg(int proc, string name) => 0;
    public void WriteSysReg(int proc, string name, ulong value) => Log.Add($"msr P{proc} {name}");
}
