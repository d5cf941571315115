using System.Text.RegularExpressions;

namespace HvoLab.Litmus;

/// <summary>Recursive-descent parser for the parts of a litmus file that are expressions: init entries,
/// values, locations and conditions. Accepts both spellings the catalogue uses: <c>PTE(x)</c>/<c>pte_x</c>
/// and <c>PA(x)</c>/<c>phy_x</c>.</summary>
public sealed partial class LitmusExprParser(LitmusTokenizer tok)
{
    [GeneratedRegex("^[Pp]([0-9]+)$")] private static partial Regex ProcName();
    [GeneratedRegex("^(?:[XWxw]([0-9]+)|[XWxw]ZR|[xw]zr|SP)$")] private static partial Regex RegisterName();

    private static readonly HashSet<string> TypeNames = new(StringComparer.Ordinal)
    { "int", "int32_t", "int64_t", "uint32_t", "uint64_t", "pteval_t", "long", "char", "short", "intptr_t", "uintptr_t", "ins_t" };

    public LitmusTokenizer Tokens => tok;

    // ---------- init block ----------

    /// <summary>Parses <c>entry; entry; ...</c> up to the end of the token stream.</summary>
    public List<InitEntry> ParseInitEntries()
    {
        var result = new List<InitEntry>();
        while (!tok.AtEnd)
        {
            if (tok.TryPunct(";")) continue;
            result.Add(ParseInitEntry());
            if (!tok.AtEnd && !tok.IsPunct(";")) throw tok.Error($"expected ';' after init entry but found {tok.Peek()}");
        }
        return result;
    }

    private InitEntry ParseInitEntry()
    {
        var line = tok.Peek().Line;
        string? type = null;
        if (tok.Peek().Kind == TokKind.Ident && TypeNames.Contains(tok.Peek().Text))
        {
            type = tok.Next().Text;
            while (tok.TryPunct("*")) type += "*";
        }
        var target = ParseLocation();
        var length = 0;
        if (type is not null && target is MemoryLocation && tok.TryPunct("["))
        {
            var n = tok.ExpectKind(TokKind.Number, "an array length");
            length = (int)LitmusTokenizer.ParseNumber(n.Text, tok.Error);
            tok.Expect("]");
        }
        LitValue? value = null;
        if (tok.TryPunct("=")) value = length > 0 ? ParseArray(type!, length) : ParseValue();
        else if (length > 0) value = ArrayValue.Of(type!, Enumerable.Repeat(0L, length).ToList(), tok.File, line);
        // ins_t declares an instruction-typed register: a bare mnemonic is the instruction, not a location name.
        if (type == "ins_t" && value is SymbolValue s) value = new InstructionValue(s.Name);
        return new InitEntry(target, type, value, line);
    }

    // ---------- locations and values ----------

    public LitLocation ParseLocation()
    {
        var t = tok.Peek();
        if (tok.TryPunct("["))
        {
            var inner = ParseLocation();
            tok.Expect("]");
            return inner;
        }
        if (t.Kind == TokKind.Number && tok.IsPunct(":", 1))
        {
            tok.Next(); tok.Next();
            return new RegisterLocation((int)LitmusTokenizer.ParseNumber(t.Text, tok.Error), ParseRegisterName());
        }
        if (t.Kind == TokKind.Ident && ProcName().Match(t.Text) is { Success: true } pm && tok.IsPunct(":", 1)
            && tok.Peek(2).Kind == TokKind.Ident && RegisterName().IsMatch(tok.Peek(2).Text))
        {
            tok.Next(); tok.Next();
            return new RegisterLocation(int.Parse(pm.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), ParseRegisterName());
        }
        if (t.Kind != TokKind.Ident) throw tok.Error($"expected a location but found {t}");
        tok.Next();
        // TTD(x) is herd's level-agnostic "translation table descriptor" name; the catalogue only uses it
        // for the descriptor mapping x, so it is read as PTE(x).
        if (t.Text is "PTE" or "TTD") return new PteLocation(ParseParenSymbol());
        if (t.Text.StartsWith("pte_", StringComparison.Ordinal)) return new PteLocation(t.Text[4..]);
        if (t.Text is "PA" || t.Text.StartsWith("phy_", StringComparison.Ordinal))
            throw new LitmusParseException(tok.File, t.Line, $"physical address '{t.Text}' used as a location");
        return new MemoryLocation(t.Text);
    }

