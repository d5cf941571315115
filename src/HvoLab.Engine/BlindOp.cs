using System.Runtime.CompilerServices;

namespace HvoLab.Engine;

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
