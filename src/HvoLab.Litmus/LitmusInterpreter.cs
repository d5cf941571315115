namespace HvoLab.Litmus;

public enum StepKind { Executed, Faulted, Halted }

/// <summary>What one <see cref="LitmusInterpreter.Step"/> did: the instruction run (null if the thread was
/// already finished), and whether it faulted.</summary>
public readonly record struct StepResult(StepKind Kind, Instruction? Instruction, LitmusFault? Fault = null);

/// <summary>Executes litmus instructions one at a time against an <see cref="ILitmusMemoryPort"/>. It holds
/// no scheduling policy and no memory: callers own the thread states and decide which thread steps next.
///
/// Fault reading (herd7 vmsa): a faulting access has no effect and is recorded as <c>fault(Pn:Label,loc)</c>.
/// If the thread has a <c>Pn.F</c> handler and the test is not <c>Variant=fatal</c>, ELR_EL1 is set to the
/// faulting instruction and execution continues at the handler's first instruction; the handler either
/// ends (the thread then halts, it does not resume) or executes ERET, which resumes at ELR_EL1 (the faulting
/// instruction again, unless the handler wrote ELR_EL1 via ADR+MSR). Without a handler the thread halts.</summary>
public sealed class LitmusInterpreter(LitmusTest test, ILitmusAddressMap map)
{
    public LitmusTest Test => test;
    private readonly bool _fatal = test.Variants.Contains("fatal");
    /// <summary>herd's <c>Variant=faultToNext</c>: the exception returns to the instruction after the faulting one
    /// (no handler code runs), so the thread goes on.</summary>
    private readonly bool _faultToNext = test.Variants.Contains("faulttonext");

    /// <summary>Thread state with the registers of the init block (resolved through the address map).</summary>
    public LitmusThreadState InitialState(int proc)
    {
        var s = new LitmusThreadState(proc);
        foreach (var e in test.Init)
        {
            if (e.Target is not RegisterLocation r || r.Proc != proc) continue;
            s.Set(LitmusThreadState.ParseName(r.Register) with { Is64 = true }, e.Value is null ? 0 : LitmusValues.Resolve(e.Value, test, map, null));
        }
        return s;
    }

    public IReadOnlyList<LitmusThreadState> InitialStates() => test.MainThreads.Select(t => InitialState(t.Proc)).ToList();

    private IReadOnlyList<Instruction> CodeOf(LitmusThreadState s) =>
        (s.InHandler ? test.Handler(s.Proc)! : test.Thread(s.Proc)).Code;

    /// <summary>The instruction <see cref="Step"/> would execute next, or null when the thread is done.</summary>
    public Instruction? Next(LitmusThreadState s)
    {
        if (s.Halted) return null;
        var code = CodeOf(s);
        return s.Pc < code.Count ? code[s.Pc] : null;
    }

    /// <summary>Executes exactly one instruction of thread <paramref name="s"/> (mutating it).</summary>
    public StepResult Step(LitmusThreadState s, ILitmusMemoryPort port)
    {
        var ins = Next(s);
        if (ins is null)
        {
            s.Halted = true;
            return new StepResult(StepKind.Halted, null);
        }
        var fault = Execute(s, ins, port);
        if (fault is null) return new StepResult(StepKind.Executed, ins);
        return new StepResult(StepKind.Faulted, ins, TakeFault(s, ins, fault.Value.Va, fault.Value.Kind));
    }

    private LitmusFault TakeFault(LitmusThreadState s, Instruction ins, ulong va, LitmusFaultKind kind)
    {
        var thread = s.InHandler ? test.Handler(s.Proc)! : test.Thread(s.Proc);
        var f = new LitmusFault(s.Proc, s.Pc, thread.LabelAt(s.Pc), va, map.Describe(va), kind);
        s.AddFault(f);
        // A fault inside the handler would need nested exception state that no test uses: stop the thread.
        if (_faultToNext && !s.InHandler) s.Pc++;
        else if (!_fatal && !s.InHandler && test.Handler(s.Proc) is not null)
        {
            s.ElrEl1 = LitmusCodeAddress.Encode(s.Proc, false, s.Pc);
            s.InHandler = true;
            s.Pc = 0;
        }
        else s.Halted = true;
        return f;
    }

