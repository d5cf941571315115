using System.CommandLine;
using System.Text.Json;
using HvoLab.Arch;
using HvoLab.Experiments.Scenarios;
using Spectre.Console;

namespace HvoLab.Cli.Commands;

/// <summary>`hvolab cpus`: the named CPU profiles (machine.cpu) with their features, errata and sources; and what
/// `hvolab strategies --cpu NAME` asks of them (which strategies the kernel's gates allow on that CPU).</summary>
public static class CpuCommands
{
    public static Command Cpus(CliContext cli)
    {
        var format = Options.Format("table", "json");
        var cmd = new Command("cpus", "List the named CPU profiles (machine.cpu): features the kernel checks, errata, and where each value comes from.") { format };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            if (r.GetValue(format) == "json")
            {
                var rows = CpuProfiles.All.Select(p => new
                {
                    name = p.Name, title = p.Title,
                    features = p.Features.ToDictionary(kv => kv.Key, kv => new { value = kv.Value.Value, assumed = kv.Value.Assumed, source = kv.Value.Source }),
                    errata = p.Errata, errata_source = p.ErrataSource,
                    workarounds = CpuProfiles.KernelRepeatsTlbi(p.Errata.Aggregate(ArchErrata.None, (a, e) => a | ErrataNames.Parse(e))) ? new[] { WorkaroundNames.RepeatTlbi } : [],
                });
                cli.Out.WriteLine(JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
                return CliContext.Ok;
            }
            var table = new Table().AddColumns(["name", .. CpuFeatures.All, "errata"]);
            foreach (var p in CpuProfiles.All)
                table.AddRow([p.Name, .. CpuFeatures.All.Select(f => Show(p.Features[f])), p.Errata.Count == 0 ? "-" : string.Join(", ", p.Errata)]);
            var console = Consoles.Plain(cli.Out, 200);
            console.Write(table);
            cli.Out.WriteLine("* = assumed: no stored source gives the value. Sources:");
            foreach (var p in CpuProfiles.All)
            {
                cli.Out.WriteLine($"  {p.Name} ({p.Title}): errata {p.ErrataSource}");
                foreach (var (f, v) in p.Features) cli.Out.WriteLine($"    {f} = {(v.Value ? "yes" : "no")}{(v.Assumed ? " (assumed)" : "")}: {v.Source}");
            }
            return CliContext.Ok;
        }));
        return cmd;
    }

    private static string Show(FeatureValue v) => (v.Value ? "yes" : "no") + (v.Assumed ? "*" : "");

    /// <summary>Per strategy, whether the kernel would run it on <paramref name="cpu"/>, from the same refusals a
    /// scenario with <c>machine.cpu</c> = that profile gets.</summary>
    public static IReadOnlyList<(string Strategy, string? Refusal)> Gates(string cpu)
    {
        if (!CpuProfiles.TryGet(cpu, out var p))
            throw new ArgumentException($"--cpu: \"{cpu}\" is not a CPU profile; allowed: {string.Join(", ", CpuProfiles.All.Select(c => c.Name))}");
        var s = ScenarioResolver.Resolve(new ScenarioSpec { Machine = new MachineSpec { Cpu = p.Name } });
        return s.Strategies.Select(n => (n, s.Refusals.FirstOrDefault(x => x.Strategy == n)?.Reason)).ToArray();
    }
}
