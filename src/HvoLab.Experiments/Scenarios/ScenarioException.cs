namespace HvoLab.Experiments.Scenarios;

/// <summary>A scenario the user wrote is not acceptable. The message is one line: "JSON path: what is wrong; what is
/// allowed", so the CLI can print it as is.</summary>
public sealed class ScenarioException : Exception
{
    /// <summary>JSON path of the offending value, e.g. "$.machine.granule"; "$" for the document itself.</summary>
    public string JsonPath { get; }

    public ScenarioException(string jsonPath, string detail, Exception? inner = null)
        : base($"{jsonPath}: {detail}", inner) => JsonPath = jsonPath;
}
