using System.Globalization;
using System.Text.RegularExpressions;

namespace HvoLab.Litmus;

public enum Verdict { Allowed, Forbidden, Required }

public enum Observation { Sometimes, Never, Always }

/// <summary>One final state printed by herd7: the conjunction of its <c>loc=value;</c> and fault atoms.</summary>
public sealed record ExpectedState(IReadOnlyList<LitCondition> Atoms)
{
    public override string ToString() => string.Join(" ", Atoms.Select(a => a + ";"));
}

/// <summary>herd7's output for one test (the <c>.litmus.expected</c> files).</summary>
public sealed record ExpectedOutcome(
    string TestName,
    Verdict? Kind,
    IReadOnlyList<ExpectedState> States,
    bool Ok,
    long Positive,
    long Negative,
    IReadOnlyList<string> Flags,
    FinalCondition? Condition,
    Observation Observation,
    string? Hash);

/// <summary>Readers for herd7 output and the catalogue's <c>kinds.txt</c>.</summary>
public static partial class ExpectedReader
{
    [GeneratedRegex(@"^Observation\s+(\S+)\s+(Sometimes|Never|Always)\s+([0-9]+)\s+([0-9]+)\s*$")] private static partial Regex ObservationRe();
    [GeneratedRegex(@"^Positive:\s*([0-9]+)\s+Negative:\s*([0-9]+)\s*$")] private static partial Regex WitnessRe();

    public static ExpectedOutcome ReadFile(string path) => Parse(HvoLab.Engine.Host.HostFile.ReadText("PATH", path, 4 * LitmusParser.MaxFileBytes), path);

    public static ExpectedOutcome Parse(string text, string file)
    {
        var lines = text.Replace("\r", "").Split('\n');
        string? name = null, hash = null;
        Verdict? kind = null;
        var states = new List<ExpectedState>();
        bool? ok = null;
        long pos = -1, neg = -1;
        var flags = new List<string>();
        FinalCondition? cond = null;
        Observation? obs = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var l = lines[i].Trim();
            LitmusParseException Err(string why) => new(file, i + 1, why);
            if (l.Length == 0) continue;
            var words = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (words[0])
            {
                case "Test" when words.Length is 2 or 3:
                    name = words[1];
                    if (words.Length == 3) kind = ParseVerdict(words[2]) ?? throw Err($"unknown test kind '{words[2]}'");
                    break;
                case "States" when words.Length == 2:
                    var n = int.Parse(words[1], CultureInfo.InvariantCulture);
                    for (var k = 0; k < n; k++)
                    {
                        if (++i >= lines.Length) throw Err($"expected {n} states, file ended after {k}");
                        states.Add(ParseState(lines[i], file, i + 1));
                    }
                    break;
                case "Ok": ok = true; break;
                case "No": ok = false; break;
                case "Witnesses": break;
                case "Flag" when words.Length == 2: flags.Add(words[1]); break;
                case "Condition":
                    var p = new LitmusExprParser(new LitmusTokenizer(l["Condition".Length..], file, i + 1));
                    cond = ParseQuantified(p);
                    break;
                default:
                    if (WitnessRe().Match(l) is { Success: true } w)
                    {
                        pos = long.Parse(w.Groups[1].Value, CultureInfo.InvariantCulture);
                        neg = long.Parse(w.Groups[2].Value, CultureInfo.InvariantCulture);
                    }
                    else if (ObservationRe().Match(l) is { Success: true } o) obs = Enum.Parse<Observation>(o.Groups[2].Value);
                    else if (l.StartsWith("Hash=", StringComparison.Ordinal)) hash = l[5..];
                    else throw Err($"unexpected line in herd7 output: '{l}'");
                    break;
            }
        }
        if (name is null) throw new LitmusParseException(file, 1, "missing 'Test NAME' line");
        if (ok is null || obs is null || pos < 0)
            throw new LitmusParseException(file, lines.Length, "missing Ok/No, Witnesses or Observation line");
        return new ExpectedOutcome(name, kind, states, ok.Value, pos, neg, flags, cond, obs.Value, hash);
    }

    /// <summary>A state line <c>1:X0=1; 1:X2=2; fault(P0,x);</c> (herd also prints <c>~fault(...)</c>).</summary>
    public static ExpectedState ParseState(string line, string file, int lineNo)
    {
        var p = new LitmusExprParser(new LitmusTokenizer(line, file, lineNo));
        var atoms = new List<LitCondition>();
        while (!p.Tokens.AtEnd)
        {
            if (p.Tokens.TryPunct(";")) continue;
            atoms.Add(p.ParseUnary());
        }
        return new ExpectedState(atoms);
    }

    private static FinalCondition ParseQuantified(LitmusExprParser p)
    {
        var tok = p.Tokens;
        Quantifier q;
        if (tok.IsIdent("exists")) q = Quantifier.Exists;
        else if (tok.IsIdent("forall")) q = Quantifier.Forall;
        else if (tok.IsPunct("~") && tok.IsIdent("exists", 1)) { tok.Next(); q = Quantifier.NotExists; }
        else throw tok.Error($"expected a quantifier but found {tok.Peek()}");
        tok.Next();
        var c = p.ParseCondition();
        if (!tok.AtEnd) throw tok.Error($"unexpected {tok.Peek()} after condition");
        return new FinalCondition(q, c);
    }

    /// <summary>Normalises the spellings used in kinds files (Allow/Allowed, Forbid/Forbidden, Required).</summary>
    public static Verdict? ParseVerdict(string word) => word switch
    {
        "Allow" or "Allowed" => Verdict.Allowed,
        "Forbid" or "Forbidden" => Verdict.Forbidden,
        "Require" or "Required" => Verdict.Required,
        _ => null,
    };

    /// <summary>Reads <c>kinds.txt</c>: one <c>NAME VERDICT</c> per line; blank lines and <c>#</c> comments ignored.</summary>
    public static IReadOnlyDictionary<string, Verdict> ReadKinds(string path)
    {
        var result = new Dictionary<string, Verdict>(StringComparer.Ordinal);
        var lines = HvoLab.Engine.Host.HostFile.ReadText("PATH", path, 4 * LitmusParser.MaxFileBytes).Replace("\r", "").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var l = lines[i].Trim();
            if (l.Length == 0 || l.StartsWith('#')) continue;
            var w = l.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (w.Length != 2) throw new LitmusParseException(path, i + 1, $"expected 'NAME VERDICT', found '{l}'");
            var v = ParseVerdict(w[1]) ?? throw new LitmusParseException(path, i + 1, $"unknown verdict '{w[1]}'");
            if (!result.TryAdd(w[0], v)) throw new LitmusParseException(path, i + 1, $"test '{w[0]}' listed twice");
        }
        return result;
    }
}
