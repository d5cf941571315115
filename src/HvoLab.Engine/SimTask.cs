using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace HvoLab.Engine;

/// <summary>
/// The return type of every simulated kernel routine. It wraps <see cref="ValueTask"/> and builds its async state
/// machines with <see cref="PoolingAsyncValueTaskMethodBuilder"/>, so a routine that suspends at a CPU operation
/// reuses pooled boxes instead of allocating (the approach Microsoft Coyote takes with its own task type).
/// Continuations never capture a SynchronizationContext: only the engine resumes simulated code.
/// </summary>
[AsyncMethodBuilder(typeof(SimTaskMethodBuilder))]
public readonly struct SimTask
{
    internal readonly ValueTask Inner;
    internal SimTask(ValueTask inner) => Inner = inner;
    public static SimTask CompletedTask => default;
    public bool IsCompleted => Inner.IsCompleted;
    public Awaiter GetAwaiter() => new(Inner.ConfigureAwait(false).GetAwaiter());

    public readonly struct Awaiter : ICriticalNotifyCompletion
    {
        private readonly ConfiguredValueTaskAwaitable.ConfiguredValueTaskAwaiter _inner;
        internal Awaiter(ConfiguredValueTaskAwaitable.ConfiguredValueTaskAwaiter inner) => _inner = inner;
        public bool IsCompleted => _inner.IsCompleted;
        public void GetResult() => _inner.GetResult();
        public void OnCompleted(Action continuation) => _inner.OnCompleted(continuation);
        public void UnsafeOnCompleted(Action continuation) => _inner.UnsafeOnCompleted(continuation);
    }
}

[AsyncMethodBuilder(typeof(SimTaskMethodBuilder<>))]
public readonly struct SimTask<T>
{
    internal readonly ValueTask<T> Inner;
    internal SimTask(ValueTask<T> inner) => Inner = inner;
    public static SimTask<T> FromResult(T value) => new(new ValueTask<T>(value));
    public bool IsCompleted => Inner.IsCompleted;
    public T Result => Inner.Result;
    public Awaiter GetAwaiter() => new(Inner.ConfigureAwait(false).GetAwaiter());

    public readonly struct Awaiter : ICriticalNotifyCompletion
    {
        private readonly ConfiguredValueTaskAwaitable<T>.ConfiguredValueTaskAwaiter _inner;
        internal Awaiter(ConfiguredValueTaskAwaitable<T>.ConfiguredValueTaskAwaiter inner) => _inner = inner;
        public bool IsCompleted => _inner.IsCompleted;
        public T GetResult() => _inner.GetResult();
        public void OnCompleted(Action continuation) => _inner.OnCompleted(continuation);
        public void UnsafeOnCompleted(Action continuation) => _inner.UnsafeOnCompleted(continuation);
    }
}

public struct SimTaskMethodBuilder
{
    private PoolingAsyncValueTaskMethodBuilder _inner;
    public static SimTaskMethodBuilder Create() => new() { _inner = PoolingAsyncValueTaskMethodBuilder.Create() };
    public SimTask Task => new(_inner.Task);
    public void Start<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine => _inner.Start(ref stateMachine);
    public void SetStateMachine(IAsyncStateMachine stateMachine) => _inner.SetStateMachine(stateMachine);
    public void SetResult() => _inner.SetResult();
    public void SetException(Exception exception) => _inner.SetException(exception);
    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion where TStateMachine : IAsyncStateMachine => _inner.AwaitOnCompleted(ref awaiter, ref stateMachine);
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion where TStateMachine : IAsyncStateMachine => _inner.AwaitUnsafeOnCompleted(ref awaiter, ref stateMachine);
}

public struct SimTaskMethodBuilder<T>
{
    private PoolingAsyncValueTaskMethodBuilder<T> _inner;
    public static SimTaskMethodBuilder<T> Create() => new() { _inner = PoolingAsyncValueTaskMethodBuilder<T>.Create() };
    public SimTask<T> Task => new(_inner.Task);
    public void Start<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine => _inner.Start(ref stateMachine);
    public void SetStateMachine(IAsyncStateMachine stateMachine) => _inner.SetStateMachine(stateMachine);
    public void SetResult(T result) => _inner.SetResult(result);
    public void SetException(Exception exception) => _inner.SetException(exception);
    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion where TStateMachine : IAsyncStateMachine => _inner.AwaitOnCompleted(ref awaiter, ref stateMachine);
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion where TStateMachine : IAsyncStateMachine => _inner.AwaitUnsafeOnCompleted(ref awaiter, ref stateMachine);
}
