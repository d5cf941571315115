using System.Globalization;
using System.Text.RegularExpressions;
using HvoLab.Arch;

namespace HvoLab.Litmus;

/// <summary>Decodes one code-table cell (without its label) into an <see cref="Instruction"/>, checking the
/// operand shapes per opcode so the interpreter can trust them. Anything outside the subset throws a
/// <see cref="LitmusParseException"/> naming the instruction.</summary>
public static partial class InstructionParser
{
    [GeneratedRegex(@"^(?:([XW])([0-9]+)|([XW])ZR)$", RegexOptions.IgnoreCase)] private static partial Regex RegRe();
    [GeneratedRegex(@"^(SWP|CAS|LDADD|LDSET|LDCLR|LDEOR|STADD|STSET|STCLR|STEOR)(A|L|AL)?$")] private static partial Regex AtomicRe();
    [GeneratedRegex(@"^B\.(EQ|NE|CS|HS|CC|LO|MI|PL|VS|VC|HI|LS|GE|LT|GT|LE|AL)$")] private static partial Regex BCondRe();

    private static readonly HashSet<string> CondCodes =
        ["EQ", "NE", "CS", "HS", "CC", "LO", "MI", "PL", "VS", "VC", "HI", "LS", "GE", "LT", "GT", "LE", "AL"];

    private static readonly Dictionary<string, BarrierOption> BarrierOptions = new()
    {
        ["SY"] = new("SY", ""), ["LD"] = new("SY", "LD"), ["ST"] = new("SY", "ST"),
        ["ISH"] = new("ISH", ""), ["ISHLD"] = new("ISH", "LD"), ["ISHST"] = new("ISH", "ST"),
        ["OSH"] = new("OSH", ""), ["OSHLD"] = new("OSH", "LD"), ["OSHST"] = new("OSH", "ST"),
        ["NSH"] = new("NSH", ""), ["NSHLD"] = new("NSH", "LD"), ["NSHST"] = new("NSH", "ST"),
    };

    /// <summary>System registers accepted by MSR/MRS. Only ELR_EL1 is given meaning by the interpreter
    /// (fault handlers set their return address); others are passed to the memory port.</summary>
    private static readonly HashSet<string> SysRegs = ["ELR_EL1", "ESR_EL1", "FAR_EL1", "SPSR_EL1", "TTBR0_EL1", "TTBR1_EL1", "SCTLR_EL1", "TCR_EL1"];

    /// <summary>Cache maintenance by VA that the catalogues use (instruction-fetch tests).</summary>
    private static readonly HashSet<string> CacheOps = ["DC CVAU", "DC CIVAC", "DC CVAC", "DC CVAP", "DC CVADP", "DC IVAC", "IC IVAU"];

    /// <summary>
    /// The instructions one code-table cell stands for: one, except LDIAPP Rt1,Rt2,[Xn] (FEAT_LRCPC3), which is read as
    /// its two Load-AcquirePC reads in their architected order, LDAPR Rt1,[Xn] then LDAPR Rt2,[Xn,#size]: the read of
    /// the lower word is intrinsically ordered before the other (herdtools7 readers-guide, "Intrinsic Order": iico_order
    /// between the two Explicit Memory Read Effects, which aarch64.cat's intr-ob includes), and each read is an
    /// AcquirePC read ordered before every later access (bob "[Q]; po; [M]"). Forms that write back Xn or where a
    /// destination is the base register (which the second read would then use) are refused.
    /// </summary>
    public static IReadOnlyList<Instruction> ParseCell(string text, string file, int line)
    {
        var trimmed = text.Trim();
        var sp = trimmed.IndexOfAny([' ', '\t']);
        if (sp < 0 || !trimmed[..sp].Equals("LDIAPP", StringComparison.OrdinalIgnoreCase)) return [Parse(text, file, line)];
        LitmusParseException Err(string why) => new(file, line, $"instruction '{trimmed}': {why}");
        var ops = SplitOperands(trimmed[(sp + 1)..]).Select(o => ParseOperand(o, trimmed, file, line)).ToList();
        if (ops is not [RegOperand { Reg: var r1 }, RegOperand { Reg: var r2 }, MemOperand { Index: null, Offset: 0 } m])
            throw Err("expected LDIAPP Rt1,Rt2,[Xn] (no offset or write-back)");
        if (r1.Is64 != r2.Is64) throw Err("register widths differ");
        if (r1 == r2 || r1.Number == m.Base.Number) throw Err("Rt1 must differ from Rt2 and from the base register");
        var first = new Instruction(Opcode.Ldapr, "LDIAPP", [new RegOperand(r1), m], line, trimmed) { Order = AccessOrder.AcquirePc };
        var second = new Instruction(Opcode.Ldapr, "LDIAPP", [new RegOperand(r2), m with { Offset = r1.Size }], line, trimmed + " (second word)")
        { Order = AccessOrder.AcquirePc };
        return [first, second];
    }

