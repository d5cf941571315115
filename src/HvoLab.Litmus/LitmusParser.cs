using System.Text.RegularExpressions;
using System.Text;

namespace HvoLab.Litmus;

/// <summary>Reads a herd7 AArch64 litmus file: header, metadata lines, init block, code table, and the
/// trailing <c>locations</c>/<c>filter</c>/final-condition clauses. Structure is found line by line;
/// expressions go through <see cref="LitmusExprParser"/> and instructions through <see cref="InstructionParser"/>.</summary>
public static partial class LitmusParser
{
    [GeneratedRegex(@"^P([0-9]+)(\.F)?$")] private static partial Regex ThreadHeaderRe();
    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$", RegexOptions.Singleline)] private static partial Regex LabelRe();
    [GeneratedRegex(@"^\s*(~\s*exists|exists|forall|locations|filter)\b")] private static partial Regex TailStartRe();
    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9_]*)\s*=\s*(.*)$")] private static partial Regex MetaRe();

    /// <summary>Largest litmus file read (the catalogue's largest is under 30 KB); a bigger or special file is a
    /// user error, not a minute of reading /dev/zero.</summary>
    public const long MaxFileBytes = 1 << 20;

    public static LitmusTest ParseFile(string path) => Parse(HvoLab.Engine.Host.HostFile.ReadText("PATH", path, MaxFileBytes), path);

    public static LitmusTest Parse(string text, string file)
    {
        var lines = StripComments(text, file).Replace("\r", "").Split('\n');
        var i = 0;
        while (i < lines.Length && lines[i].Trim().Length == 0) i++;
        if (i == lines.Length) throw new LitmusParseException(file, 1, "empty file");
        var head = lines[i].Trim().Split((char[])[' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries);
        if (head.Length != 2 || head[0] != "AArch64")
            throw new LitmusParseException(file, i + 1, $"expected 'AArch64 NAME' header, found '{lines[i].Trim()}'");
        i++;

        var meta = new List<KeyValuePair<string, string>>();
        var comments = new List<string>();
        for (; i < lines.Length && !lines[i].TrimStart().StartsWith('{'); i++)
        {
            var l = lines[i].Trim();
            if (l.Length == 0) continue;
            if (l.StartsWith('"') && l.EndsWith('"') && l.Length >= 2) comments.Add(l[1..^1]);
            else if (MetaRe().Match(l) is { Success: true } m) meta.Add(new(m.Groups[1].Value, m.Groups[2].Value.Trim()));
            else throw new LitmusParseException(file, i + 1, $"expected metadata 'key=value', a \"comment\" or '{{', found '{l}'");
        }
        if (i == lines.Length) throw new LitmusParseException(file, lines.Length, "missing initial-state block '{ ... }'");

        // Init block: from the first '{' to the matching '}' (may share lines with other content; array initialisers
        // such as "int x[2]={0,0};" nest braces).
        var initStartLine = i + 1;
        var body = new StringBuilder();
        var col = lines[i].IndexOf('{') + 1;
        int closeLine = -1, closeCol = -1, depth = 0;
        for (var j = i; j < lines.Length && closeLine < 0; j++, col = 0)
        {
            var c = col;
            for (; c < lines[j].Length; c++)
            {
                if (lines[j][c] == '{') depth++;
                else if (lines[j][c] == '}' && depth-- == 0) break;
            }
            if (c < lines[j].Length) { body.Append(lines[j].AsSpan(col, c - col)); closeLine = j; closeCol = c; }
            else body.Append(lines[j].AsSpan(col)).Append('\n');
        }
        if (closeLine < 0) throw new LitmusParseException(file, initStartLine, "initial-state block is not closed by '}'");
        var init = new LitmusExprParser(new LitmusTokenizer(body.ToString(), file, initStartLine)).ParseInitEntries();

        // Code table: the rest of the '}' line (if any) and following lines up to the tail clauses.
        lines[closeLine] = lines[closeLine][(closeCol + 1)..];
        i = closeLine;
        var tableStart = i;
        while (i < lines.Length && !TailStartRe().IsMatch(lines[i])) i++;
        var threads = ParseCodeTable(lines, tableStart, i, file);
        if (i == lines.Length) throw new LitmusParseException(file, lines.Length, "missing final condition (exists/forall/~exists)");

        var tail = new LitmusExprParser(new LitmusTokenizer(string.Join("\n", lines[i..]), file, i + 1));
        var (locations, faults, filter, final) = ParseTail(tail);
        return new LitmusTest(head[0], head[1], file, meta, comments, init, threads, locations, faults, filter, final);
    }

    private static (List<LitLocation>, List<FaultCondition>, LitCondition?, FinalCondition) ParseTail(LitmusExprParser p)
    {
        var tok = p.Tokens;
        var locations = new List<LitLocation>();
        var faults = new List<FaultCondition>();
        LitCondition? filter = null;
        while (true)
        {
            if (tok.IsIdent("locations"))
            {
                tok.Next();
                tok.Expect("[");
                while (!tok.TryPunct("]"))
                {
                    if (tok.TryPunct(";")) continue;
                    if (p.AtFault) faults.Add(p.ParseFault());
                    else locations.Add(p.ParseLocation());
                }
            }
            else if (tok.IsIdent("filter")) { tok.Next(); filter = p.ParseCondition(); }
            else break;
        }
        // herd reads a test without a final condition (only "locations") as "forall true".
        if (tok.AtEnd) return (locations, faults, filter, new FinalCondition(Quantifier.Forall, new TrueCondition(), Explicit: false));
        Quantifier q;
        if (tok.IsIdent("exists")) q = Quantifier.Exists;
        else if (tok.IsIdent("forall")) q = Quantifier.Forall;
        else if (tok.IsPunct("~") && tok.IsIdent("exists", 1)) { tok.Next(); q = Quantifier.NotExists; }
        else throw tok.Error($"expected exists, ~exists or forall but found {tok.Peek()}");
        tok.Next();
        var cond = p.ParseCondition();
        tok.TryPunct(";");
        if (!tok.AtEnd) throw tok.Error($"unexpected {tok.Peek()} after the final condition");
        return (locations, faults, filter, new FinalCondition(q, cond));
    }

    private static List<LitmusThread> ParseCodeTable(string[] lines, int from, int to, string file)
    {
        var rows = new List<(int Line, string[] Cells)>();
        for (var j = from; j < to; j++)
        {
            foreach (var seg in lines[j].Split(';'))
                if (seg.Trim().Length > 0) rows.Add((j + 1, seg.Split('|')));
        }
        if (rows.Count == 0) throw new LitmusParseException(file, from + 1, "missing code table header 'P0 | P1 ;'");
        var (headerLine, headerCells) = rows[0];
        var names = headerCells.Select(c => c.Trim()).ToList();
        var builders = new List<ThreadBuilder>();
        foreach (var n in names)
        {
            var m = ThreadHeaderRe().Match(n);
            if (!m.Success) throw new LitmusParseException(file, headerLine, $"bad thread name '{n}' in code table header");
            if (builders.Any(b => b.Name == n)) throw new LitmusParseException(file, headerLine, $"thread '{n}' listed twice");
            builders.Add(new ThreadBuilder(n, int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups[2].Success));
        }
        foreach (var (line, cells) in rows.Skip(1))
        {
            if (cells.Length > builders.Count && cells.Skip(builders.Count).Any(c => c.Trim().Length > 0))
                throw new LitmusParseException(file, line, $"row has {cells.Length} columns but the header has {builders.Count}");
            for (var c = 0; c < Math.Min(cells.Length, builders.Count); c++) builders[c].Add(cells[c].Trim(), file, line);
        }
        var threads = builders.Select(b => b.Build()).ToList();
        foreach (var t in threads)
        {
            if (!t.IsHandler && t.Proc != threads.Count(x => !x.IsHandler && x.Proc < t.Proc))
                throw new LitmusParseException(file, headerLine, $"threads must be numbered P0, P1, ... in order; found {t.Name}");
            if (t.IsHandler && !threads.Any(x => !x.IsHandler && x.Proc == t.Proc))
                throw new LitmusParseException(file, headerLine, $"handler {t.Name} has no thread P{t.Proc}");
            CheckLabels(t, threads, file);
        }
        return threads;
    }

    /// <summary>Branch targets must be in the same column; ADR may also name a label of the handler's
    /// own thread (handlers return there through ELR_EL1).</summary>
    private static void CheckLabels(LitmusThread t, List<LitmusThread> all, string file)
    {
        foreach (var ins in t.Code)
        {
            foreach (var lab in ins.Operands.OfType<NameOperand>())
            {
                if (ins.Op is not (Opcode.B or Opcode.BCond or Opcode.Cbz or Opcode.Cbnz or Opcode.Adr)) continue;
                var ok = t.Labels.ContainsKey(lab.Name)
                    || (ins.Op == Opcode.Adr && all.Any(x => x.Proc == t.Proc && x.Labels.ContainsKey(lab.Name)));
                if (!ok) throw new LitmusParseException(file, ins.Line, $"instruction '{ins.Text}' in {t.Name}: undefined label '{lab.Name}'");
            }
        }
    }

    private sealed class ThreadBuilder(string name, int proc, bool handler)
    {
        public string Name => name;
        private readonly List<Instruction> _code = [];
        private readonly Dictionary<string, int> _labels = new(StringComparer.Ordinal);

        public void Add(string cell, string file, int line)
        {
            // A cell may carry one or more "Lx:" prefixes, or be just a label.
            while (LabelRe().Match(cell) is { Success: true } m && !m.Groups[1].Value.Contains('.'))
            {
                if (!_labels.TryAdd(m.Groups[1].Value, _code.Count))
                    throw new LitmusParseException(file, line, $"label '{m.Groups[1].Value}' defined twice in {name}");
                cell = m.Groups[2].Value.Trim();
            }
            if (cell.Length > 0) _code.AddRange(InstructionParser.ParseCell(cell, file, line));
        }

        public LitmusThread Build() => new(name, proc, handler, _code, _labels);
    }

    /// <summary>Replaces OCaml-style <c>(* ... *)</c> comments (nestable) by spaces, keeping newlines so
    /// line numbers in messages stay right.</summary>
    private static string StripComments(string text, string file)
    {
        var sb = new StringBuilder(text.Length);
        var depth = 0;
        var line = 1;
        var openLine = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n') line++;
            if (i + 1 < text.Length && text[i] == '(' && text[i + 1] == '*')
            {
                if (depth++ == 0) openLine = line;
                sb.Append("  ");
                i++;
                continue;
            }
            if (depth > 0 && i + 1 < text.Length && text[i] == '*' && text[i + 1] == ')')
            {
                depth--;
                sb.Append("  ");
                i++;
                continue;
            }
            sb.Append(depth > 0 && text[i] != '\n' ? ' ' : text[i]);
        }
        if (depth > 0) throw new LitmusParseException(file, openLine, "unterminated (* comment");
        return sb.ToString();
    }
}
