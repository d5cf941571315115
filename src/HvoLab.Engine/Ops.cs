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
/// because a context has at most one operation in flight. Each op kind has its own named fields (nothing is reused
/// with another meaning); the comment on each says which kinds set it.</summary>
public struct PendingOp
{
    public OpKind Kind;
    /// <summary><see cref="OpKind.Mem"/> (by VA) and <see cref="OpKind.MemPhys"/> (by PA): the access.</summary>
    public MemOp Mem;
    /// <summary><see cref="OpKind.Tlbi"/>: the operation, its address and (range operations) its page count.</summary>
    public TlbiOp Tlbi;
    public ulong TlbiVa, TlbiPages;
    /// <summary><see cref="OpKind.Barrier"/>.</summary>
    public BarrierKind Barrier;
    /// <summary><see cref="OpKind.Barrier"/> left out by <see cref="SimOptions.OmitBarrierSite"/> (issued as a DMB LD): it
    /// does not make frame stores visible (FrameStores.cs), as the barrier it stands for would.</summary>
    public bool BarrierOmitted;
    /// <summary><see cref="OpKind.SendSgi"/>: the SGI, its targets, whether the GICv3 broadcast (IRM) is used, and
    /// the closed form of its handler if the sender gave one.</summary>
    public int Sgi;
    public bool Broadcast;
    public CpuMask SgiTargets;
    public IClosedFormHandler? SgiClosedForm;
    /// <summary><see cref="OpKind.WaitPhys"/>: the word waited on, the value, and whether the wait ends when the word
    /// differs from the value (rather than equals it).</summary>
    public ulong WaitPa, WaitValue;
    public bool WaitNotEqual;
    /// <summary><see cref="OpKind.Work"/> and <see cref="OpKind.Bulk"/>: the cost (once started in a timed run, what is
    /// left of it) and the label its time is charged to.</summary>
    public double Ns;
    public int Label;
    /// <summary><see cref="OpKind.Bulk"/>: the VA range of the memory it works on ([0, ulong.MaxValue) = anything).</summary>
    public ulong BulkVaLo, BulkVaHi;
    /// <summary><see cref="OpKind.Bulk"/> that stores a whole frame (<see cref="Cpu.StoreFrame"/>): the frame written
    /// (<see cref="FrameWords"/> > 0), the VA of the frame copied (copy_page) or ulong.MaxValue for a fill with
    /// <see cref="FrameFirst"/>, <see cref="FrameFirst"/> + <see cref="FrameStride"/>, ...</summary>
    public ulong FrameDst, FrameSrcVa, FrameFirst, FrameStride;
    public int FrameWords;
    public bool FrameSrcIsPa;
    /// <summary>On a fault, complete the op with <see cref="Cpu.LastFault"/> set instead of taking the exception
    /// (litmus threads and probes that handle faults themselves).</summary>
    public bool ReturnFaults;
    /// <summary><see cref="OpKind.MemPhys"/> add: what its caller sees of the old value (the search lets adds whose
    /// callers see less commute).</summary>
    public RmwResult Result;
    /// <summary><see cref="OpKind.MemPhys"/>: the acknowledgement of a rendezvous (<see cref="Cpu.BeginRendezvousAck"/>):
    /// the caller that makes the counter zero writes <see cref="NextState"/> to <see cref="StatePa"/> in the same search step.</summary>
    public bool RendezvousAck;
    public ulong StatePa, CurrentState, NextState;
    /// <summary>A Work/Bulk op that has begun in a timed run: <see cref="Ns"/> is then the jittered time still to
    /// run (an interrupt taken in the middle leaves the rest here), so jitter is drawn and the step counted once.</summary>
    public bool WorkStarted;
    /// <summary><see cref="OpKind.Mem"/>, <see cref="OpKind.MemPhys"/>, <see cref="OpKind.WaitPhys"/>: the access's
    /// ordering (READ_ONCE/WRITE_ONCE and relaxed atomics, acquire, release, fully ordered); meaningful under the Arm
    /// data model only (<see cref="DataStoreBuffers"/>).</summary>
    public MemOrder Order;

    /// <summary>Arm data model: the view (<see cref="DataLoadViews"/> timestamp) of the loads this load's address
    /// depends on (Promising-ARM's <c>vaddr</c>): it may read no value older than the newest write to its word at that
    /// view; for a store or RMW, the view of the loads its address or data depends on, which a later read of it by the
    /// same CPU carries. 0 (none) for the kernel, whose globals are at fixed addresses. Search footprints ignore it: a view is a
    /// message's timestamp, whose order against another word's message two independent stores decide, so DPOR is not
    /// sound with address views; their one user, the litmus binding, runs the exhaustive explorer with sleep sets,
    /// which can only lose executions (docs/arch.md: the same observations as without them on both catalogues).</summary>
    public int AddressView;

    /// <summary>The condition of a WaitPhys op on the word's value <paramref name="v"/>.</summary>
    public readonly bool WaitSatisfiedBy(ulong v) => WaitNotEqual ? v != WaitValue : v == WaitValue;
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
    /// <summary>The kind as a value (<see cref="Kind"/> is its printed word).</summary>
    public ViolationKind Type => ViolationKinds.Parse(Kind);

    public string? TracePath { get; set; }
}

/// <summary>Information given to the kernel's fault handler.</summary>
public readonly record struct FaultInfo(ulong Va, FaultKind Kind, int Level, AccessKind Access, ContextKind Context, long TimeNs);