    public static Instruction Parse(string text, string file, int line)
    {
        text = text.Trim();
        var sp = text.IndexOfAny([' ', '\t']);
        var mnemonic = (sp < 0 ? text : text[..sp]).ToUpperInvariant();
        List<Operand> ops = sp < 0 ? [] : SplitOperands(text[(sp + 1)..]).Select(o => ParseOperand(o, text, file, line)).ToList();
        LitmusParseException Err(string why) => new(file, line, $"instruction '{text}': {why}");

        Instruction Make(Opcode op, params OperandKind[] shape)
        {
            if (ops.Count != shape.Length) throw Err($"expected {shape.Length} operand(s), found {ops.Count}");
            for (var i = 0; i < shape.Length; i++)
                if (!Fits(ops[i], shape[i])) throw Err($"operand {i + 1} '{ops[i]}' is not {shape[i]}");
            return new Instruction(op, mnemonic, ops, line, text);
        }

        const OperandKind R = OperandKind.Register, RI = OperandKind.RegOrImm, M = OperandKind.Memory,
            L = OperandKind.Label, N = OperandKind.Name;
        // ADD Xd, Xn, Wm, SXTW|UXTW: the extended-register form (the W operand is sign/zero-extended to 64 bits).
        Instruction Alu3(Opcode op)
        {
            if (ops.Count != 4) return Make(op, R, R, RI);
            var ext = ops[3] is NameOperand n ? n.Name.ToUpperInvariant() : "";
            if (ext is not ("SXTW" or "UXTW") || ops[2] is not RegOperand { Reg.Is64: false }) throw Err("only the SXTW/UXTW extended-register form of a W operand is supported");
            ops.RemoveAt(3);
            return Make(op, R, R, R) with { Extend = ext };
        }

        switch (mnemonic)
        {
            case "NOP": return Make(Opcode.Nop);
            case "SXTW": return Make(Opcode.Sxtw, R, R);
            case "MOV": return Make(Opcode.Mov, R, RI);
            case "ADD": return Alu3(Opcode.Add);
            case "SUB": return Alu3(Opcode.Sub);
            case "AND": return Alu3(Opcode.And);
            case "ORR": return Alu3(Opcode.Orr);
            case "EOR": return Alu3(Opcode.Eor);
            case "BIC": return Make(Opcode.Bic, R, R, R);
            case "LSL": return Make(Opcode.Lsl, R, R, RI);
            case "LSR": return Make(Opcode.Lsr, R, R, RI);
            case "CMP": return Make(Opcode.Cmp, R, RI);
            case "CSEL": return WithCond(Make(Opcode.Csel, R, R, R, N), 3, Err);
            case "CSET": return WithCond(Make(Opcode.Cset, R, N), 1, Err);
            case "ADR": return Make(Opcode.Adr, R, L);
            case "B": return Make(Opcode.B, L);
            case "CBZ": return Make(Opcode.Cbz, R, L);
            case "CBNZ": return Make(Opcode.Cbnz, R, L);
            case "LDR": return Make(Opcode.Ldr, R, M);
            case "STR": return Make(Opcode.Str, R, M);
            case "LDAR": return PlainBase(Make(Opcode.Ldar, R, M), Err) with { Order = AccessOrder.Acquire };
            case "LDAPR": return PlainBase(Make(Opcode.Ldapr, R, M), Err) with { Order = AccessOrder.AcquirePc };
            case "STLR": return PlainBase(Make(Opcode.Stlr, R, M), Err) with { Order = AccessOrder.Release };
            case "LDXR": return PlainBase(Make(Opcode.Ldxr, R, M), Err);
            case "LDAXR": return PlainBase(Make(Opcode.Ldxr, R, M), Err) with { Order = AccessOrder.Acquire };
            case "STXR": return PlainBase(Make(Opcode.Stxr, R, R, M), Err);
            case "STLXR": return PlainBase(Make(Opcode.Stxr, R, R, M), Err) with { Order = AccessOrder.Release };
            case "ISB":
                if (ops.Count == 1 && ops[0] is NameOperand { Name: "SY" }) ops.Clear();
                return Make(Opcode.Isb);
            case "DMB":
            case "DSB":
            {
                var ins = Make(mnemonic == "DMB" ? Opcode.Dmb : Opcode.Dsb, N);
                var name = ((NameOperand)ops[0]).Name.ToUpperInvariant();
                if (!BarrierOptions.TryGetValue(name, out var opt)) throw Err($"unknown barrier option '{name}'");
                return ins with { Barrier = opt };
            }
            case "TLBI":
            {
                var ins = ops.Count == 1 ? Make(Opcode.Tlbi, N) : Make(Opcode.Tlbi, N, R);
                var op = ParseTlbiOp(((NameOperand)ops[0]).Name) ?? throw Err($"unknown TLBI operation '{ops[0]}'");
                if (op.IsAll() != (ops.Count == 1)) throw Err(op.IsAll() ? "TLBI " + op + " takes no address" : "TLBI " + op + " needs an address register");
                return ins;
            }
            case "MSR":
            {
                var ins = Make(Opcode.Msr, N, R);
                return SysRegs.Contains(((NameOperand)ops[0]).Name.ToUpperInvariant()) ? ins : throw Err($"unknown system register '{ops[0]}'");
            }
            case "MRS":
            {
                var ins = Make(Opcode.Mrs, R, N);
                return SysRegs.Contains(((NameOperand)ops[1]).Name.ToUpperInvariant()) ? ins : throw Err($"unknown system register '{ops[1]}'");
            }
            case "ERET": return Make(Opcode.Eret);
            case "SVC": return Make(Opcode.Svc, OperandKind.Immediate);
            case "UDF": return Make(Opcode.Udf, OperandKind.Immediate);
            case "DC" or "IC":
            {
                var ins = Make(Opcode.CacheMaintenance, N, R);
                var op = ((NameOperand)ops[0]).Name.ToUpperInvariant();
                return CacheOps.Contains(mnemonic + " " + op) ? ins : throw Err($"unknown {mnemonic} operation '{op}'");
            }
        }
        if (BCondRe().Match(mnemonic) is { Success: true } bc) return Make(Opcode.BCond, L) with { Cond = bc.Groups[1].Value };
        if (AtomicRe().Match(mnemonic) is { Success: true } am)
        {
            var order = am.Groups[2].Value switch
            {
                "A" => AccessOrder.Acquire, "L" => AccessOrder.Release, "AL" => AccessOrder.AcquireRelease, _ => AccessOrder.Plain,
            };
            var baseOp = am.Groups[1].Value;
            Instruction ins = baseOp switch
            {
                "SWP" => Make(Opcode.Swp, R, R, M) with { Rmw = LitmusRmwOp.Swap },
                "CAS" => Make(Opcode.Cas, R, R, M) with { Rmw = LitmusRmwOp.CompareSwap },
                _ when baseOp.StartsWith("LD", StringComparison.Ordinal) => Make(Opcode.LdOp, R, R, M) with { Rmw = RmwOpOf(baseOp) },
                _ => Make(Opcode.StOp, R, M) with { Rmw = RmwOpOf(baseOp) },
            };
            // ST<op> has no destination, so an acquire form would be meaningless (the ISA has none).
            if (ins.Op == Opcode.StOp && (order & AccessOrder.Acquire) != 0) throw Err("ST<op> has no acquire form");
            if (ins.Operands.Count == 3 && ((RegOperand)ins.Operands[0]).Reg.Is64 != ((RegOperand)ins.Operands[1]).Reg.Is64)
                throw Err("register widths differ");
            return PlainBase(ins, Err) with { Order = order };
        }
        throw Err($"unsupported mnemonic '{mnemonic}'");
    }

