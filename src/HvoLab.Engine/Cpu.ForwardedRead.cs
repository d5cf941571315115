namespace HvoLab.Engine;

public sealed partial class Cpu
{
    /// <summary>The value this CPU's load would see at physical <paramref name="pa"/> now: its own newest buffered store
    /// of the word laid over memory (forwarding, <see cref="DataStoreBuffers.Read"/>); memory when the Arm data model
    /// is off or nothing of the word is buffered. Read-only, not an op: the litmus binding uses it for a load's other
    /// translations, whose physical word the engine's own access did not read (LitmusEngineThread.ChooseLoad).</summary>
    public ulong ReadForwarded(ulong pa, int size) => Sim.DataBuffer.Read(Id, pa, size);
}
