using HvoLab.Arch.MemoryModel;

namespace HvoLab.Litmus;

/// <summary>One litmus thread under the view-based model: its architectural state, the view of each register (the
/// newest message its value depends on: two <see cref="RegisterReadiness"/> with views as epochs, one for plain and
/// one for pick dependencies, see <see cref="DepView"/>), its <see cref="ThreadViews"/>, and how many instructions it
/// has executed (loop bound).</summary>
internal sealed class ViewThread(LitmusThreadState state, ThreadViews views)
{
    public LitmusThreadState State = state;
    public RegisterReadiness Regs = new(pickDependencies: false);
    public RegisterReadiness PickRegs = new(pickDependencies: true);
    public ThreadViews Views = views;
    public int Executed;

    public ViewThread Clone() => new(State.Clone(), Views.Clone()) { Regs = Regs.Clone(), PickRegs = PickRegs.Clone(), Executed = Executed };

    public DepView Of(Reg r) => DepView.Of(Regs.Of(r), PickRegs.Of(r));
    public DepView AddressOf(Instruction ins) => DepView.Of(Regs.AddressReady(ins), PickRegs.AddressReady(ins));
    public DepView Control => DepView.Of(Regs.ControlReady, PickRegs.ControlReady);

    public void AfterRegisterOp(Instruction ins) { Regs.AfterRegisterOp(ins); PickRegs.AfterRegisterOp(ins); }
    public void AfterAccess(Instruction ins, DepView v) { Regs.AfterAccess(ins, v.Plain); PickRegs.AfterAccess(ins, v.Pick); }

    public void AddTo(ref HashCode h)
    {
        h.Add(State.GetHashCode());
        Regs.AddTo(ref h);
        PickRegs.AddTo(ref h);
        Views.AddTo(ref h);
        h.Add(Executed);
    }

    public bool SameAs(ViewThread o) =>
        Executed == o.Executed && State.Equals(o.State) && Regs.SameAs(o.Regs) && PickRegs.SameAs(o.PickRegs) && Views.SameAs(o.Views);
}

/// <summary>A global state of the search: the message memory and every thread (index = position in the test's
/// thread list). Structural equality lets the search visit each state once.</summary>
internal sealed class ViewConfig(MessageMemory memory, ViewThread[] threads) : IEquatable<ViewConfig>
{
    public MessageMemory Memory = memory;
    public readonly ViewThread[] Threads = threads;
    private int _hash;

    public ViewConfig Clone() => new(Memory.Clone(), Threads.Select(t => t.Clone()).ToArray());

    /// <summary>A copy that shares the memory and the other threads (for steps that only change one thread).</summary>
    public ViewConfig CloneThread(int i)
    {
        var ts = (ViewThread[])Threads.Clone();
        ts[i] = Threads[i].Clone();
        return new ViewConfig(Memory, ts);
    }

    public bool Equals(ViewConfig? o)
    {
        if (o is null || o.Threads.Length != Threads.Length || GetHashCode() != o.GetHashCode() || !Memory.SameAs(o.Memory)) return false;
        for (var i = 0; i < Threads.Length; i++)
            if (!Threads[i].SameAs(o.Threads[i])) return false;
        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as ViewConfig);

    public override int GetHashCode()
    {
        if (_hash != 0) return _hash;
        var h = new HashCode();
        Memory.AddTo(ref h);
        foreach (var t in Threads) t.AddTo(ref h);
        var v = h.ToHashCode();
        return _hash = v == 0 ? 1 : v;
    }
}
