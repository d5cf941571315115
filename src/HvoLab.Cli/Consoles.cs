using Spectre.Console;

namespace HvoLab.Cli;

/// <summary>Spectre consoles over the CLI's writers, so tests capture output and nothing writes to Console directly.</summary>
public static class Consoles
{
    /// <summary>The width tables fit: COLUMNS when set (as shells export it), else the terminal's width when stdout is
    /// one, else 100.</summary>
    public static int Width()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out int columns) && columns >= 20) return columns;
        try { if (!Console.IsOutputRedirected && Console.WindowWidth >= 20) return Console.WindowWidth; }
        catch (IOException) { }
        return 100;
    }

    /// <summary>Plain (no ANSI) console for tables, <see cref="Width"/> columns wide unless told otherwise.</summary>
    public static IAnsiConsole Plain(TextWriter w, int? width = null)
    {
        var c = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(w), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
        });
        c.Profile.Width = width ?? Width();
        return c;
    }

    /// <summary>The progress console on stderr: animated only when stderr is the real, unredirected terminal, so
    /// stdout stays clean for JSON and captured stderr holds no escape codes.</summary>
    public static IAnsiConsole Progress(TextWriter err)
    {
        bool live = ReferenceEquals(err, Console.Error) && !Console.IsErrorRedirected;
        var c = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(err), Ansi = live ? AnsiSupport.Detect : AnsiSupport.No,
            Interactive = live ? InteractionSupport.Yes : InteractionSupport.No,
            ColorSystem = live ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        return c;
    }

    /// <summary>Runs <paramref name="work"/> with a progress bar on stderr (live terminal) or silently; the work
    /// reports (done, total) units.</summary>
    public static T WithProgress<T>(TextWriter err, string label, Func<Action<int, int>, T> work) =>
        WithProgressDetail(err, label, report => work((done, total) =>
            report(total > 0 ? (double)done / total : 0, $"{label} {done}/{total}")));

    /// <summary>Runs <paramref name="work"/> with a progress bar on stderr (live terminal) or silently; the work
    /// reports the fraction done (0..1; what remains of its budget) and a one-line description (what it explored, how
    /// fast). Reports may come from any thread and as often as the work likes: the bar reads the latest ten times a
    /// second, so the work never waits on the console.</summary>
    public static T WithProgressDetail<T>(TextWriter err, string label, Func<Action<double, string>, T> work)
    {
        var console = Progress(err);
        if (!console.Profile.Capabilities.Interactive) return work((_, _) => { });
        T result = default!;
        console.Progress().AutoClear(true).HideCompleted(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(label), maxValue: 1);
                result = work((fraction, detail) =>
                {
                    task.Value = Math.Clamp(fraction, 0, 1);
                    task.Description = Markup.Escape(detail);
                });
            });
        return result;
    }
}
