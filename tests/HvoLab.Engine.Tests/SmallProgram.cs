using CsCheck;

namespace HvoLab.Engine.Tests;

/// <summary>One step of a generated test program: what it does (<typeparamref name="TStep"/>: <see cref="TinyStep"/> or
/// <see cref="ArmStep"/>), on which word, with which value.</summary>
public readonly record struct ProgramOp<TStep>(TStep Step, int Word, int Value) where TStep : struct, Enum
{
    public override string ToString() => $"{Step}(w{Word},{Value})";
}

/// <summary>2–3 CPUs, each with a short task and a short handler for the SGIs it takes (TinyPrograms, ArmDataPrograms).</summary>
public sealed record SmallProgram<TStep>(ProgramOp<TStep>[][] Tasks, ProgramOp<TStep>[][] Handlers) where TStep : struct, Enum
{
    public override string ToString() =>
        string.Join(" | ", Tasks.Select((t, c) => $"CPU{c}: {string.Join(" ", t)} / handler: {string.Join(" ", Handlers[c])}"));
}

/// <summary>The generator both differential suites draw their programs from.</summary>
internal static class SmallPrograms
{
    /// <summary>2–3 CPUs; each task 1..<paramref name="maxTaskSteps"/> steps of any <typeparamref name="TStep"/>; each
    /// handler 0..2 steps among the first <paramref name="handlerKinds"/> values of <typeparamref name="TStep"/> (the
    /// plain memory accesses, as each suite orders its enum); words and values 0..2.</summary>
    public static Gen<SmallProgram<TStep>> Of<TStep>(int maxTaskSteps, int handlerKinds) where TStep : struct, Enum
    {
        var taskOp = Gen.Select(Gen.Enum<TStep>(), Gen.Int[0, 2], Gen.Int[0, 2], (s, w, v) => new ProgramOp<TStep>(s, w, v));
        var handlerOp = Gen.Select(Gen.Int[0, handlerKinds - 1].Select(k => (TStep)(object)k), Gen.Int[0, 2], Gen.Int[0, 2],
            (s, w, v) => new ProgramOp<TStep>(s, w, v));
        return from cpus in Gen.Int[2, 3]
               from tasks in taskOp.Array[1, maxTaskSteps].Array[cpus]
               from handlers in handlerOp.Array[0, 2].Array[cpus]
               select new SmallProgram<TStep>(tasks, handlers);
    }

    /// <summary>2 CPUs, each task 2–4 steps drawn from <paramref name="weighted"/> (a step listed twice comes twice as
    /// often), on words 0..1 with values 0..2, no handlers (PageTablePrograms, ArmVaPrograms).</summary>
    public static Gen<SmallProgram<TStep>> Weighted<TStep>(TStep[] weighted) where TStep : struct, Enum =>
        from tasks in Gen.Select(Gen.Int[0, weighted.Length - 1].Select(k => weighted[k]), Gen.Int[0, 1], Gen.Int[0, 2],
            (s, w, v) => new ProgramOp<TStep>(s, w, v)).Array[2, 4].Array[2]
        select new SmallProgram<TStep>(tasks, [[], []]);
}
