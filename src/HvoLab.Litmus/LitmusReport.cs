using System.Globalization;
using System.Text.Json;
using System.Text;

namespace HvoLab.Litmus;

/// <summary>The result of one litmus file.</summary>
public sealed record LitmusTestResult(string Name, string Path, LitmusStatus Status, string? Reason, LitmusExploration? Exploration)
{
    public LitmusExpectation? Expected { get; init; }
    public LitmusComparison? Comparison { get; init; }
    public LitmusTest? Test { get; init; }
    public IReadOnlyList<string> Flags => Exploration is { BbmFlag: true } ? ["Warning-BBM-expected"] : [];
}

/// <summary>Counts over a run. "Agree" counts verdict agreement (kinds.txt, or the herd observation when only a
/// .expected file is present); the herd* counts are over tests with a .expected file.</summary>
public sealed record LitmusSummary(
    int Tests, int Supported, int Unsupported, int Incomplete, int Errors,
    int WithVerdict, int Agree, int ForbiddenButAllowed, int AllowedNeverSeenWeakMemory, int AllowedNeverSeenModelGap,
    int RequiredButNotAlways, int HerdCompared, int HerdStatesMatch, int HerdObservationMatch, int BbmFlagMatch)
{
    public static LitmusSummary Of(IReadOnlyList<LitmusTestResult> rs)
    {
        int Count(Agreement a) => rs.Count(r => r.Comparison?.Agreement == a);
        var herd = rs.Where(r => r.Comparison?.StatesMatch is not null).ToList();
        return new LitmusSummary(rs.Count,
            rs.Count(r => r.Status != LitmusStatus.Unsupported),
            rs.Count(r => r.Status == LitmusStatus.Unsupported),
            rs.Count(r => r.Status == LitmusStatus.Incomplete),
            rs.Count(r => r.Status == LitmusStatus.Error),
            rs.Count(r => r.Comparison is { Agreement: not Agreement.NoExpectation }),
            Count(Agreement.Agree), Count(Agreement.ForbiddenButAllowed), Count(Agreement.NeedsWeakMemory), Count(Agreement.ModelGap),
            Count(Agreement.RequiredButNotAlways),
            herd.Count, herd.Count(r => r.Comparison!.StatesMatch == true), herd.Count(r => r.Comparison!.ObservationMatches == true),
            herd.Count(r => r.Comparison!.FlagMatches == true));
    }
}

/// <summary>Output of <see cref="LitmusRunner.Run"/>: herd7-like text and JSON.</summary>
public sealed class LitmusReport(IReadOnlyList<LitmusTestResult> results)
{
    public IReadOnlyList<LitmusTestResult> Results => results;
    public LitmusSummary Summary { get; } = LitmusSummary.Of(results);

    public static string StatusName(LitmusStatus s) => s.ToString().ToLowerInvariant();

    private static string KindWord(LitmusTest? t) => t?.Final.Quantifier switch
    {
        Quantifier.NotExists => "Forbidden",
        Quantifier.Forall => "Required",
        _ => "Allowed",
    };

