using HvoLab.Litmus;
using Xunit.Abstractions;
using Xunit;

namespace HvoLab.Litmus.Tests;

/// <summary>Runs every catalogue test once, round-robin, on flat sequentially consistent memory. Not a
/// semantics check (no TLBs, no faults): it proves the interpreter gives every parsed instruction a meaning
/// and that operands/labels resolve.</summary>
public sealed class CorpusRunSmokeTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryTestRunsToCompletionOrSpins()
    {
        var finished = 0;
        var files = LitmusCorpus.AllTests();
        foreach (var f in files)
        {
            var t = LitmusParser.ParseFile(f);
            var map = new SymbolicAddressMap(t);
            var port = new FakeMemoryPort();
            foreach (var (loc, v) in LitmusValues.InitialMemory(t, map))
                port.Memory[loc is PteLocation p ? map.PteAddress(p.Symbol) : map.VirtualAddress(((MemoryLocation)loc).Symbol)] = v;
            var interp = new LitmusInterpreter(t, map);
            var states = interp.InitialStates();
            for (var round = 0; round < 200 && states.Any(s => !s.Halted); round++)
                foreach (var s in states.Where(s => !s.Halted)) interp.Step(s, port);
            if (states.All(s => s.Halted)) finished++;
            else output.WriteLine("still running after 200 rounds: " + t.Name);
            var final = LitmusFinalState.From(states, l => port.Memory.GetValueOrDefault(
                l is PteLocation p ? map.PteAddress(p.Symbol) : map.VirtualAddress(((MemoryLocation)l).Symbol)), LitmusValues.InitialMemory(t, map).Select(x => x.Location));
            _ = new ConditionEvaluator(t, map).Holds(t.Final.Condition, final);
        }
        output.WriteLine($"finished: {finished} of {files.Count}");
        Assert.Equal(files.Count, finished);
    }
}
