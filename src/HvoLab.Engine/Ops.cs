using System.Runtime.CompilerServices;
using HvoLab.Arch;

namespace HvoLab.Engine;

/// <summary>What a CPU does at one scheduling point.</summary>
public enum OpKind : byte
{
    None, Mem, MemPhys, Tlbi, Barrier, Wfe, Sev, SendSgi, IrqDisable, IrqEnable, DaifMask, DaifRestore, Work, Relax, WaitPhys, Bulk, Choose,
}

/// <summary>The context a CPU runs in (bottom of its stack is Task or Idle).</summary>
public enum ContextKind : byte { Task, Irq, Nmi, Fault, Preempt, Idle }

/// <summary>Parameters of the one operation a CPU context has pending. Held in the CPU, not in the awaiter,
/// because a context has at most one operation in flight.</summary>
public struct PendingOp
{
    /// <summary><see cref="Arg"/> of a physical RMW whose result the caller cannot see (<see cref="Cpu.AtomicAddPhys"/>).</summary>
    public const int BlindRmw = 1;
    public OpKind Kind;
    public MemOp Mem;
    public double Ns;
    public int Arg;
    public ulong Arg2;
    public int Label;
    /// <summary>On a fault, complete the op with <see cref="Cpu.LastFault"/> set instead of taking the exception
    /// (litmus threads and probes that handle faults themselves).</summary>
    public bool ReturnFaults;
    /// <summary>A Work/Bulk op that has begun in a timed run: <see cref="Ns"/> is then the jittered time still to
    /// run (an interrupt taken in the middle leaves the rest here), so jitter is drawn and the step counted once.</summary>
    public bool WorkStarted;
}

/// <summary>
/// The awaitable every CPU operation returns. IsCompleted asks the engine whether this CPU may execute the op
/// without a switch (then the op runs inline); otherwise the continuation is parked in the CPU and the engine
/// executes the op when it schedules this CPU, before resuming the continuation. Allocation-free.
/// </summary>
public readonly struct CpuOp : ICriticalNotifyCompletion
{
    private readonly Cpu _cpu;
    internal CpuOp(Cpu cpu) => _cpu = cpu;
    public CpuOp GetAwaiter() => this;
    public bool IsCompleted => _cpu.Sim.TryRunInline(_cpu);
    public void OnCompleted(Action continuation) => _cpu.Suspend(continuation);
    public void UnsafeOnCompleted(Action continuation) => _cpu.Suspend(continuation);
    /// <summary>The value the op produced: the loaded value, or for an RMW the old value.</summary>
    public ulong GetResult() => _cpu.LastValue;
}

/// <summary>A violation found while running: by the Arch oracle, a kernel monitor, or the engine (deadlock…).</summary>
public sealed record Violation(string Kind, int[] Cpus, ulong Va, long TimeNs, string Explanation, long Step)
{
    public string? TracePath { get; set; }
}

/// <summary>Information given to the kernel's fault handler.</summary>
public readonly record struct FaultInfo(ulong Va, FaultKind Kind, int Level, AccessKind Access, ContextKind Context, long TimeNs);
