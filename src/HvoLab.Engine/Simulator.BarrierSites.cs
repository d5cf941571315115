namespace HvoLab.Engine;

/// <summary>The named barrier sites an execution passed through (hvolab barriers lists them), and the one
/// <see cref="SimOptions.OmitBarrierSite"/> removes (or several, separated by "; ": a barrier that is redundant only
/// because another one orders the same stores is shown by leaving out both).</summary>
public sealed partial class Simulator
{
    private readonly HashSet<string> _barrierSites = new(StringComparer.Ordinal);

    /// <summary>Every named barrier site executed so far in this run.</summary>
    public IReadOnlyCollection<string> BarrierSites => _barrierSites;

    /// <summary>Records that <paramref name="site"/> was reached; true when this run omits it. Sites are string
    /// constants, so after the first time this allocates nothing.</summary>
    internal bool OmitsBarrier(string site)
    {
        _barrierSites.Add(site);
        var omit = Options.OmitBarrierSite;
        if (omit is null) return false;
        if (string.Equals(site, omit, StringComparison.Ordinal)) return true;
        _omitted ??= new HashSet<string>(omit.Split("; "), StringComparer.Ordinal);
        return _omitted.Contains(site);
    }

    private HashSet<string>? _omitted;
}
