using HvoLab.Experiments.Litmus;
using Xunit;

namespace HvoLab.Experiments.Tests.Litmus;

public sealed class LitmusRunnerScratch
{
    [Fact]
    public void Scratch()
    {
        var dir = Environment.GetEnvironmentVariable("LITMUS_SCRATCH");
        if (dir is null) return;
        var r = LitmusRunner.Run(dir.Split(','), new LitmusRunOptions { Progress = x => Console.Error.WriteLine($"{x.Name} {x.Status} {x.Exploration?.Elapsed.TotalSeconds:F1}s {x.Reason}") });
        File.WriteAllText("/tmp/litmus.txt", r.ToText());
        File.WriteAllText("/tmp/litmus.json", r.ToJson());
    }
}
