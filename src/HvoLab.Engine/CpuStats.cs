namespace HvoLab.Engine;

/// <summary>Per-CPU accounting used by the metrics: time per context, time unable to take interrupts, counts.</summary>
public sealed class CpuStats
{
    /// <summary>Time spent in each context kind (indexed by ContextKind), including parked time.</summary>
    public readonly double[] TimeInContext = new double[6];
    /// <summary>Time per label (indexed by label id, labels interned by the simulator) spent in Work ops.</summary>
    public readonly LabelTimes TimeByLabel = new();
    public double IrqsOffSince = -1;
    public double MaxIrqsOffNs;
    public double TotalIrqsOffNs;
    public long Ops, Faults, InterruptsTaken, NmisTaken, SgisSent, Tlbis;
    public double SpinNs;
}
