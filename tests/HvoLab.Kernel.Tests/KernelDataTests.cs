using HvoLab.Kernel.Primitives;
using Xunit;

namespace HvoLab.Kernel.Tests;

/// <summary>Every kernel global has the C name a counterexample prints for its address, given where it is allocated.</summary>
public class KernelDataTests
{
    [Fact]
    public void EveryGlobalAndEveryPerCpuLineHasOneDistinctName()
    {
        var data = new KernelData(0x40000, cpus: 3);
        var symbols = data.Symbols.ToDictionary(s => s.Pa, s => s.Name);
        var globals = typeof(KernelData).GetProperties().Where(p => p.PropertyType == typeof(ulong)).Select(p => (ulong)p.GetValue(data)!).ToArray();
        Assert.NotEmpty(globals);
        foreach (ulong pa in globals.Concat(data.RcuNesting)) Assert.True(symbols.ContainsKey(pa), $"PA 0x{pa:x} has no name");
        Assert.Equal(symbols.Count, symbols.Values.Distinct().Count());
        Assert.Equal("per_cpu(rcu_data, 2).nesting", symbols[data.RcuNesting[2]]);
        Assert.Equal("cpu_pause_lock", symbols[data.CpuPauseLock]);
    }
}
