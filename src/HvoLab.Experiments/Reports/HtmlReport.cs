using HvoLab.Experiments.Checking;
using System.Net;
using System.Text;
using HvoLab.Experiments.Comparison;

namespace HvoLab.Experiments.Reports;

/// <summary>One self-contained HTML file: the compare table, verdict details and the plots as base64 PNGs, so the
/// report can be mailed or attached without its directory.</summary>
public static class HtmlReport
{
    public static string Render(ComparisonResult result)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>HvoLab compare: ")
          .Append(WebUtility.HtmlEncode(result.Scenario)).Append("</title>\n<style>body{font-family:sans-serif;margin:2em}")
          .Append("table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}td:nth-child(2){white-space:nowrap}")
          .Append("td:first-child,th{text-align:left}.unsafe{color:#b00}.refused{color:#888}</style></head><body>\n");
        sb.Append("<h1>HvoLab compare: ").Append(WebUtility.HtmlEncode(result.Scenario)).Append("</h1>\n");
        sb.Append("<p>").Append(result.Cpus).Append(" CPUs, ").Append(WebUtility.HtmlEncode(result.Granule)).Append(" granule, ")
          .Append(WebUtility.HtmlEncode(ComparisonText.Plural(result.Seeds, "timed seed"))).Append(" per strategy. Every figure comes from the simulation.</p>\n");
        // What produced this file: the tool's version and the command line, so a pasted report can be reproduced.
        var p = result.Provenance;
        sb.Append("<p><small>").Append(WebUtility.HtmlEncode(p?.Version ?? Provenance.ToolVersion));
        if (p is not null)
            sb.Append(" · scenario ").Append(p.ScenarioHash).Append(" · seeds ").Append(WebUtility.HtmlEncode(p.SeedText))
              .Append(" · <code>").Append(WebUtility.HtmlEncode(p.CommandText)).Append("</code>");
        sb.Append("</small></p>\n<table><tr>");
        foreach (var h in ComparisonText.Headers) sb.Append("<th>").Append(WebUtility.HtmlEncode(h)).Append("</th>");
        sb.Append("</tr>\n");
        foreach (var r in result.Rows)
        {
            sb.Append("<tr class=\"").Append(r.Verdict.ToString().ToLowerInvariant()).Append("\">");
            foreach (var c in ComparisonText.Cells(r)) sb.Append("<td>").Append(WebUtility.HtmlEncode(c)).Append("</td>");
            sb.Append("</tr>\n");
        }
        sb.Append("</table>\n<h2>Verdicts</h2><ul>\n");
        foreach (var r in result.Rows)
            sb.Append("<li><b>").Append(WebUtility.HtmlEncode(r.Strategy)).Append("</b> (").Append(WebUtility.HtmlEncode(r.Title)).Append("): ")
              .Append(WebUtility.HtmlEncode(r.VerdictText)).Append(" — ").Append(WebUtility.HtmlEncode(r.VerdictDetail)).Append("</li>\n");
        sb.Append("</ul>\n<h2>Columns</h2><dl>\n");
        foreach (var (column, meaning) in ComparisonText.Legend)
            sb.Append("<dt>").Append(WebUtility.HtmlEncode(column)).Append("</dt><dd>").Append(WebUtility.HtmlEncode(meaning)).Append("</dd>\n");
        sb.Append("</dl>\n");
        foreach (var (title, png) in ComparisonPlots.Render(result))
            sb.Append("<h2>").Append(WebUtility.HtmlEncode(title)).Append("</h2>\n<img alt=\"").Append(WebUtility.HtmlEncode(title))
              .Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(png)).Append("\">\n");
        sb.Append("</body></html>\n");
        return sb.ToString();
    }
}
