using System.Runtime.CompilerServices;

namespace HvoLab.Engine;

/// <summary>
/// The return type of every simulated kernel routine. A routine that completes without suspending returns a
/// default SimTask (no object at all); one that suspends at a CPU operation moves its state machine into a box
/// taken from a per-thread free list of that state machine's type (<see cref="SimTaskBox{TStateMachine}"/>) and
/// gives the box back when its awaiter has read the result. So kernel code allocates nothing in steady state, however
/// many CPUs are inside the same routine at once — the runtime's PoolingAsyncValueTaskMethodBuilder keeps only a
/// few boxes per type and allocated one per remote CPU for every pause IPI (docs/performance.md). Continuations
/// capture neither an ExecutionContext nor a SynchronizationContext: only the engine resumes simulated code, on the
/// thread that runs the simulation (the approach Microsoft Coyote takes with its own task type).
/// </summary>
[AsyncMethodBuilder(typeof(SimTaskMethodBuilder))]
public readonly struct SimTask
{
    private readonly SimTaskSource? _source;
    private readonly short _token;
    internal SimTask(SimTaskSource source) { _source = source; _token = source.Token; }
    public static SimTask CompletedTask => default;
    public bool IsCompleted => _source is null || _source.IsDone(_token);
    public Awaiter GetAwaiter() => new(this);

    public readonly struct Awaiter : ICriticalNotifyCompletion
    {
        private readonly SimTask _task;
        internal Awaiter(SimTask task) => _task = task;
        public bool IsCompleted => _task.IsCompleted;
        public void GetResult() => _task._source?.GetVoidResult(_task._token);
        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);
        public void UnsafeOnCompleted(Action continuation)
        {
            if (_task._source is null) continuation();
            else _task._source.OnCompleted(continuation, _task._token);
        }
    }
}

[AsyncMethodBuilder(typeof(SimTaskMethodBuilder<>))]
public readonly struct SimTask<T>
{
    private readonly SimTaskSource<T>? _source;
    private readonly T _result;
    private readonly short _token;
    internal SimTask(SimTaskSource<T> source) { _source = source; _token = source.Token; _result = default!; }
    private SimTask(T result) { _source = null; _token = 0; _result = result; }
    public static SimTask<T> FromResult(T value) => new(value);
    public bool IsCompleted => _source is null || _source.IsDone(_token);
    public Awaiter GetAwaiter() => new(this);

    public readonly struct Awaiter : ICriticalNotifyCompletion
    {
        private readonly SimTask<T> _task;
        internal Awaiter(SimTask<T> task) => _task = task;
        public bool IsCompleted => _task.IsCompleted;
        public T GetResult() => _task._source is null ? _task._result : _task._source.GetResult(_task._token);
        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);
        public void UnsafeOnCompleted(Action continuation)
        {
            if (_task._source is null) continuation();
            else _task._source.OnCompleted(continuation, _task._token);
        }
    }
}

/// <summary>Builds <see cref="SimTask"/> routines (see <see cref="SimTask"/> for the design).</summary>
public struct SimTaskMethodBuilder
{
    private SimTaskSource? _box;
    public static SimTaskMethodBuilder Create() => default;
    public readonly SimTask Task => _box is null ? default : new SimTask(_box);
    public void Start<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine => stateMachine.MoveNext();
    public void SetStateMachine(IAsyncStateMachine stateMachine) { }
    public readonly void SetResult() => _box?.SignalDone();

    public void SetException(Exception exception)
    {
        if (_box is null) _box = new FaultedSimTask(exception);
        else _box.Fail(exception);
    }

    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion where TStateMachine : IAsyncStateMachine
        => awaiter.OnCompleted(MoveNextAction(ref stateMachine));

    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion where TStateMachine : IAsyncStateMachine
        => awaiter.UnsafeOnCompleted(MoveNextAction(ref stateMachine));

    private Action MoveNextAction<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine
    {
        if (_box is not null) return Unsafe.As<SimTaskBox<TStateMachine>>(_box).MoveNextAction;
        var box = SimTaskBox<TStateMachine>.Rent();
        _box = box;                          // first, so the copy below carries the box in its own builder
        box.StateMachine = stateMachine;
        return box.MoveNextAction;
    }
}

/// <summary>Builds <see cref="SimTask{T}"/> routines.</summary>
public struct SimTaskMethodBuilder<T>
{
    private SimTaskSource<T>? _box;
    private T _result;
    public static SimTaskMethodBuilder<T> Create() => default;
    public readonly SimTask<T> Task => _box is null ? SimTask<T>.FromResult(_result) : new SimTask<T>(_box);
    public void Start<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine => stateMachine.MoveNext();
    public void SetStateMachine(IAsyncStateMachine stateMachine) { }

    public void SetResult(T result)
    {
        if (_box is null) _result = result;
        else _box.Complete(result);
    }

    public void SetException(Exception exception)
    {
        if (_box is null) _box = new FaultedSimTask<T>(exception);
        else _box.Fail(exception);
    }

    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion where TStateMachine : IAsyncStateMachine
        => awaiter.OnCompleted(MoveNextAction(ref stateMachine));

    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion where TStateMachine : IAsyncStateMachine
        => awaiter.UnsafeOnCompleted(MoveNextAction(ref stateMachine));

    private Action MoveNextAction<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine
    {
        if (_box is not null) return Unsafe.As<SimTaskBox<TStateMachine, T>>(_box).MoveNextAction;
        var box = SimTaskBox<TStateMachine, T>.Rent();
        _box = box;
        box.StateMachine = stateMachine;
        return box.MoveNextAction;
    }
}
