using System.Text.Encodings.Web;
using System.Text.Json;

namespace HvoLab.Experiments.Reports;

/// <summary>The JSON settings of the reports built as JSON trees (check, replay, barriers, bench, scenario validate):
/// indented, and with readable text ("≥ 20,000,000", "§5.1", "µs") rather than \u escapes — the output is data for
/// people and scripts, never embedded in HTML.</summary>
public static class ReportJson
{
    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