    private string ParseRegisterName()
    {
        var r = tok.ExpectKind(TokKind.Ident, "a register name");
        if (!RegisterName().IsMatch(r.Text)) throw new LitmusParseException(tok.File, r.Line, $"'{r.Text}' is not a register");
        return r.Text.ToUpperInvariant();
    }

    private string ParseParenSymbol()
    {
        tok.Expect("(");
        var s = tok.ExpectKind(TokKind.Ident, "a location name").Text;
        tok.Expect(")");
        return s;
    }

    public LitValue ParseValue()
    {
        var t = tok.Peek();
        switch (t.Kind)
        {
            case TokKind.Number:
                tok.Next();
                // "1:Lself00": the address of a label of thread 1 (instruction-fetch tests).
                if (IsLabelSuffix()) return new LabelValue((int)LitmusTokenizer.ParseNumber(t.Text, tok.Error), TakeLabelSuffix());
                return new IntValue(LitmusTokenizer.ParseNumber(t.Text, tok.Error));
            case TokKind.Punct when t.Text == "(":
                return ParseDescriptor();
            case TokKind.Punct when t.Text == "&":
                tok.Next();
                return new AddressOfValue(tok.ExpectKind(TokKind.Ident, "a location name").Text);
            case TokKind.Ident:
                tok.Next();
                if (t.Text is "PTE" or "TTD") return new PteAddressValue(ParseParenSymbol());
                if (t.Text == "PA") return new PhysicalAddressValue(ParseParenSymbol());
                if (t.Text.StartsWith("pte_", StringComparison.Ordinal)) return new PteAddressValue(t.Text[4..]);
                if (t.Text.StartsWith("phy_", StringComparison.Ordinal)) return new PhysicalAddressValue(t.Text[4..]);
                if (t.Text == "label" && tok.TryPunct(":")) return ParseLabel();
                if (t.Text == "instr" && tok.TryPunct(":")) return new InstructionValue(tok.ExpectKind(TokKind.String, "a quoted instruction").Text);
                // "P0:L2": the address of a label of thread 0.
                if (ProcName().Match(t.Text) is { Success: true } pm && IsLabelSuffix())
                    return new LabelValue(int.Parse(pm.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), TakeLabelSuffix());
                return new SymbolValue(t.Text);
            default:
                throw tok.Error($"expected a value but found {t}");
        }
    }

    /// <summary><c>{v0,v1,...}</c>, the initialiser of <c>type name[length]</c>: integer elements, the rest zero.</summary>
    private ArrayValue ParseArray(string type, int length)
    {
        var line = tok.Peek().Line;
        tok.Expect("{");
        var elements = new List<long>();
        while (!tok.TryPunct("}"))
        {
            if (elements.Count > 0) tok.Expect(",");
            var n = tok.ExpectKind(TokKind.Number, "an integer array element");
            elements.Add(LitmusTokenizer.ParseNumber(n.Text, tok.Error));
        }
        if (elements.Count > length) throw new LitmusParseException(tok.File, line, $"array initialiser has {elements.Count} elements for length {length}");
        while (elements.Count < length) elements.Add(0);
        return ArrayValue.Of(type, elements, tok.File, line);
    }

    private bool IsLabelSuffix() => tok.IsPunct(":") && tok.Peek(1).Kind == TokKind.Ident;

    private string TakeLabelSuffix()
    {
        tok.Next();
        return tok.Next().Text;
    }