    public static TlbiOp? ParseTlbiOp(string name) =>
        Enum.TryParse<TlbiOp>(name.ToUpperInvariant(), ignoreCase: false, out var op) && Enum.IsDefined(op) ? op : null;

    private static LitmusRmwOp RmwOpOf(string baseOp) => baseOp[2..] switch
    {
        "ADD" => LitmusRmwOp.Add, "SET" => LitmusRmwOp.Set, "CLR" => LitmusRmwOp.Clr, _ => LitmusRmwOp.Eor,
    };

    private static Instruction WithCond(Instruction ins, int idx, Func<string, LitmusParseException> err)
    {
        var c = ((NameOperand)ins.Operands[idx]).Name.ToUpperInvariant();
        return CondCodes.Contains(c) ? ins with { Cond = c } : throw err($"unknown condition code '{c}'");
    }

    /// <summary>Acquire/release, exclusive and atomic forms only take a bare base register.</summary>
    private static Instruction PlainBase(Instruction ins, Func<string, LitmusParseException> err) =>
        ins.Mem is { Index: null, Offset: 0 } ? ins : throw err("this instruction only takes a [Xn] address");

    private enum OperandKind { Register, RegOrImm, Immediate, Memory, Label, Name }

    private static bool Fits(Operand o, OperandKind k) => k switch
    {
        OperandKind.Register => o is RegOperand,
        OperandKind.RegOrImm => o is RegOperand or ImmOperand,
        OperandKind.Immediate => o is ImmOperand,
        OperandKind.Memory => o is MemOperand,
        OperandKind.Label => o is NameOperand,
        _ => o is NameOperand,
    };

