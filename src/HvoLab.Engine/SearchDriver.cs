namespace HvoLab.Engine;

/// <summary>
/// Searches (random, PCT, exhaustive, replay): every shared-state op is a choice point, so only private Work runs
/// inline; the scheduler picks the next action among the enabled ones (<see cref="Actions"/>); costs carry no jitter;
/// arrival times are ignored — an interrupt that is pending may be taken at any point — and a Work op is one step.
/// </summary>
internal sealed class SearchDriver(Simulator sim) : ExecutionDriver(sim)
{
    private readonly int[] _actionBuffer = new int[sim.Cpus.Length * 4];

    public override bool ClosedFormHandlers => false;
    public override int PerformingStep => _performing;
    private int _performing = -1;

    public override RunOutcome Run()
    {
        while (true)
        {
            if (Sim.Termination.StopReason() is { } stop) return stop;
            if (Sim.TakeForcedFault() is { } f) { Sim.Exceptions.StartFault(f); continue; }
            Sim.Termination.UpdateStopRequested();
            int n = CollectActions(_actionBuffer);
            if (n == 0) return Sim.Termination.EndWithoutActions();
            if (Sim.Termination.OverBudget()) return Sim.Termination.ReportBudget();
            int idx = Sim.Scheduler.Choose(_actionBuffer.AsSpan(0, n), Sim);
            if (idx < 0) return RunOutcome.Pruned;   // the scheduler ends this execution (sleep set, replay end)
            int action = _actionBuffer[idx];
            Sim.RecordChoice(action);
            _performing = Sim.Choices.Count - 1;
            Perform(action);
            _performing = -1;
        }
    }

    /// <summary>Private work, and the writes the last caller of a rendezvous acknowledgement makes in the same step
    /// (<see cref="Cpu.BeginRendezvousAck"/>). Under the Arm data model such a write runs inline only when it has a
    /// single outcome now: not held back by the buffer, not a store that may pass buffered ones (its second outcome),
    /// not a load that may read an older value. set_state()'s stores then only enter the CPU's own buffer, which no
    /// other CPU reads, so they commute with every other CPU's action (docs/engine.md 14).</summary>
    public override bool MayRunInline(Cpu c, ref PendingOp op) =>
        op.Kind == OpKind.Work || (c.InRendezvousWrites && !op.RendezvousAck && op.Kind != OpKind.Choose && !HasBufferChoice(c));

    private bool HasBufferChoice(Cpu c) =>
        Sim.HasStoreBuffers && (Sim.DataBuffer.Blocks(c) || Sim.DataBuffer.CanPass(c) || Sim.DataBuffer.OffersOlderValue(c));
    public override double Jitter(Cpu c, double ns) => ns;
    public override double TakeTime(Cpu c, double arrival) => c.Time;
    public override void ChargeWait(Cpu c, double wakeTime) { }
    public override void MarkDirty(int cpu) { }
    public override void Woken(Cpu c) { }
    public override void SgiPosted(Cpu target) { }
    public override void BeforeResume(Cpu c) { }

    public override ExecOutcome ExecWork(Cpu c, ref PendingOp op)
    {
        double w = op.Ns;
        Sim.Ops.AccountWork(c, op.Label, c.Time, c.Time + w);
        c.Time += w;
        return ExecOutcome.Completed;
    }

    /// <summary>Fills <paramref name="buffer"/> with the enabled actions (arrival times ignored).</summary>
    private int CollectActions(int[] buffer)
    {
        int n = 0;
        foreach (var c in Sim.Cpus)
        {
            if (c.Depth > 0 && c.Park == Cpu.ParkKind.None && !ParkIfWaitFails(c) && !Sim.BlockedByStoreBuffer(c))
                buffer[n++] = Actions.Make(c.Id, Actions.RunOp);
            // The other outcome of a ChooseOne, or (Arm data model) a store passing older ones or a buffered store
            // drained, which stays enabled while the CPU's code is parked or finished (Simulator.DataOrdering.cs).
            if (Sim.HasOpAlternative(c)) buffer[n++] = Actions.Make(c.Id, Actions.RunOpAlternative);
            if (Sim.Gic.Deliverable(c.Id, in c.Masks, long.MaxValue) >= 0) buffer[n++] = Actions.Make(c.Id, Actions.TakeInterrupt);
            if (Sim.Exceptions.PreemptWorkDeliverable(c, double.PositiveInfinity)) buffer[n++] = Actions.Make(c.Id, Actions.TakePreemptWork);
        }
        return n;
    }

    /// <summary>A pending WaitPhys whose condition is false is not enabled: park the CPU on its word right away.</summary>
    private bool ParkIfWaitFails(Cpu c)
    {
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        if (op.Kind != OpKind.WaitPhys || Sim.Ops.WaitHolds(c, ref op)) return false;
        ulong pa = op.WaitPa & ~7UL;
        c.ClearReads();
        c.RecordRead(pa, Sim.Arch.ReadPhys(pa));
        Sim.Ops.Park(c, Cpu.ParkKind.Spin);
        return true;
    }

    private void Perform(int action)
    {
        var c = Sim.Cpus[Actions.Cpu(action)];
        switch (Actions.Kind(action))
        {
            case Actions.RunOp: Sim.Resume(c); break;
            case Actions.TakeInterrupt: Sim.Exceptions.TakeInterrupt(c, Sim.Gic.Deliverable(c.Id, in c.Masks, long.MaxValue)); break;
            case Actions.RunOpAlternative: Sim.RunAlternative(c); break;
            default: Sim.Exceptions.TakePreemptWork(c); break;
        }
    }
}
