namespace HvoLab.Engine.Schedulers;

/// <summary>
/// How the workers of one search hand parts of their subtrees to each other once the list of subtrees is used up, so
/// that no core idles while one large subtree is still being searched (a static split leaves the last large subtree
/// to one worker). A worker out of work asks another for a part; the asked worker answers between two executions —
/// its stack is its own, so nothing is locked on the search's path — by cutting a <see cref="SearchPart"/> off its
/// stack, or with nothing. A worker waiting for a part it gave away asks the others for work meanwhile.
/// </summary>
internal sealed class WorkSharing(int workers)
{
    private sealed class Request
    {
        public SearchPart? Part;
        public readonly ManualResetEventSlim Answered = new();
    }

    private readonly Request?[] _requests = new Request?[workers];
    private int _busy;
    private int _parts;

    /// <summary>Parts handed from one worker to another so far.</summary>
    public int Parts => Volatile.Read(ref _parts);
    /// <summary>True when no worker holds work: a worker out of work may stop.</summary>
    public bool AllIdle => Volatile.Read(ref _busy) == 0;
    public void Enter() => Interlocked.Increment(ref _busy);
    public void Leave() => Interlocked.Decrement(ref _busy);

    /// <summary>Called by worker <paramref name="me"/> between executions: answers a request addressed to it with a part
    /// cut off <paramref name="stack"/> (recorded in <paramref name="given"/>), or with nothing.</summary>
    public void Poll(int me, List<DfsScheduler.Node> stack, int index, List<SearchPart> given)
    {
        if (Volatile.Read(ref _requests[me]) is null) return;
        var r = Interlocked.Exchange(ref _requests[me], null);
        if (r is null) return;
        var part = SearchPart.CutFrom(stack, index);
        if (part is not null)
        {
            Interlocked.Increment(ref _busy);   // the taker's, before it is handed over: "all idle" never lies
            Interlocked.Increment(ref _parts);
            part.Taken = true;
            given.Add(part);
        }
        r.Part = part;
        r.Answered.Set();
    }

    /// <summary>Answers a request addressed to <paramref name="me"/> with nothing (it has no stack to cut).</summary>
    public void Decline(int me)
    {
        if (Volatile.Read(ref _requests[me]) is null) return;
        if (Interlocked.Exchange(ref _requests[me], null) is { } r) r.Answered.Set();
    }

    /// <summary>Asks the other workers, in turn, for a part; null when none gave one (then wait a little before
    /// asking again). The part counts as busy work of the caller from the moment it is given.</summary>
    public SearchPart? Take(int me)
    {
        for (int k = 1; k < workers; k++)
        {
            int v = (me + k) % workers;
            var r = new Request();
            if (Interlocked.CompareExchange(ref _requests[v], r, null) is not null) continue;   // another worker is asking it
            while (!r.Answered.Wait(1))
            {
                Decline(me);   // two workers out of work asking each other must not wait for each other
                if (AllIdle && Interlocked.CompareExchange(ref _requests[v], null, r) == r) return null;   // nobody will answer
            }
            r.Answered.Dispose();
            if (r.Part is not null) return r.Part;
        }
        return null;
    }
}