    public string ToText()
    {
        var sb = new StringBuilder();
        foreach (var r in results)
        {
            if (r.Exploration is not { } x || r.Status != LitmusStatus.Ok)
            {
                sb.Append("Test ").Append(r.Name).Append(' ').Append(StatusName(r.Status)).Append(": ").AppendLine(r.Reason ?? "");
                sb.AppendLine();
                continue;
            }
            var ok = r.Test is { } t && t.Final.Quantifier switch
            {
                Quantifier.Exists => x.Observation != Observation.Never,
                Quantifier.NotExists => x.Observation == Observation.Never,
                _ => x.Observation == Observation.Always,
            };
            sb.Append("Test ").Append(r.Name).Append(' ').AppendLine(KindWord(r.Test));
            sb.Append("States ").AppendLine(x.States.Count.ToString(CultureInfo.InvariantCulture));
            foreach (var s in x.States) sb.AppendLine(s.Text);
            sb.AppendLine(ok ? "Ok" : "No");
            sb.AppendLine("Witnesses");
            sb.Append("Positive: ").Append(x.Positive).Append(" Negative: ").Append(x.Negative).AppendLine();
            foreach (var f in r.Flags) sb.Append("Flag ").AppendLine(f);
            if (r.Test is { } tt) sb.Append("Condition ").AppendLine(tt.Final.ToString());
            sb.Append("Observation ").Append(r.Name).Append(' ').Append(x.Observation).Append(' ').Append(x.Positive).Append(' ').Append(x.Negative).AppendLine();
            if (r.Expected?.Verdict is { } v)
                sb.Append("Expected ").Append(v).Append(": ").AppendLine(AgreementText(r.Comparison!.Agreement));
            if (r.Comparison is { StatesMatch: not null } c)
            {
                sb.Append("herd states ").AppendLine(c.StatesMatch == true ? "match" : "differ");
                foreach (var m in c.MissingStates) sb.Append("  only in herd: ").AppendLine(m);
                foreach (var m in c.ExtraStates) sb.Append("  only in HvoLab: ").AppendLine(m);
                sb.Append("herd BBM flag ").AppendLine(c.FlagMatches == true ? "matches" : "differs");
            }
            sb.AppendLine();
        }
        var s2 = Summary;
        sb.AppendLine("Summary");
        sb.Append(CultureInfo.InvariantCulture, $"tests {s2.Tests}, supported {s2.Supported}, unsupported {s2.Unsupported}, incomplete {s2.Incomplete}, errors {s2.Errors}").AppendLine();
        sb.Append(CultureInfo.InvariantCulture, $"with verdict {s2.WithVerdict}: agree {s2.Agree}, forbidden-but-allowed {s2.ForbiddenButAllowed}, allowed-never-seen (weak memory) {s2.AllowedNeverSeenWeakMemory}, allowed-never-seen (model gap) {s2.AllowedNeverSeenModelGap}, required-but-not-always {s2.RequiredButNotAlways}").AppendLine();
        sb.Append(CultureInfo.InvariantCulture, $"herd outputs compared {s2.HerdCompared}: states match {s2.HerdStatesMatch}, observation match {s2.HerdObservationMatch}, BBM flag match {s2.BbmFlagMatch}").AppendLine();
        return sb.ToString();
    }

    public static string AgreementText(Agreement a) => a switch
    {
        Agreement.Agree => "agree",
        Agreement.ForbiddenButAllowed => "forbidden-but-allowed",
        Agreement.NeedsWeakMemory => "allowed-never-seen: needs weak-memory reordering",
        Agreement.ModelGap => "allowed-never-seen: model gap",
        Agreement.RequiredButNotAlways => "required-but-not-always",
        _ => "no expectation",
    };

    public string ToJson()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("results");
            foreach (var r in results) WriteResult(w, r);
            w.WriteEndArray();
            var s = Summary;
            w.WriteStartObject("summary");
            foreach (var p in typeof(LitmusSummary).GetProperties())
                if (p.GetValue(s) is int n) w.WriteNumber(char.ToLowerInvariant(p.Name[0]) + p.Name[1..], n);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static void WriteResult(Utf8JsonWriter w, LitmusTestResult r)
    {
        w.WriteStartObject();
        w.WriteString("name", r.Name);
        w.WriteString("path", r.Path);
        w.WriteString("status", StatusName(r.Status));
        if (r.Reason is null) w.WriteNull("reason"); else w.WriteString("reason", r.Reason);
        if (r.Exploration is { } x)
        {
            w.WriteString("observation", x.Observation.ToString());
            w.WriteStartArray("states");
            foreach (var s in x.States)
            {
                w.WriteStartObject();
                w.WriteString("state", s.Text);
                w.WriteBoolean("condition", s.ConditionHolds);
                w.WriteNumber("executions", s.Executions);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNumber("positive", x.Positive);
            w.WriteNumber("negative", x.Negative);
            w.WriteNumber("executions", x.Executions);
            w.WriteBoolean("complete", x.Complete);
            w.WriteString("model", x.Model);
            w.WriteStartArray("oracleKinds");
            foreach (var k in x.BbmKinds) w.WriteStringValue(k);
            w.WriteEndArray();
        }
        else w.WriteNull("observation");
        w.WriteStartArray("flags");
        foreach (var f in r.Flags) w.WriteStringValue(f);
        w.WriteEndArray();
        if (r.Expected?.Verdict is { } v) w.WriteString("expected", v.ToString()); else w.WriteNull("expected");
        if (r.Comparison is { } c)
        {
            w.WriteString("agreement", AgreementText(c.Agreement));
            w.WriteBoolean("agrees", c.Agreement == Agreement.Agree);
            if (c.StatesMatch is { } sm)
            {
                w.WriteBoolean("herdStatesMatch", sm);
                w.WriteBoolean("herdObservationMatch", c.ObservationMatches == true);
                w.WriteBoolean("bbmFlagMatch", c.FlagMatches == true);
            }
        }
        else w.WriteNull("agrees");
        w.WriteEndObject();
    }
}
