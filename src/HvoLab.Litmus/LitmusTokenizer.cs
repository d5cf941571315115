using System.Globalization;

namespace HvoLab.Litmus;

public enum TokKind { Ident, Number, String, Punct, End }

public readonly record struct Token(TokKind Kind, string Text, int Line)
{
    public override string ToString() => Kind == TokKind.End ? "end of input" : $"'{Text}'";
}

/// <summary>Tokens for the init block, conditions and state lines. Identifiers may contain '.', '-' and
/// '_' so that <c>P1.F</c>, <c>Device-GRE</c> and <c>pte_x</c> are single words; <c>/\</c> and <c>\/</c> are
/// single punctuation tokens.</summary>
public sealed class LitmusTokenizer
{
    private readonly List<Token> _tokens = [];
    private int _pos;
    public string File { get; }

    public LitmusTokenizer(string text, string file, int firstLine)
    {
        File = file;
        var line = firstLine;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n') { line++; i++; continue; }
            if (char.IsWhiteSpace(c)) { i++; continue; }
            var start = i;
            if (char.IsLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '.' or '-')) i++;
                _tokens.Add(new Token(TokKind.Ident, text[start..i], line));
            }
            else if (char.IsDigit(c) || (c == '-' && i + 1 < text.Length && char.IsDigit(text[i + 1])))
            {
                i++;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]))) i++;
                _tokens.Add(new Token(TokKind.Number, text[start..i], line));
            }
            else if (c == '"')
            {
                var end = text.IndexOf('"', i + 1);
                if (end < 0) throw new LitmusParseException(file, line, "unterminated string literal");
                _tokens.Add(new Token(TokKind.String, text[(i + 1)..end], line));
                i = end + 1;
            }
            else if ((c == '/' && At(text, i + 1, '\\')) || (c == '\\' && At(text, i + 1, '/')))
            {
                _tokens.Add(new Token(TokKind.Punct, text.Substring(i, 2), line));
                i += 2;
            }
            else if ("()[]=;:,~&*{}|".Contains(c))
            {
                _tokens.Add(new Token(TokKind.Punct, c.ToString(), line));
                i++;
            }
            else throw new LitmusParseException(file, line, $"unexpected character '{c}'");
        }
        _tokens.Add(new Token(TokKind.End, "", line));
    }

    private static bool At(string s, int i, char c) => i < s.Length && s[i] == c;

    public Token Peek(int ahead = 0) => _tokens[Math.Min(_pos + ahead, _tokens.Count - 1)];
    public Token Next() => _tokens[Math.Min(_pos++, _tokens.Count - 1)];
    public bool AtEnd => Peek().Kind == TokKind.End;
    public bool IsPunct(string p, int ahead = 0) => Peek(ahead) is { Kind: TokKind.Punct } t && t.Text == p;
    public bool IsIdent(string word, int ahead = 0) =>
        Peek(ahead) is { Kind: TokKind.Ident } t && string.Equals(t.Text, word, StringComparison.OrdinalIgnoreCase);

    public bool TryPunct(string p)
    {
        if (!IsPunct(p)) return false;
        _pos++;
        return true;
    }

    public Token Expect(string p)
    {
        if (!IsPunct(p)) throw Error($"expected '{p}' but found {Peek()}");
        return Next();
    }

    public Token ExpectKind(TokKind kind, string what)
    {
        if (Peek().Kind != kind) throw Error($"expected {what} but found {Peek()}");
        return Next();
    }

    public LitmusParseException Error(string message) => new(File, Peek().Line, message);

    public static long ParseNumber(string text, Func<string, Exception> error)
    {
        var neg = text.StartsWith('-');
        var body = neg ? text[1..] : text;
        bool ok;
        long v;
        if (body.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            ok = ulong.TryParse(body.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var u);
            v = unchecked((long)u);
        }
        else ok = long.TryParse(body, NumberStyles.None, CultureInfo.InvariantCulture, out v);
        if (!ok) throw error($"bad number '{text}'");
        return neg ? -v : v;
    }
}
