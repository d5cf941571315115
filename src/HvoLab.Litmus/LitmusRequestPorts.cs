using HvoLab.Arch;

namespace HvoLab.Litmus;

/// <summary>The one machine-visible request an instruction makes (captured by <see cref="RecordingPort"/>).</summary>
internal enum RequestKind { None, Load, Store, Rmw, Barrier, Tlbi }

internal struct PortRequest
{
    public RequestKind Kind;
    public MemAccess Access;
    public ulong Value, Expected;
    public LitmusRmwOp Rmw;
    public BarrierType BarrierType;
    public BarrierOption? Option;
    public TlbiOp TlbiOp;
    public ulong TlbiOperand;
}

/// <summary>Phase 1 of an instruction: run it on a scratch copy of the thread and record what it asks of memory.</summary>
internal sealed class RecordingPort : ILitmusMemoryPort
{
    public PortRequest Request;
    public MemResult Load(in MemAccess a) { Request = new() { Kind = RequestKind.Load, Access = a }; return MemResult.Ok(); }
    public MemResult Store(in MemAccess a, ulong value) { Request = new() { Kind = RequestKind.Store, Access = a, Value = value }; return MemResult.Ok(); }
    public MemResult Rmw(in MemAccess a, LitmusRmwOp op, ulong operand, ulong expected)
    { Request = new() { Kind = RequestKind.Rmw, Access = a, Rmw = op, Value = operand, Expected = expected }; return MemResult.Ok(); }
    public void Barrier(int proc, BarrierType type, BarrierOption? option) => Request = new() { Kind = RequestKind.Barrier, BarrierType = type, Option = option };
    public void Tlbi(int proc, TlbiOp op, ulong operand) => Request = new() { Kind = RequestKind.Tlbi, TlbiOp = op, TlbiOperand = operand };
    public ulong ReadSysReg(int proc, string name) => throw new LitmusExecutionException($"system register {name} is not modelled");
    public void WriteSysReg(int proc, string name, ulong value) => throw new LitmusExecutionException($"system register {name} is not modelled");
}

/// <summary>Phase 2: complete the instruction on the real thread state with the result the engine produced.</summary>
internal sealed class ReplayPort(MemResult result) : ILitmusMemoryPort
{
    public MemResult Load(in MemAccess a) => result;
    public MemResult Store(in MemAccess a, ulong value) => result;
    public MemResult Rmw(in MemAccess a, LitmusRmwOp op, ulong operand, ulong expected) => result;
    public void Barrier(int proc, BarrierType type, BarrierOption? option) { }
    public void Tlbi(int proc, TlbiOp op, ulong operand) { }
    public ulong ReadSysReg(int proc, string name) => throw new LitmusExecutionException($"system register {name} is not modelled");
    public void WriteSysReg(int proc, string name, ulong value) => throw new LitmusExecutionException($"system register {name} is not modelled");
}
