using System.Security.Cryptography;
using System.Text;

namespace HvoLab.Experiments.Scenarios;

/// <summary>Short content hashes that tie an output to what produced it: traces record their scenario's, sweep rows
/// their sweep's. SHA-256 of the canonical text, first 16 bytes in lower-case hex.</summary>
public static class ContentHash
{
    public static string Of(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));

    /// <summary>Hash of the canonical scenario (every default written out), so formatting does not matter.</summary>
    public static string Of(Scenario scenario) => Of(ScenarioLoader.Serialize(scenario));
}
