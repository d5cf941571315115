using HvoLab.Arch;

namespace HvoLab.Engine;

internal enum ExecOutcome : byte { Completed, Faulted, Parked }

/// <summary>
/// The semantics and cost of each operation (memory by VA and PA, TLBI, barriers, WFE/SEV, SGIs, masking, spins,
/// private work), spin parking and wake-ups. One per <see cref="Simulator"/>; allocation-free.
/// </summary>
/// <remarks>
/// Private work (<see cref="OpKind.Work"/>, <see cref="OpKind.Bulk"/>) in timed runs. Work touches no shared state, so
/// the hardware could take an interrupt at any instant inside it: a Work op that would run past the moment another
/// CPU can next act (the horizon) does not advance the clock at once but parks the CPU until its end
/// (<see cref="Cpu.ParkKind.Work"/>). An interrupt or preempting work that arrives first is taken at its arrival
/// time and the rest of the work runs after the handler returns. So a long stretch (synchronize_rcu's 8 ms, a 50 µs
/// background period) costs one scheduling event, yet delays no interrupt — before, an interrupt arriving inside
/// a Work op was taken only when the op ended, and workloads cut their work into 1 µs pieces to bound that error.
/// In a search (choice mode) a Work op is one step and interrupts are taken between steps, as before. Whether work
/// runs at once or parks is the driver's rule (<see cref="TimedDriver.ExecWork"/>, <see cref="SearchDriver.ExecWork"/>);
/// what is here is shared: completing, splitting and accounting parked work.
/// </remarks>
internal sealed class OpExecutor(Simulator sim)
{
    private readonly Simulator _sim = sim;
    private readonly DataAccessExecutor _data = new(sim);
    private readonly SpinWatchers _watchers = new();
    private readonly int[] _pendingTlbis = new int[CpuMask.MaxCpus];
    private int _seenArchViolations;
    private long _seenArchTotal;