    private (ulong Va, LitmusFaultKind Kind)? Execute(LitmusThreadState s, Instruction ins, ILitmusMemoryPort port)
    {
        var next = s.Pc + 1;
        switch (ins.Op)
        {
            case Opcode.Nop: break;
            case Opcode.Mov: s.Set(ins.R(0), Src(s, ins.Operands[1])); break;
            case Opcode.Sxtw: s.Set(ins.R(0), SignExtendWord(s.Get(ins.R(1)))); break;
            case Opcode.Add or Opcode.Sub or Opcode.And or Opcode.Orr or Opcode.Eor or Opcode.Bic or Opcode.Lsl or Opcode.Lsr:
            {
                var b = Src(s, ins.Operands[2]);
                s.Set(ins.R(0), Alu(ins.Op, s.Get(ins.R(1)), ins.Extend == "SXTW" ? SignExtendWord(b) : b, ins.R(0).Is64));
                break;
            }
            case Opcode.Cmp: SetFlagsSub(s, s.Get(ins.R(0)), Src(s, ins.Operands[1]), ins.R(0).Is64); break;
            case Opcode.Csel: s.Set(ins.R(0), Holds(s, ins.Cond!) ? s.Get(ins.R(1)) : s.Get(ins.R(2))); break;
            case Opcode.Cset: s.Set(ins.R(0), Holds(s, ins.Cond!) ? 1UL : 0UL); break;
            case Opcode.Adr: s.Set(ins.R(0), LitmusCodeAddress.OfLabel(test, s.Proc, Label(ins), s.InHandler)); break;
            case Opcode.B: next = Target(s, ins); break;
            case Opcode.BCond: if (Holds(s, ins.Cond!)) next = Target(s, ins); break;
            case Opcode.Cbz: if (s.Get(ins.R(0)) == 0) next = Target(s, ins); break;
            case Opcode.Cbnz: if (s.Get(ins.R(0)) != 0) next = Target(s, ins); break;
            case Opcode.Ldr or Opcode.Ldar or Opcode.Ldapr or Opcode.Ldxr:
            {
                var a = Access(s, ins, ins.R(0).Size, ins.Op == Opcode.Ldxr);
                var r = port.Load(a);
                if (r.Fault is { } k) return (a.Va, k);
                s.Set(ins.R(0), r.Value);
                break;
            }
            case Opcode.Str or Opcode.Stlr:
            {
                var a = Access(s, ins, ins.R(0).Size, false);
                if (port.Store(a, s.Get(ins.R(0))).Fault is { } k) return (a.Va, k);
                break;
            }
            case Opcode.Stxr:
            {
                var a = Access(s, ins, ins.R(1).Size, true);
                var r = port.Store(a, s.Get(ins.R(1)));
                if (r.Fault is { } k) return (a.Va, k);
                s.Set(ins.R(0), r.Value);
                break;
            }
            case Opcode.Swp or Opcode.LdOp:
            {
                // SWP/LD<op> Rs, Rt, [Xn]: memory := op(old, Rs); Rt := old.
                var a = Access(s, ins, ins.R(1).Size, false);
                var r = port.Rmw(a, ins.Rmw, s.Get(ins.R(0)), 0);
                if (r.Fault is { } k) return (a.Va, k);
                s.Set(ins.R(1), r.Value);
                break;
            }
            case Opcode.StOp:
            {
                var a = Access(s, ins, ins.R(0).Size, false);
                if (port.Rmw(a, ins.Rmw, s.Get(ins.R(0)), 0).Fault is { } k) return (a.Va, k);
                break;
            }
            case Opcode.Cas:
            {
                // CAS Rs, Rt, [Xn]: if memory == Rs then memory := Rt; Rs := old (always).
                var a = Access(s, ins, ins.R(0).Size, false);
                var r = port.Rmw(a, LitmusRmwOp.CompareSwap, s.Get(ins.R(1)), s.Get(ins.R(0)));
                if (r.Fault is { } k) return (a.Va, k);
                s.Set(ins.R(0), r.Value);
                break;
            }
            case Opcode.Dmb: port.Barrier(s.Proc, BarrierType.Dmb, ins.Barrier); break;
            case Opcode.Dsb: port.Barrier(s.Proc, BarrierType.Dsb, ins.Barrier); break;
            case Opcode.Isb: port.Barrier(s.Proc, BarrierType.Isb, null); break;
            case Opcode.Tlbi:
                port.Tlbi(s.Proc, InstructionParser.ParseTlbiOp(((NameOperand)ins.Operands[0]).Name)!.Value,
                    ins.Operands.Count > 1 ? s.Get(ins.R(1)) : 0);
                break;
            case Opcode.Msr:
            {
                var name = ((NameOperand)ins.Operands[0]).Name.ToUpperInvariant();
                if (name == "ELR_EL1") s.ElrEl1 = s.Get(ins.R(1));
                else port.WriteSysReg(s.Proc, name, s.Get(ins.R(1)));
                break;
            }
            case Opcode.Mrs:
            {
                var name = ((NameOperand)ins.Operands[1]).Name.ToUpperInvariant();
                s.Set(ins.R(0), name == "ELR_EL1" ? s.ElrEl1 : port.ReadSysReg(s.Proc, name));
                break;
            }
            case Opcode.Udf: return (0, LitmusFaultKind.UndefinedInstruction);
            case Opcode.Eret:
                if (!s.InHandler) throw new LitmusExecutionException($"{test.Name} P{s.Proc}: ERET outside a fault handler");
                if (!LitmusCodeAddress.TryDecode(s.ElrEl1, out var p, out var h, out var idx) || p != s.Proc || h)
                    throw new LitmusExecutionException($"{test.Name} P{s.Proc}: ERET to 0x{s.ElrEl1:X}, not code of P{s.Proc}");
                s.InHandler = false;
                next = idx;
                break;
            default:
                throw new LitmusExecutionException($"{test.Name} P{s.Proc}: '{ins.Text}' is not implemented by the interpreter");
        }
        s.Pc = next;
        return null;
    }

