using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace HvoLab.Engine;

/// <summary>
/// The completion state behind a suspended <see cref="SimTask"/>: one continuation (the awaiting routine, or the
/// engine for a frame's outermost routine), the outcome, and a token that changes each time the object is reused
/// so a stale awaiter fails loudly instead of reading another routine's result. Single-threaded by design: a
/// simulation runs on one thread.
/// </summary>
public abstract class SimTaskSource
{
    private Action? _continuation;
    private Exception? _error;
    private bool _done;

    internal short Token { get; private set; }

    internal bool IsDone(short token)
    {
        Check(token);
        return _done;
    }

    internal void OnCompleted(Action continuation, short token)
    {
        Check(token);
        if (_done) { continuation(); return; }
        if (_continuation is not null) throw new InvalidOperationException("a SimTask can be awaited only once");
        _continuation = continuation;
    }

    /// <summary>Marks the routine finished and runs its awaiter's continuation inline (as the runtime's
    /// ValueTask sources do unless asked to run continuations asynchronously).</summary>
    internal void SignalDone()
    {
        _done = true;
        var k = _continuation;
        _continuation = null;
        k?.Invoke();
    }

    internal void Fail(Exception e)
    {
        _error = e;
        SignalDone();
    }

    internal void GetVoidResult(short token)
    {
        var error = TakeOutcome(token);
        if (error is not null) ExceptionDispatchInfo.Throw(error);
    }

    /// <summary>Reads the outcome once and makes the object reusable.</summary>
    private protected Exception? TakeOutcome(short token)
    {
        Check(token);
        if (!_done) throw new InvalidOperationException("the result of a SimTask was read before it completed");
        var error = _error;
        _error = null;
        _done = false;
        Token++;
        Recycle();
        return error;
    }

    /// <summary>Return to a free list (boxes) or nothing (one-off faulted tasks).</summary>
    private protected abstract void Recycle();

    private void Check(short token)
    {
        if (token != Token) throw new InvalidOperationException("a SimTask was awaited after its result had been read");
    }
}

/// <summary>Completion state of a suspended <see cref="SimTask{T}"/>.</summary>
public abstract class SimTaskSource<T> : SimTaskSource
{
    private T _result = default!;

    internal void Complete(T result)
    {
        _result = result;
        SignalDone();
    }

    internal T GetResult(short token)
    {
        var r = _result;
        _result = default!;
        var error = TakeOutcome(token);
        if (error is not null) ExceptionDispatchInfo.Throw(error);
        return r;
    }
}

/// <summary>A suspended routine returning <see cref="SimTask"/>: its state machine, moved here at its first
/// suspension, and the cached delegate that resumes it. Boxes of one type are reused through a per-thread free list.</summary>
internal sealed class SimTaskBox<TStateMachine> : SimTaskSource where TStateMachine : IAsyncStateMachine
{
    [ThreadStatic] private static SimTaskBox<TStateMachine>? t_free;
    private SimTaskBox<TStateMachine>? _nextFree;
    internal TStateMachine StateMachine = default!;
    internal readonly Action MoveNextAction;

    private SimTaskBox() => MoveNextAction = () => StateMachine.MoveNext();

    internal static SimTaskBox<TStateMachine> Rent()
    {
        var box = t_free;
        if (box is null) return new SimTaskBox<TStateMachine>();
        t_free = box._nextFree;
        box._nextFree = null;
        return box;
    }

    private protected override void Recycle()
    {
        StateMachine = default!;   // drop references the routine held
        _nextFree = t_free;
        t_free = this;
    }
}

/// <summary>A suspended routine returning <see cref="SimTask{T}"/>.</summary>
internal sealed class SimTaskBox<TStateMachine, T> : SimTaskSource<T> where TStateMachine : IAsyncStateMachine
{
    [ThreadStatic] private static SimTaskBox<TStateMachine, T>? t_free;
    private SimTaskBox<TStateMachine, T>? _nextFree;
    internal TStateMachine StateMachine = default!;
    internal readonly Action MoveNextAction;

    private SimTaskBox() => MoveNextAction = () => StateMachine.MoveNext();

    internal static SimTaskBox<TStateMachine, T> Rent()
    {
        var box = t_free;
        if (box is null) return new SimTaskBox<TStateMachine, T>();
        t_free = box._nextFree;
        box._nextFree = null;
        return box;
    }

    private protected override void Recycle()
    {
        StateMachine = default!;
        _nextFree = t_free;
        t_free = this;
    }
}

/// <summary>A routine that threw before its first suspension: carries the exception to its awaiter.</summary>
internal sealed class FaultedSimTask : SimTaskSource
{
    internal FaultedSimTask(Exception e) => Fail(e);
    private protected override void Recycle() { }
}

internal sealed class FaultedSimTask<T> : SimTaskSource<T>
{
    internal FaultedSimTask(Exception e) => Fail(e);
    private protected override void Recycle() { }
}
