using HvoLab.Arch;
using HvoLab.Engine;

namespace HvoLab.Kernel;

/// <summary>A machine, its engine and a booted kernel: what every run, test and benchmark starts from.</summary>
public sealed record HvoSystem(ArchMachine Arch, Simulator Sim, Linux Linux)
{
    public static HvoSystem Create(MachineConfig machine, KernelConfig kernel, VmemmapArch hooks, IScheduler scheduler,
        CostModel? cost = null, SimOptions? options = null)
    {
        var arch = new ArchMachine(machine);
        cost ??= CostModel.Default;
        var sim = new Simulator(arch, cost.Hardware, scheduler, (options ?? new SimOptions()) with { PseudoNmi = kernel.PseudoNmi });
        var linux = Linux.Boot(sim, kernel, hooks, cost.Kernel);
        return new HvoSystem(arch, sim, linux);
    }
}