    private static string Label(Instruction ins) => ((NameOperand)ins.Operands[^1]).Name;

    private int Target(LitmusThreadState s, Instruction ins) =>
        (s.InHandler ? test.Handler(s.Proc)! : test.Thread(s.Proc)).Labels[Label(ins)];

    private static MemAccess Access(LitmusThreadState s, Instruction ins, int size, bool exclusive)
    {
        var m = ins.Mem;
        var va = s.Get(m.Base) + (ulong)m.Offset;
        if (m.Index is { } ix)
        {
            var v = s.Get(ix);
            va += m.Extend == "SXTW" ? SignExtendWord(v) : v;
        }
        return new MemAccess(s.Proc, va, size, ins.Order, exclusive);
    }

    private static ulong SignExtendWord(ulong v) => (ulong)(long)(int)(uint)v;

    private static ulong Src(LitmusThreadState s, Operand o) => o switch
    {
        RegOperand r => s.Get(r.Reg),
        ImmOperand i => (ulong)i.Value,
        _ => throw new LitmusExecutionException($"operand '{o}' has no value"),
    };

    private static ulong Alu(Opcode op, ulong a, ulong b, bool is64)
    {
        var bits = is64 ? 64 : 32;
        var mask = is64 ? ulong.MaxValue : 0xFFFF_FFFFUL;
        return mask & op switch
        {
            Opcode.Add => a + b,
            Opcode.Sub => a - b,
            Opcode.And => a & b,
            Opcode.Orr => a | b,
            Opcode.Eor => a ^ b,
            Opcode.Bic => a & ~b,
            Opcode.Lsl => a << (int)(b % (ulong)bits),
            Opcode.Lsr => (a & mask) >> (int)(b % (ulong)bits),
            _ => throw new InvalidOperationException(op.ToString()),
        };
    }

    /// <summary>NZCV as set by SUBS (CMP): C means "no borrow", V signed overflow.</summary>
    private static void SetFlagsSub(LitmusThreadState s, ulong a, ulong b, bool is64)
    {
        if (!is64) { a = (uint)a; b = (uint)b; }
        var r = Alu(Opcode.Sub, a, b, is64);
        var sign = is64 ? 63 : 31;
        s.N = ((r >> sign) & 1) != 0;
        s.Z = r == 0;
        s.C = a >= b;
        s.V = ((((a ^ b) & (a ^ r)) >> sign) & 1) != 0;
    }

    private static bool Holds(LitmusThreadState s, string cond) => cond switch
    {
        "EQ" => s.Z, "NE" => !s.Z,
        "CS" or "HS" => s.C, "CC" or "LO" => !s.C,
        "MI" => s.N, "PL" => !s.N, "VS" => s.V, "VC" => !s.V,
        "HI" => s.C && !s.Z, "LS" => !s.C || s.Z,
        "GE" => s.N == s.V, "LT" => s.N != s.V,
        "GT" => !s.Z && s.N == s.V, "LE" => s.Z || s.N != s.V,
        _ => true,
    };
}
