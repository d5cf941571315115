using HvoLab.Engine;
using HvoLab.Experiments.Checking;
using HvoLab.Experiments.Scenarios;
using Xunit;
using Xunit.Abstractions;

namespace HvoLab.Experiments.Tests.Running;

public class DfsDiagTests(ITestOutputHelper output)
{
    [Fact]
    public void Diag()
    {
        var s = ScenarioLoader.Parse(ScenarioLoader.CheckDefaultJson());
        s = s with { Machine = s.Machine with { Cpus = 2 }, Workload = s.Workload.Where(w => w.Cpus.All(c => c < 2)).ToArray() };
        var stack = new List<DfsScheduler.Node>();
        var opt = new ExplorationOptions();
        var hist = new Dictionary<string, int>();
        for (int e = 0; e < 3000; e++)
        {
            var sim = CheckRunner.Build(s, "D", new DfsScheduler(stack, opt), 1);
            sim.Run();
            // backtrack
            while (stack.Count > 0)
            {
                var node = stack[^1];
                node.Done.Add(node.Enabled[node.Chosen]);
                int next = node.NextCandidate();
                if (next >= 0)
                {
                    var fp = node.Ops[next];
                    string key = $"depth~{stack.Count / 20 * 20} cpu{fp.Cpu} {fp.Kind}";
                    hist[key] = hist.GetValueOrDefault(key) + 1;
                    node.Chosen = next; break;
                }
                stack.RemoveAt(stack.Count - 1);
            }
        }
        output.WriteLine($"stack depth {stack.Count}");
        foreach (var kv in hist.OrderByDescending(k => k.Value).Take(25)) output.WriteLine($"{kv.Value,6} {kv.Key}");
        for (int i = 0; i < stack.Count; i++)
        {
            var n = stack[i];
            if (n.Enabled.Length > 1)
                output.WriteLine($"{i}: chosen cpu{n.Ops[n.Chosen].Cpu} {n.Ops[n.Chosen].Kind} 0x{n.Ops[n.Chosen].Addr:x} | alts {string.Join(" ; ", n.Ops.Select(o => $"cpu{o.Cpu} {o.Kind} 0x{o.Addr:x}"))} | sleep {string.Join(",", n.Sleep.Select(x => x.Action))} done {string.Join(",", n.Done)}");
        }
    }
}