    internal ExecOutcome Execute(Cpu c)
    {
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        double t0 = c.Time;
        var outcome = ExecOutcome.Completed;
        _sim.DataBuffer.BeforeOp(c);   // Arm data model: latent frame stores (FrameStores.cs)
        switch (op.Kind)
        {
            case OpKind.Mem: outcome = _data.ExecMem(c, ref op, physical: false); break;
            case OpKind.MemPhys: outcome = _data.ExecMem(c, ref op, physical: true); break;
            case OpKind.Tlbi:
                _sim.Arch.Now = (long)c.Time;
                var tlbi = op.Tlbi;
                _sim.Arch.Tlbi(c.Id, tlbi, op.TlbiVa, op.TlbiPages);
                if (tlbi.IsBroadcast()) _pendingTlbis[c.Id]++;
                c.Stats.Tlbis++;
                c.Time += _sim.Jitter(c, _sim.Cost.TlbiIssueNs);
                if (_sim.Trace.Enabled) _sim.Trace.Op(c.Time, c.Id, c.Context, "tlbi " + tlbi, op.TlbiVa, op.TlbiPages);
                CheckOracle(c);
                break;
            case OpKind.Barrier:
                _sim.Arch.Now = (long)c.Time;
                var bk = op.Barrier;
                _sim.Arch.Barrier(c.Id, bk);
                if (bk == BarrierKind.DmbIshSt) _sim.DataBuffer.StoreBarrier(c.Id);
                if (Simulator.OrdersLoads(bk)) _sim.DataBuffer.Views.Order(c.Id);
                if ((bk == BarrierKind.DsbIsh || bk == BarrierKind.DsbSy) && _pendingTlbis[c.Id] > 0)
                {
                    // A DSB after broadcast TLBIs waits for them to complete on every PE (costs.md §2: ~95 % of
                    // ptep_clear_flush is this DSB; cost grows with the core count).
                    c.Time += _sim.Jitter(c, _sim.Cost.TlbiCompletionNs(_sim.Cpus.Length));
                    _pendingTlbis[c.Id] = 0;
                }
                else c.Time += _sim.Jitter(c, OpCosts.Barrier(_sim.Cost, bk));
                if (_sim.Trace.Enabled) _sim.Trace.Op(c.Time, c.Id, c.Context, bk.ToString(), 0, 0);
                CheckOracle(c);
                break;
            case OpKind.Wfe:
                if (c.EventRegister) { c.EventRegister = false; c.Time += _sim.Cost.WfeWakeNs * 0.1; }
                else if (c.WokeFromPark) { c.WokeFromPark = false; }
                else { Park(c, Cpu.ParkKind.Wfe); outcome = ExecOutcome.Parked; }
                break;
            case OpKind.Sev:
                c.Time += _sim.Jitter(c, _sim.Cost.MemAccessNs);
                foreach (var o in _sim.Cpus)
                {
                    if (o.Park == Cpu.ParkKind.Wfe) Unpark(o, c.Time + _sim.Cost.WfeWakeNs);
                    else o.EventRegister = true;
                }
                if (_sim.Trace.Enabled) _sim.Trace.Op(c.Time, c.Id, c.Context, "sev", 0, 0);
                break;
            case OpKind.SendSgi: ExecSendSgi(c, ref op); break;
            case OpKind.IrqDisable:
                c.Masks.LocalIrqDisable(_sim.Options.PseudoNmi);
                c.Time += _sim.Jitter(c, _sim.Options.PseudoNmi ? _sim.Cost.IrqMaskPmrNs : _sim.Cost.IrqMaskNs);
                _sim.Exceptions.UpdateIrqsOff(c);
                break;
            case OpKind.IrqEnable:
                c.Masks.LocalIrqEnable(_sim.Options.PseudoNmi);
                c.Time += _sim.Jitter(c, _sim.Options.PseudoNmi ? _sim.Cost.IrqMaskPmrNs : _sim.Cost.IrqMaskNs);
                _sim.Exceptions.UpdateIrqsOff(c);
                break;
            case OpKind.DaifMask: c.Masks.DaifI = true; c.Time += _sim.Jitter(c, _sim.Cost.IrqMaskNs); _sim.Exceptions.UpdateIrqsOff(c); break;
            case OpKind.DaifRestore: c.Masks.DaifI = false; c.Time += _sim.Jitter(c, _sim.Cost.IrqMaskNs); _sim.Exceptions.UpdateIrqsOff(c); break;
            case OpKind.Work:
            case OpKind.Bulk:
                // A timed Work op interrupted or parked earlier was counted as a step when it began.
                if (op.WorkStarted) { _sim.Steps--; c.Stats.Ops--; }
                else if (op.Kind == OpKind.Bulk && op.FrameWords > 0) _data.StoreFrame(c, ref op);
                outcome = _sim.Driver.ExecWork(c, ref op);
                break;
            case OpKind.Choose:
                c.LastValue = (ulong)c.ChoiceAlt;
                c.ChoiceAlt = 0;
                break;
            case OpKind.WaitPhys:
            {
                ulong pa = op.WaitPa & ~7UL;
                ulong v = _sim.DataBuffer.Read(c.Id, pa, 8);
                bool ok = op.WaitSatisfiedBy(v);
                c.WokeFromPark = false;
                if (!ok)
                {
                    c.ClearReads();
                    c.RecordRead(pa, v);
                    Park(c, Cpu.ParkKind.Spin);
                    outcome = ExecOutcome.Parked;
                    _sim.Steps--; c.Stats.Ops--;   // a failed check is not a step of the search
                }
                else if (_sim.ClosedForm.VisibleTo(pa, c.Time) is var visible && visible > c.Time)
                {
                    // The value was stored by a closed-form handler and reaches this CPU only later: wait for it.
                    c.ClearReads();
                    c.Park = Cpu.ParkKind.Timed;
                    c.ParkStart = c.Time;
                    c.WorkEnd = visible;
                    outcome = ExecOutcome.Parked;
                    _sim.Steps--; c.Stats.Ops--;
                }
                else
                {
                    c.LastValue = v;
                    c.ClearReads();
                    c.Time += _sim.Jitter(c, OpCosts.SpinExitRead(_sim.Cost));
                    // Arm data model: the wait read the newest value (coherence from here on); an acquire orders later loads.
                    if (_sim.DataBuffer.HasMessages(pa)) _sim.DataBuffer.Load(c.Id, pa, 8, older: false);
                    if (op.Order != MemOrder.Relaxed) _sim.DataBuffer.Views.Order(c.Id);
                }
                break;
            }
            case OpKind.Relax:
                if (!c.WokeFromPark && c.ReadCount > 0 && !c.ReadOverflow && ReadSetUnchanged(c))
                {
                    Park(c, Cpu.ParkKind.Spin);
                    outcome = ExecOutcome.Parked;
                }
                else { c.WokeFromPark = false; c.ClearReads(); c.Time += _sim.Jitter(c, _sim.Cost.RelaxNs); }
                break;
            default: throw new InvalidOperationException($"CPU{c.Id}: no op pending");
        }
        _sim.Steps++;
        c.Stats.Ops++;
        if (outcome != ExecOutcome.Parked) c.Stats.TimeInContext[(int)c.Context] += c.Time - t0;
        if (_sim.Monitors.Count > 0 && outcome == ExecOutcome.Completed)
            foreach (var m in _sim.Monitors) m.AfterOp(_sim, c, in op);
        return outcome;
    }

