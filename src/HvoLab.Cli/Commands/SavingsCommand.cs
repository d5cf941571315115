using System.CommandLine;
using HvoLab.Experiments.Savings;
using HvoLab.Experiments.Scenarios;
using Spectre.Console;

namespace HvoLab.Cli.Commands;

/// <summary>`hvolab savings`: vmemmap freed per hugepage (and per pool with --memory), measured on the model.</summary>
public static class SavingsCommand
{
    public static Command Build(CliContext cli)
    {
        var granule = Options.Granule();
        var hugepage = Options.Hugepage();
        var memory = new Option<string?>("--memory") { Description = "Memory given to hugepages, e.g. 1TiB.", HelpName = "SIZE" };
        var format = Options.Format("table", "json");
        var cmd = new Command("savings", "How much vmemmap HVO frees for a granule, hugepage size and memory size.") { granule, hugepage, memory, format };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            var g = r.GetValue(granule) is { } gt ? CliValues.Granule("--granule", gt) : null;
            ulong? h = r.GetValue(hugepage) is { } ht ? CliValues.Size("--hugepage", ht) : null;
            ulong? m = r.GetValue(memory) is { } mt ? CliValues.Size("--memory", mt) : null;
            var rows = VmemmapSavings.Measure(g, h, m);
            if (r.GetValue(format) == "json") cli.Out.WriteLine(SavingsReport.ToJson(rows));
            else WriteTable(cli.Out, rows, m is not null);
            return CliContext.Ok;
        }));
        return cmd;
    }

    private static void WriteTable(TextWriter output, IReadOnlyList<SavingsRow> rows, bool pool)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 120;   // not a terminal: Spectre would assume 80 columns and wrap the headers
        var table = new Table().AddColumns("granule", "hugepage", "vmemmap pages", "freed pages", "freed per hugepage");
        if (pool) table.AddColumn("freed in pool");
        foreach (var c in table.Columns.Skip(2)) c.RightAligned();
        foreach (var r in rows)
        {
            var cells = new List<string> { r.Granule.Name, Units.FormatSize(r.Hugepage), SavingsReport.Pages(r.VmemmapPages),
                r.FreedPages.ToString(System.Globalization.CultureInfo.InvariantCulture), SavingsReport.Bytes(r.FreedBytes) };
            if (pool) cells.Add(SavingsReport.Bytes(r.PoolFreedBytes ?? 0));
            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }
        console.Write(table);
    }
}