    private LabelValue ParseLabel()
    {
        var s = tok.ExpectKind(TokKind.String, "a quoted \"Pn:Label\"");
        var parts = s.Text.Split(':');
        if (parts.Length != 2 || ProcName().Match(parts[0]) is not { Success: true } m)
            throw new LitmusParseException(tok.File, s.Line, $"label literal \"{s.Text}\" is not of the form \"Pn:Label\"");
        return new LabelValue(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), parts[1]);
    }

    private DescriptorValue ParseDescriptor()
    {
        tok.Expect("(");
        var fields = new List<DescriptorField>();
        while (!tok.IsPunct(")"))
        {
            if (fields.Count > 0) tok.Expect(",");
            var name = tok.ExpectKind(TokKind.Ident, "a descriptor field name");
            tok.Expect(":");
            LitValue value;
            if (tok.IsPunct("("))
            {
                tok.Next();
                var attrs = new List<string>();
                while (!tok.TryPunct(")"))
                {
                    if (attrs.Count > 0) tok.Expect(",");
                    attrs.Add(tok.ExpectKind(TokKind.Ident, "a memory attribute").Text);
                }
                value = new AttrsValue(attrs);
            }
            else
            {
                value = ParseValue();
                if (value is not (IntValue or PhysicalAddressValue))
                    throw new LitmusParseException(tok.File, name.Line, $"descriptor field '{name.Text}' has unsupported value {value}");
            }
            if (fields.Any(f => f.Name == name.Text))
                throw new LitmusParseException(tok.File, name.Line, $"descriptor field '{name.Text}' given twice");
            fields.Add(new DescriptorField(name.Text, value));
        }
        tok.Expect(")");
        return new DescriptorValue(fields);
    }

    // ---------- conditions ----------

    /// <summary>Disjunction, the loosest binding: <c>a \/ b</c>; then <c>/\</c>; then prefix <c>~</c>.</summary>
    public LitCondition ParseCondition()
    {
        var left = ParseConjunction();
        while (tok.TryPunct("\\/")) left = new OrCondition(left, ParseConjunction());
        return left;
    }

    private LitCondition ParseConjunction()
    {
        var left = ParseUnary();
        while (tok.TryPunct("/\\")) left = new AndCondition(left, ParseUnary());
        return left;
    }

    public LitCondition ParseUnary()
    {
        if (tok.TryPunct("~")) return new NotCondition(ParseUnary());
        if (tok.IsIdent("not")) { tok.Next(); return new NotCondition(ParseUnary()); }
        if (tok.TryPunct("("))
        {
            var inner = ParseCondition();
            tok.Expect(")");
            return inner;
        }
        if (tok.IsIdent("true")) { tok.Next(); return new TrueCondition(); }
        if (tok.IsIdent("fault") && tok.IsPunct("(", 1)) return ParseFault();
        var loc = ParseLocation();
        tok.Expect("=");
        return new EqualsCondition(loc, ParseValue());
    }

    /// <summary>A fault type where a location could also stand: <c>UndefinedInstruction</c> or <c>MMU:...</c>.</summary>
    private bool IsFaultType() => tok.Peek().Kind == TokKind.Ident && (tok.Peek().Text == "UndefinedInstruction" || tok.IsPunct(":", 1));

    private string ParseFaultType()
    {
        var type = tok.ExpectKind(TokKind.Ident, "a fault type").Text;
        if (tok.TryPunct(":")) type += ":" + tok.ExpectKind(TokKind.Ident, "a fault type").Text;
        return type;
    }

    public bool AtFault => tok.IsIdent("fault") && tok.IsPunct("(", 1);

    public FaultCondition ParseFault()
    {
        tok.Next();
        tok.Expect("(");
        var p = tok.ExpectKind(TokKind.Ident, "a thread name Pn");
        if (ProcName().Match(p.Text) is not { Success: true } m)
            throw new LitmusParseException(tok.File, p.Line, $"fault(...) expects a thread name Pn, found '{p.Text}'");
        string? label = null;
        if (tok.TryPunct(":")) label = tok.ExpectKind(TokKind.Ident, "a label").Text;
        LitLocation? target = null;
        string? type = null;
        // fault(P0), fault(P0:L0,UndefinedInstruction) and fault(P0,MMU:Translation) name no location.
        if (tok.TryPunct(","))
        {
            if (IsFaultType()) type = ParseFaultType();
            else
            {
                target = ParseLocation();
                if (tok.TryPunct(",")) type = ParseFaultType();
            }
        }
        tok.Expect(")");
        return new FaultCondition(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), label, target, type);
    }
}
