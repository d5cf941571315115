namespace HvoLab.Engine;

/// <summary>A safety check evaluated after every operation (the engine's monitors; the Arch oracle is built in).</summary>
public interface IMonitor
{
    void AfterOp(Simulator sim, Cpu cpu, in PendingOp op);
}
