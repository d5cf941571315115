using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using HvoLab.Experiments.Scenarios;

namespace HvoLab.Cli.Commands;

/// <summary>"hvolab scenario schema|validate|show": the scenario format itself.</summary>
public static class ScenarioCommands
{
    public static Command Build(CliContext cli)
    {
        var group = new Command("scenario", "Inspect and validate scenario files.");

        var schema = new Command("schema", "Print the JSON Schema (draft 2020-12) of the scenario format.");
        schema.SetAction(_ => CliErrors.Guard(cli, () =>
        {
            cli.Out.Write(ScenarioLoader.Schema());
            return CliContext.Ok;
        }));
        group.Add(schema);

        var file = new Argument<string>("FILE") { Description = "Scenario JSON file." };
        var format = Options.Format("text", "json");
        var validate = new Command("validate", "Check a scenario file; print \"valid\" with warnings and refusals, or the first error (exit 2).") { file, format };
        validate.SetAction(r => CliErrors.Guard(cli, () =>
        {
            string path = r.GetRequiredValue(file);
            if (r.GetValue(format) != "json")
            {
                var s = ScenarioLoader.Load(path, "FILE");
                cli.Out.WriteLine("valid");
                Report(cli.Out, s);
                return CliContext.Ok;
            }
            // JSON: the verdict on stdout either way, so a script reads one object; a bad file still exits 2 and
            // still says why on stderr.
            Scenario loaded;
            try { loaded = ScenarioLoader.Load(path, "FILE"); }
            catch (Exception e) when (CliErrors.IsUserError(e))
            {
                cli.Out.WriteLine(Json(new JsonObject { ["file"] = path, ["valid"] = false, ["error"] = CliErrors.OneLine(e.Message) }));
                return cli.Fail(e.Message);
            }
            cli.Out.WriteLine(Json(new JsonObject
            {
                ["file"] = path, ["valid"] = true, ["name"] = loaded.Name, ["scenario_hash"] = ContentHash.Of(loaded),
                ["warnings"] = new JsonArray(loaded.Warnings.Select(w => (JsonNode?)w).ToArray()),
                ["refusals"] = new JsonArray(loaded.Refusals.Select(x => (JsonNode?)new JsonObject { ["strategy"] = x.Strategy, ["reason"] = x.Reason }).ToArray()),
            }));
            return CliContext.Ok;
        }));
        group.Add(validate);

        var scenarioOption = Options.Scenario();
        var show = new Command("show", "Print the resolved scenario with every default filled in.") { scenarioOption };
        show.SetAction(r => CliErrors.Guard(cli, () =>
        {
            var s = CliScenario.Resolve(r.GetValue(scenarioOption));
            cli.Out.Write(ScenarioLoader.Serialize(s));
            // stdout stays pure JSON so "show > file.json" round-trips; notes go to stderr.
            Report(cli.Err, s);
            return CliContext.Ok;
        }));
        group.Add(show);
        return group;
    }

    private static string Json(JsonObject o) =>
        o.ToJsonString(HvoLab.Experiments.Reports.ReportJson.Indented);

    /// <summary>One line each, with a fixed prefix so scripts can grep them.</summary>
    private static void Report(TextWriter to, Scenario s)
    {
        foreach (var w in s.Warnings) to.WriteLine($"warning: {w}");
        foreach (var r in s.Refusals) to.WriteLine($"refused: {r.Strategy}: {r.Reason}");
    }
}
