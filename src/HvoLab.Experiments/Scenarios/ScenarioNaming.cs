using System.Text.Json;

namespace HvoLab.Experiments.Scenarios;

internal static class ScenarioNaming
{
    /// <summary>"TlbiBaseNs" → "tlbi_base_ns", the same mapping the JSON files use for every other name.</summary>
    public static string Snake(string pascal) => JsonNamingPolicy.SnakeCaseLower.ConvertName(pascal);
}