    private static List<string> SplitOperands(string s)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '[') depth++;
            else if (s[i] == ']') depth--;
            else if (s[i] == ',' && depth == 0) { parts.Add(s[start..i].Trim()); start = i + 1; }
        }
        parts.Add(s[start..].Trim());
        return parts;
    }

    private static Reg? TryReg(string s)
    {
        var m = RegRe().Match(s);
        if (!m.Success) return null;
        if (m.Groups[3].Success) return new Reg(Reg.Zero, char.ToUpperInvariant(m.Groups[3].Value[0]) == 'X');
        var n = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        return n <= 30 ? new Reg(n, char.ToUpperInvariant(m.Groups[1].Value[0]) == 'X') : null;
    }

    private static Operand ParseOperand(string s, string text, string file, int line)
    {
        LitmusParseException Err(string why) => new(file, line, $"instruction '{text}': {why}");
        if (s.Length == 0) throw Err("empty operand");
        if (s.StartsWith('['))
        {
            if (!s.EndsWith(']')) throw Err($"bad address operand '{s}'");
            var parts = SplitOperands(s[1..^1]);
            var b = TryReg(parts[0]) is { Is64: true } br ? br : throw Err($"address base '{parts[0]}' must be an X register");
            if (parts.Count == 1) return new MemOperand(b, null, null, 0);
            if (TryImm(parts[1]) is { } off && parts.Count == 2) return new MemOperand(b, null, null, off);
            var idx = TryReg(parts[1]) ?? throw Err($"bad address index '{parts[1]}'");
            if (parts.Count == 2) return idx.Is64 ? new MemOperand(b, idx, null, 0) : throw Err("a W index needs SXTW/UXTW");
            var ext = parts[2].ToUpperInvariant();
            if (parts.Count == 3 && ext is "SXTW" or "UXTW" && !idx.Is64) return new MemOperand(b, idx, ext, 0);
            throw Err($"unsupported address form '{s}'");
        }
        if (TryImm(s) is { } imm) return new ImmOperand(imm);
        if (TryReg(s) is { } r) return new RegOperand(r);
        if (Regex.IsMatch(s, "^[A-Za-z_][A-Za-z0-9_.]*$")) return new NameOperand(s);
        throw Err($"cannot read operand '{s}'");
    }

    private static long? TryImm(string s)
    {
        var body = s.StartsWith('#') ? s[1..] : s;
        if (body.Length == 0 || !(char.IsDigit(body[0]) || (body[0] == '-' && body.Length > 1))) return null;
        try { return LitmusTokenizer.ParseNumber(body, m => new FormatException(m)); }
        catch (FormatException) { return null; }
    }
}
