using System.Runtime.CompilerServices;

namespace HvoLab.Engine;

/// <summary>What the code that issued an atomic add sees of the word's old value. The less it sees, the more orders
/// of adds to one word the search may treat as equivalent (<c>Footprint.Independent</c>).</summary>
public enum RmwResult : byte
{
    /// <summary>The old value (atomic_fetch_add, atomic_add_return).</summary>
    Value,
    /// <summary>Nothing (atomic_inc, atomic_dec, atomic_add): <see cref="Cpu.AtomicAddPhys"/>.</summary>
    None,
    /// <summary>Only whether the new value is zero (atomic_dec_and_test, atomic_sub_and_test): <see cref="Cpu.DecAndTestPhys"/>.</summary>
    IsZero,
}

/// <summary>An op awaited for its effect only (atomic_inc and friends): like <see cref="CpuOp"/> but without a
/// result, so the caller cannot depend on the old value. That is what lets the search treat two such adds on one
/// word as commuting (<c>Footprint.Blind</c>).</summary>
public readonly struct BlindOp(CpuOp op) : ICriticalNotifyCompletion
{
    public BlindOp GetAwaiter() => this;
    public bool IsCompleted => op.IsCompleted;
    public void OnCompleted(Action continuation) => op.OnCompleted(continuation);
    public void UnsafeOnCompleted(Action continuation) => op.UnsafeOnCompleted(continuation);
    public void GetResult() { }
}

/// <summary>atomic_sub_and_test: an add whose caller sees only whether the new value is zero, so two of them on one
/// word that both leave it non-zero commute (<c>Footprint.ZeroTest</c>).</summary>
public readonly struct ZeroTestOp(CpuOp op, ulong delta) : ICriticalNotifyCompletion
{
    public ZeroTestOp GetAwaiter() => this;
    public bool IsCompleted => op.IsCompleted;
    public void OnCompleted(Action continuation) => op.OnCompleted(continuation);
    public void UnsafeOnCompleted(Action continuation) => op.UnsafeOnCompleted(continuation);
    /// <summary>True when the add made the word zero.</summary>
    public bool GetResult() => op.GetResult() + delta == 0;
}
