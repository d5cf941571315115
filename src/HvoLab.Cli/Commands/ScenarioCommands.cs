using System.CommandLine;
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
        var validate = new Command("validate", "Check a scenario file; print \"valid\" with warnings and refusals, or the first error.") { file };
        validate.SetAction(r => CliErrors.Guard(cli, () =>
        {
            var s = ScenarioLoader.Load(r.GetRequiredValue(file), "FILE");
            cli.Out.WriteLine("valid");
            Report(cli.Out, s);
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

    /// <summary>One line each, with a fixed prefix so scripts can grep them.</summary>
    private static void Report(TextWriter to, Scenario s)
    {
        foreach (var w in s.Warnings) to.WriteLine($"warning: {w}");
        foreach (var r in s.Refusals) to.WriteLine($"refused: {r.Strategy}: {r.Reason}");
    }
}
