using System.Diagnostics;
using System.Globalization;

namespace HvoLab.Cli;

/// <summary>
/// Progress of a search for the stderr bar: executions so far, their rate, and what remains of the budget that will
/// stop the search first (executions or wall-clock seconds). An exhaustive search has no known total, so the bar
/// shows the budget consumed — reaching its end means "not refuted", not "done".
/// </summary>
public sealed class CheckProgress(string label, string mode, long maxExecutions, double wallSeconds, Action<double, string> report)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _executions;

    /// <summary>Counts one execution; reports every 32nd (any thread).</summary>
    public void OnExecution()
    {
        long n = Interlocked.Increment(ref _executions);
        if ((n & 31) != 1) return;
        double s = _clock.Elapsed.TotalSeconds;
        double fraction = Math.Max((double)n / maxExecutions, s / wallSeconds);
        string rate = s > 0 ? (n / s).ToString("N0", CultureInfo.InvariantCulture) : "–";
        report(fraction, $"{label} ({mode}): {n.ToString("N0", CultureInfo.InvariantCulture)} executions, {rate}/s; "
            + $"budget {maxExecutions.ToString("N0", CultureInfo.InvariantCulture)} or {wallSeconds:0} s");
    }
}
