namespace HvoLab.Litmus;

/// <summary>General-purpose register operand. Number 31 is the zero register (WZR/XZR): the litmus
/// files never use SP, so there is no ambiguity.</summary>
public readonly record struct Reg(int Number, bool Is64)
{
    public const int Zero = 31;
    public bool IsZero => Number == Zero;
    public int Size => Is64 ? 8 : 4;
    public override string ToString() => IsZero ? (Is64 ? "XZR" : "WZR") : (Is64 ? "X" : "W") + Number;
}

public enum Opcode
{
    Nop, Mov, Sxtw, Add, Sub, And, Orr, Eor, Bic, Lsl, Lsr, Cmp, Csel, Cset, Adr,
    B, BCond, Cbz, Cbnz,
    Ldr, Str, Ldar, Ldapr, Stlr, Ldxr, Stxr,
    Swp, Cas, LdOp, StOp,
    Dmb, Dsb, Isb, Tlbi, Msr, Mrs, Eret, Svc,
    /// <summary>UDF #imm: permanently undefined; executing it takes an Undefined Instruction exception.</summary>
    Udf,
    /// <summary>DC/IC cache maintenance by VA (<c>DC CVAU,Xn</c>, <c>IC IVAU,Xn</c>): parsed so that instruction-fetch
    /// tests are classified, not run (<see cref="SupportClassifier"/>).</summary>
    CacheMaintenance,
}

/// <summary>Read-modify-write operation of the LD&lt;op&gt;/ST&lt;op&gt; atomics (and SWP/CAS).</summary>
public enum LitmusRmwOp { Swap, CompareSwap, Add, Set, Clr, Eor }

/// <summary>Memory ordering of an access, from the mnemonic's A/L suffixes or LDAR/LDAPR/STLR.</summary>
[Flags]
public enum AccessOrder { Plain = 0, Acquire = 1, Release = 2, AcquirePc = 4, AcquireRelease = Acquire | Release }

public enum BarrierType { Dmb, Dsb, Isb }

/// <summary>DMB/DSB option: domain (SY, ISH, OSH, NSH) and access types (all, LD, ST).</summary>
public sealed record BarrierOption(string Domain, string Types)
{
    public static readonly BarrierOption FullSystem = new("SY", "");
    public override string ToString() => Domain == "SY" ? (Types.Length == 0 ? "SY" : Types) : Domain + Types;
}

/// <summary>Operand of an instruction; the parser checks arity and kinds per opcode.</summary>
public abstract record Operand;
public sealed record RegOperand(Reg Reg) : Operand { public override string ToString() => Reg.ToString(); }
public sealed record ImmOperand(long Value) : Operand { public override string ToString() => "#" + Value; }
public sealed record LabelOperand(string Label) : Operand { public override string ToString() => Label; }
/// <summary><c>[Xn]</c>, <c>[Xn,#imm]</c>, <c>[Xn,Xm]</c> or <c>[Xn,Wm,SXTW]</c>.</summary>
public sealed record MemOperand(Reg Base, Reg? Index, string? Extend, long Offset) : Operand
{
    public override string ToString() =>
        "[" + Base + (Index is { } i ? "," + i + (Extend is null ? "" : "," + Extend) : "") + (Offset != 0 ? ",#" + Offset : "") + "]";
}
/// <summary>Symbolic operand word: condition code (EQ), barrier option (ISH), TLBI op, system register.</summary>
public sealed record NameOperand(string Name) : Operand { public override string ToString() => Name; }

/// <summary>One decoded instruction. <paramref name="Text"/> is the source text for messages;
/// <paramref name="Line"/> the 1-based line in the file.</summary>
public sealed record Instruction(Opcode Op, string Mnemonic, IReadOnlyList<Operand> Operands, int Line, string Text)
{
    public AccessOrder Order { get; init; }
    public LitmusRmwOp Rmw { get; init; }
    public BarrierOption? Barrier { get; init; }
    /// <summary>SXTW/UXTW of an extended-register ALU operand (<c>ADD X2,X2,W5,SXTW</c>), else null.</summary>
    public string? Extend { get; init; }
    /// <summary>Condition code of B.cond/CSEL/CSET (EQ, NE, ...).</summary>
    public string? Cond { get; init; }

    public Reg R(int i) => Operands[i] is RegOperand r ? r.Reg : throw new InvalidOperationException($"operand {i} of '{Text}' is not a register");
    public MemOperand Mem => Operands.OfType<MemOperand>().Single();
    public override string ToString() => Text;
}