    private void ExecSendSgi(Cpu c, ref PendingOp op)
    {
        int sgi = op.Sgi;
        bool broadcast = op.Broadcast;
        int n = op.SgiTargets.Weight;
        // gic_ipi_send_mask: wmb (DSB ST) then one ICC_SGI1R write per target cluster, or one IRM broadcast.
        c.Time += _sim.Jitter(c, _sim.Cost.IpiSendBaseNs + n * (broadcast ? _sim.Cost.IpiSendPerTargetBroadcastNs : _sim.Cost.IpiSendPerTargetNs));
        // Each target's redistributor sees the SGI after its own delivery latency (jittered per target): the spread
        // is what the first CPUs to take a broadcast pause IPI wait for the last (costs.md §8: 0.5–2 µs).
        var closedForm = op.SgiClosedForm;
        op.SgiClosedForm = null;
        _sim.ClosedForm.BeginEffectBatch();
        for (int t = op.SgiTargets.Next(0); t >= 0; t = t + 1 < CpuMask.MaxCpus ? op.SgiTargets.Next(t + 1) : -1)
        {
            if (t >= _sim.Cpus.Length) break;
            var target = _sim.Cpus[t];
            long arrival = (long)(c.Time + _sim.Jitter(c, _sim.Cost.IpiDeliveryNs));
            if (closedForm != null && _sim.ClosedForm.CanHoldAtSend(target, sgi, arrival)) { _sim.ClosedForm.HoldAtSend(target, sgi, arrival, closedForm); continue; }
            MakePending(target, sgi, arrival, closedForm);
            _sim.Driver.SgiPosted(target);
        }
        _sim.ClosedForm.EndEffectBatch();
        c.Stats.SgisSent += n;
        if (_sim.Trace.Enabled) _sim.Trace.Op(c.Time, c.Id, c.Context, $"send SGI {sgi} to {n} CPUs", 0, (ulong)n);
    }

    /// <summary>Makes an SGI pending on <paramref name="target"/> (cancelling a closed-form hold it would precede);
    /// <paramref name="closedForm"/> is its handler's closed form, used when the SGI is taken in a timed run.</summary>
    internal void MakePending(Cpu target, int sgi, long arrival, IClosedFormHandler? closedForm = null)
    {
        if (target.Park == Cpu.ParkKind.Held) _sim.ClosedForm.OnInterruptQueued(target, arrival);
        if (!_sim.Gic.IsPending(target.Id, sgi)) target.PendingClosedForm[sgi] = closedForm;
        _sim.Gic.MakePending(target.Id, sgi, arrival);
        _sim.MarkDirty(target.Id);
    }

    internal void CheckOracle(Cpu c)
    {
        if (_seenArchTotal == _sim.Arch.Oracle.Total) return;   // a property read per op, nothing more
        var vs = _sim.Arch.Violations;
        while (_seenArchViolations < vs.Count)
        {
            var v = vs[_seenArchViolations++];
            _seenArchTotal++;
            _sim.ReportViolation("bbm:" + v.Kind, [v.Cpu], v.Va,
                $"CPU{v.Cpu} at {v.TimeNs} ns: {v.Rule}; descriptor at PA 0x{v.DescriptorPa:x} 0x{v.OldDescriptor:x16} -> 0x{v.NewDescriptor:x16} (VA 0x{v.Va:x})");
        }
        // Reports the oracle only counted (past its MaxKept).
        _sim.ViolationsDropped += _sim.Arch.Oracle.Total - _seenArchTotal;
        _seenArchTotal = _sim.Arch.Oracle.Total;
    }

    // ---- spin detection ----

    internal void RecordRead(Cpu c, ulong pa, ulong value, int size)
    {
        // Spin detection compares whole 8-byte words, so keep the word as it was when read.
        c.RecordRead(pa, size == 8 ? value : _sim.DataBuffer.Read(c.Id, pa & ~7UL, 8));
    }

    /// <summary>True when every location read in this spin iteration still holds what was read: parking is then
    /// safe, since only a later write can change what the loop sees (it re-reads when woken).</summary>
    private bool ReadSetUnchanged(Cpu c)
    {
        for (int i = 0; i < c.ReadCount; i++)
            if (_sim.DataBuffer.Read(c.Id, c.ReadSet[i], 8) != c.ReadVals[i]) return false;
        return true;
    }

