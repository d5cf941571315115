namespace HvoLab.Engine;

/// <summary>
/// The ordering a kernel access carries, as Linux spells it (Documentation/memory-barriers.txt,
/// Documentation/atomic_t.txt) and arm64 implements it (arch/arm64/include/asm/barrier.h, atomic_lse.h):
/// <list type="bullet">
/// <item><see cref="Relaxed"/>: READ_ONCE / WRITE_ONCE / plain accesses, atomic_set/atomic_read, the void atomics
/// (atomic_inc, atomic_add: STADD) and the _relaxed forms (cmpxchg_relaxed).</item>
/// <item><see cref="Acquire"/>: smp_load_acquire (LDAR), smp_cond_load_acquire, the _acquire atomics, spin_lock.</item>
/// <item><see cref="Release"/>: smp_store_release (STLR), the _release atomics, spin_unlock.</item>
/// <item><see cref="Full"/>: value-returning atomics without suffix (atomic_dec_and_test, atomic_inc_return, xchg,
/// cmpxchg): "fully ordered", i.e. an smp_mb() before and after (atomic_t.txt).</item>
/// </list>
/// Only <c>machine.memory_model: arm</c> gives these a meaning; under SC every access is ordered anyway.
/// </summary>
public enum MemOrder : byte { Relaxed, Acquire, Release, Full }

/// <summary>The memory model of data accesses in a search: sequentially consistent, or Arm (docs/arch.md,
/// "Data accesses in the kernel model").</summary>
public enum DataMemoryModel : byte { Sc, Arm }

public static class DataMemoryModels
{
    /// <summary>The names scenarios and the CLI accept.</summary>
    public static readonly IReadOnlyList<string> Names = ["sc", "arm"];

    public static bool TryParse(string? text, out DataMemoryModel model)
    {
        switch (text)
        {
            case "sc": model = DataMemoryModel.Sc; return true;
            case "arm": model = DataMemoryModel.Arm; return true;
            default: model = DataMemoryModel.Sc; return false;
        }
    }

    public static string Name(this DataMemoryModel model) => model == DataMemoryModel.Arm ? "arm" : "sc";
}
