using System.Reflection;
using System.Text;
using System.Text.Json.Serialization;

namespace HvoLab.Experiments.Scenarios;

/// <summary>
/// The words a scenario file (and the command line) uses for the values of one enum, and the one parser of them:
/// a member's word is its <see cref="JsonStringEnumMemberNameAttribute"/> name, or its name in kebab case
/// (PfnWalker → "pfn-walker"), unless the constructor names it. The "use …" list of every message is generated
/// from the enum, in declaration order, so a new member is allowed everywhere at once.
/// </summary>
public sealed class EnumWords<T> where T : struct, Enum
{
    private readonly (T Value, string Word)[] _entries;

    /// <param name="words">Words for members whose kebab-case name is not the file's word (e.g. an enum owned by
    /// a lower layer that cannot carry the attribute).</param>
    public EnumWords(params (T Value, string Word)[] words)
    {
        _entries = Enum.GetValues<T>().Select(v => (v, words.FirstOrDefault(w => w.Value.Equals(v)).Word ?? DefaultWord(v))).ToArray();
        Words = _entries.Select(e => e.Word).ToArray();
    }

    /// <summary>Every word, in declaration order.</summary>
    public IReadOnlyList<string> Words { get; }

    public string Word(T value)
    {
        foreach (var e in _entries) if (e.Value.Equals(value)) return e.Word;
        throw new ArgumentOutOfRangeException(nameof(value), value, $"not a {typeof(T).Name}");
    }

    public bool TryParse(string? text, out T value, bool ignoreCase = false)
    {
        var cmp = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        foreach (var e in _entries)
            if (string.Equals(e.Word, text, cmp)) { value = e.Value; return true; }
        value = default;
        return false;
    }

    /// <summary>"\"alloc\", \"free\", \"demote\"": the allowed values as a scenario message lists them.</summary>
    public string AllowedText => string.Join(", ", Words.Select(w => $"\"{w}\""));

    /// <summary>A command-line value, matched case-insensitively; otherwise an <see cref="ArgumentException"/>
    /// naming <paramref name="option"/>, the value and the allowed words.</summary>
    public T ParseOption(string option, string text) => TryParse(text, out var v, ignoreCase: true) ? v
        : throw new ArgumentException($"{option}: \"{text}\" is not allowed; use {string.Join(", ", Words)}" + Suggest.Hint(text, Words));

    private static string DefaultWord(T value)
    {
        var name = value.ToString();
        var attribute = typeof(T).GetField(name)?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>();
        if (attribute is not null) return attribute.Name;
        var b = new StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) b.Append('-');
            b.Append(char.ToLowerInvariant(name[i]));
        }
        return b.ToString();
    }
}