    internal void Park(Cpu c, Cpu.ParkKind kind)
    {
        c.Park = kind;
        c.ParkStart = c.Time;
        if (kind == Cpu.ParkKind.Spin) _watchers.Watch(c);
        if (_sim.Trace.Enabled) _sim.Trace.Mark(c.Time, c.Id, kind == Cpu.ParkKind.Spin ? "spin (parked until a watched location changes)" : "wfe");
    }

    internal void NotifyWrite(ulong pa, double time)
    {
        pa &= ~7UL;
        if (_sim.ClosedForm.AnyHeldWatchers) _sim.ClosedForm.ReleaseHeldWatchers(pa, time);
        if (!_watchers.TryGet(pa, out var mask)) return;
        for (int t = mask.Next(0); t >= 0; t = t + 1 < CpuMask.MaxCpus ? mask.Next(t + 1) : -1)
        {
            // A WaitPhys whose condition still fails would only park again (adding no time): leave it parked, so a
            // CPU waiting for N others to check in wakes once, not N times.
            var o = _sim.Cpus[t];
            if (o.Depth > 0 && o.Frames[o.Depth - 1].Pending.Kind == OpKind.WaitPhys && !WaitHolds(o, ref o.Frames[o.Depth - 1].Pending)) continue;
            Unpark(o, time + _sim.Cost.CacheLineNs);
        }
    }

    /// <summary>The condition of a WaitPhys op of <paramref name="c"/> on the word's current value as that CPU sees it.</summary>
    internal bool WaitHolds(Cpu c, ref PendingOp op)
    {
        return op.WaitSatisfiedBy(_sim.DataBuffer.Read(c.Id, op.WaitPa & ~7UL, 8));
    }

    internal void Unpark(Cpu c, double wakeTime)
    {
        if (c.Park == Cpu.ParkKind.None) return;
        RemoveWatches(c);
        _sim.Driver.ChargeWait(c, wakeTime);
        c.Park = Cpu.ParkKind.None;
        c.WokeFromPark = true;
        _sim.MarkDirty(c.Id);
        _sim.Driver.Woken(c);
    }

    /// <summary>An interrupt taken at <paramref name="at"/> while parked ends the park; the interrupted op (relax, wfe,
    /// the rest of a Work op) runs again afterwards.</summary>
    internal void CancelPark(Cpu c, double at)
    {
        if (c.Park == Cpu.ParkKind.None) return;
        if (c.Park == Cpu.ParkKind.Work) { SplitWork(c, at); return; }
        RemoveWatches(c);
        c.Park = Cpu.ParkKind.None;
        c.WokeFromPark = false;
    }

    private void RemoveWatches(Cpu c)
    {
        if (c.Park == Cpu.ParkKind.Spin) _watchers.Unwatch(c);
    }

    // ---- private work (Work, Bulk): what is shared by both drivers ----

    /// <summary>A Work op whose time has all been spent (<see cref="FinishWork"/>): complete it as Execute would.</summary>
    internal ExecOutcome CompletedWork(Cpu c, ref PendingOp op)
    {
        op.WorkStarted = false;
        if (_sim.Monitors.Count > 0) foreach (var m in _sim.Monitors) m.AfterOp(_sim, c, in op);
        return ExecOutcome.Completed;
    }

    /// <summary>The parked work of <paramref name="c"/> has run to its end: the op completes when the CPU resumes.</summary>
    internal void FinishWork(Cpu c)
    {
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        EndWorkSegment(c, ref op, c.WorkEnd);
    }

    /// <summary>An interrupt or preempting work is taken at <paramref name="at"/> inside parked work: the part done so
    /// far is accounted and the rest stays pending in the interrupted context.</summary>
    internal void SplitWork(Cpu c, double at)
    {
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        at = Math.Clamp(at, c.ParkStart, c.WorkEnd);
        EndWorkSegment(c, ref op, at);
        if (_sim.Trace.Enabled) _sim.Trace.Mark(at, c.Id, $"work interrupted, {op.Ns:F0} ns left");
    }

    private void EndWorkSegment(Cpu c, ref PendingOp op, double at)
    {
        AccountWork(c, op.Label, c.ParkStart, at);
        c.Stats.TimeInContext[(int)c.Context] += at - c.ParkStart;
        op.Ns = c.WorkEnd - at;
        c.Time = at;
        c.Park = Cpu.ParkKind.None;
    }

    internal void AccountWork(Cpu c, int label, double from, double to)
    {
        if (label == 0) return;
        c.Stats.TimeByLabel.Add(label, to - from);
        if (_sim.Trace.Enabled && to > from) _sim.Trace.Slice(from, to, c.Id, label);
    }
}
