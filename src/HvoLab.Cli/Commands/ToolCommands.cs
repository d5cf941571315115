using System.CommandLine;
using HvoLab.Experiments.Bench;

namespace HvoLab.Cli.Commands;

/// <summary>Tools beside the simulator: litmus tests, benchmarks, PTE decode/encode.</summary>
public static class ToolCommands
{
    public static IEnumerable<Command> Build(CliContext cli)
    {
        yield return Litmus(cli);
        yield return Bench(cli);
        yield return Pte(cli);
    }

    private static Command Litmus(CliContext cli)
    {
        var paths = new Argument<string[]>("PATH") { Description = "Litmus files or directories.", Arity = ArgumentArity.OneOrMore };
        var format = Options.Format("text", "json");
        var maxExecutions = new Option<int?>("--max-executions")
        {
            Description = "Executions explored per test before it is reported incomplete (default 200000).", HelpName = "N",
        };
        var testWall = new Option<int?>("--test-wall")
        {
            Description = "Wall-clock seconds per test before it is reported incomplete (default 30; 0: no limit, so the " +
                          "result depends only on --max-executions and is the same on any machine).", HelpName = "SECONDS",
        };
        var dataModel = new Option<string?>("--data-model")
        {
            Description = "Data-memory model: arm-view (default: the view-based Arm model for data-only tests, sequentially " +
                          "consistent data for translation tests), sc (the machine binding, sequentially consistent, for every test), engine-arm " +
                          "(the machine binding with the store-buffer model the kernel checks use, data words accessed by PA as kernel " +
                          "globals; translation tests are reported unsupported), engine-arm-va (the same with the data words accessed by " +
                          "VA, as struct page fields are; translation tests too, their stores buffered after their translation).", HelpName = "MODEL",
        };
        var cmd = new Command("litmus", "Run litmus tests of the memory and translation model.") { paths, format, maxExecutions, testWall, dataModel };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
        {
            var list = r.GetRequiredValue(paths);
            foreach (var p in list)
                if (!File.Exists(p) && !Directory.Exists(p)) throw new ArgumentException($"PATH: \"{p}\" does not exist; give litmus files or folders");
            var options = new HvoLab.Litmus.LitmusRunOptions();
            if (r.GetValue(maxExecutions) is { } n) options = options with { MaxExecutions = CliValues.Positive("--max-executions", n) };
            if (r.GetValue(testWall) is { } w)
                options = options with { TestWallBudget = CliValues.NonNegative("--test-wall", w) == 0 ? TimeSpan.MaxValue : TimeSpan.FromSeconds(w) };
            options = r.GetValue(dataModel) switch
            {
                null or "arm-view" => options,
                "sc" => options with { ArmDataModel = false },
                "engine-arm" => options with { EngineArmData = true },
                "engine-arm-va" => options with { EngineArmData = true, EngineArmByVa = true },
                var m => throw new ArgumentException($"--data-model: \"{m}\" is not a data model; use arm-view, sc, engine-arm or engine-arm-va"),
            };
            int total = HvoLab.Litmus.LitmusRunner.Files(list).Count, done = 0;
            cli.Stop.Observe();
            options = options with { Cancel = cli.Cancel };
            var report = Consoles.WithProgressDetail(cli.Err, "litmus", progress =>
                HvoLab.Litmus.LitmusRunner.Run(list, options with
                {
                    Progress = t => { done++; progress((double)done / total, $"litmus {done}/{total}: {t.Name}"); },
                }));
            cli.Out.WriteLine(r.GetValue(format) == "json" ? report.ToJson() : report.ToText());
            if (cli.Cancel.IsCancellationRequested && report.Results.Count < total)
            {
                cli.Err.WriteLine($"hvolab: interrupted; the report above covers {report.Results.Count} of {total} tests");
                return CliContext.Interrupted;
            }
            return CliContext.Ok;
        }));
        return cmd;
    }

    private static Command Bench(CliContext cli)
    {
        var quick = new Option<bool>("--quick") { Description = "Short runs for CI." };
        var format = Options.Format("table", "json");
        var cmd = new Command("bench", "Measure simulator throughput.") { quick, format };
        cmd.SetAction(r => CliErrors.Guard(cli, () =>
            RunBench(cli, r.GetValue(quick) ? BenchConfig.Quick : BenchConfig.Full, r.GetValue(format) ?? "table")));
        return cmd;
    }

    /// <summary>Runs the headline figures (<see cref="BenchSuite"/>) and prints each beside its target. Exit 0 even
    /// when a target is missed: the figures are the output, not a verdict.</summary>
    public static int RunBench(CliContext cli, BenchConfig config, string format)
    {
        // The suite reports no steps of its own; the bar shows that it runs and for how long (Elapsed column).
        var figures = Consoles.WithProgressDetail(cli.Err, "bench", report =>
        {
            report(0, $"bench: measuring the {(config == BenchConfig.Quick ? "quick" : "full")} suite; figures print at the end");
            return BenchSuite.Run(config);
        });
        cli.Out.Write(format == "json" ? BenchSuite.ToJson(figures) + Environment.NewLine : BenchSuite.ToTable(figures));
        return CliContext.Ok;
    }

    private static Command Pte(CliContext cli)
    {
        var group = new Command("pte", "Decode and encode arm64 translation table entries.");

        var value = new Argument<string>("VALUE") { Description = "Descriptor value, hex (0x…) or decimal." };
        var granule = Options.Granule();
        var level = Level();
        var decodeFormat = Options.Format("text", "json");
        var decode = new Command("decode", "Explain the fields of a descriptor.") { value, granule, level, decodeFormat };
        decode.SetAction(r => CliErrors.Guard(cli, () =>
        {
            var gr = r.GetValue(granule) is { } g ? CliValues.Granule("--granule", g) : HvoLab.Arch.Granule.K4;
            ulong v = HvoLab.Arch.DescriptorFormatter.ParseValue(r.GetRequiredValue(value), "VALUE");
            WriteDescriptor(cli, v, gr, r.GetValue(level) ?? 3, r.GetValue(decodeFormat) == "json", withValue: false);
            return CliContext.Ok;
        }));
        group.Add(decode);

        var prot = new Argument<string>("PROT") { Description = "Protection, e.g. PAGE_KERNEL, PAGE_KERNEL_RO, PROT_SECT_NORMAL." };
        var pfn = new Option<string>("--pfn") { Description = "Output page frame number, hex (0x…) or decimal.", HelpName = "N", Required = true };
        var encGranule = Options.Granule();
        var encLevel = Level();
        var set = new Option<string[]>("--set") { Description = "Override a field, e.g. AF=0 (repeatable).", HelpName = "FIELD=VALUE" };
        var encodeFormat = Options.Format("text", "json");
        var encode = new Command("encode", "Build a descriptor from a protection and a PFN.") { prot, pfn, encGranule, encLevel, set, encodeFormat };
        encode.SetAction(r => CliErrors.Guard(cli, () =>
        {
            var gr = r.GetValue(encGranule) is { } g ? CliValues.Granule("--granule", g) : HvoLab.Arch.Granule.K4;
            var sets = r.GetValue(set) ?? [];
            foreach (var s in sets) CliValues.Assignment("--set", s);
            int lvl = r.GetValue(encLevel) ?? 3;
            ulong v = HvoLab.Arch.DescriptorFormatter.EncodePfn(r.GetRequiredValue(prot),
                HvoLab.Arch.DescriptorFormatter.ParseValue(r.GetRequiredValue(pfn), "--pfn"), lvl, gr, sets);
            WriteDescriptor(cli, v, gr, lvl, r.GetValue(encodeFormat) == "json", withValue: true);
            return CliContext.Ok;
        }));
        group.Add(encode);
        return group;
    }

    /// <summary>The descriptor as text (encode prints the bare value first, for scripts) or as one JSON object of
    /// every field (<see cref="HvoLab.Arch.DescriptorFormatter.Fields"/>, the same fields and order as the text).</summary>
    private static void WriteDescriptor(CliContext cli, ulong v, HvoLab.Arch.Granule g, int level, bool json, bool withValue)
    {
        if (json)
        {
            cli.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(HvoLab.Arch.DescriptorFormatter.Fields(v, g, level),
                new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            return;
        }
        if (withValue) cli.Out.WriteLine($"0x{v:x16}");
        cli.Out.WriteLine(HvoLab.Arch.DescriptorFormatter.Describe(v, g, level));
    }

    private static Option<int?> Level()
    {
        var o = new Option<int?>("--level") { Description = "Translation level 0..3 (default 3).", HelpName = "0..3" };
        o.Validators.Add(r =>
        {
            // Read the token, not the value: GetValueOrDefault throws when the token is not an integer (fuzz
            // regression pte-level-not-a-number.json); the parser has already reported that case.
            if (r.Tokens.Count > 0 && int.TryParse(r.Tokens[^1].Value, System.Globalization.NumberStyles.Integer,
                    System.Globalization.CultureInfo.InvariantCulture, out var l) && l is < 0 or > 3)
                r.AddError($"--level: {l} is not allowed; use 0..3");
        });
        return o;
    }
}
