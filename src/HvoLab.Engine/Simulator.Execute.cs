using HvoLab.Arch;

namespace HvoLab.Engine;

internal enum ExecOutcome : byte { Completed, Faulted, Parked }

/// <summary>The semantics and cost of each operation. Allocation-free.</summary>
public sealed partial class Simulator
{
    private readonly SpinWatchers _watchers = new();
    private readonly int[] _pendingTlbis = new int[256];

    private ExecOutcome Execute(Cpu c)
    {
        ref var op = ref c.Frames[c.Depth - 1].Pending;
        double t0 = c.Time;
        var outcome = ExecOutcome.Completed;
        switch (op.Kind)
        {
            case OpKind.Mem: outcome = ExecMem(c, ref op, physical: false); break;
            case OpKind.MemPhys: outcome = ExecMem(c, ref op, physical: true); break;
            case OpKind.Tlbi:
                Arch.Now = (long)c.Time;
                var tlbi = op.Tlbi;
                Arch.Tlbi(c.Id, tlbi, op.TlbiVa, op.TlbiPages);
                if (tlbi.IsBroadcast()) _pendingTlbis[c.Id]++;
                c.Stats.Tlbis++;
                c.Time += Jitter(Cost.TlbiIssueNs);
                if (Trace.Enabled) Trace.Op(c.Time, c.Id, c.Context, "tlbi " + tlbi, op.TlbiVa, op.TlbiPages);
                CheckOracle(c);
                break;
            case OpKind.Barrier:
                Arch.Now = (long)c.Time;
                var bk = op.Barrier;
                Arch.Barrier(c.Id, bk);
                if ((bk == BarrierKind.DsbIsh || bk == BarrierKind.DsbSy) && _pendingTlbis[c.Id] > 0)
                {
                    // A DSB after broadcast TLBIs waits for them to complete on every PE (costs.md §2: ~95 % of
                    // ptep_clear_flush is this DSB; cost grows with the core count).
                    c.Time += Jitter(Cost.TlbiCompletionNs(Cpus.Length));
                    _pendingTlbis[c.Id] = 0;
                }
                else c.Time += Jitter(bk == BarrierKind.Isb ? Cost.IsbNs : Cost.DsbNs);
                if (Trace.Enabled) Trace.Op(c.Time, c.Id, c.Context, bk.ToString(), 0, 0);
                CheckOracle(c);
                break;
            case OpKind.Wfe:
                if (c.EventRegister) { c.EventRegister = false; c.Time += Cost.WfeWakeNs * 0.1; }
                else if (c.WokeFromPark) { c.WokeFromPark = false; }
                else { Park(c, Cpu.ParkKind.Wfe); outcome = ExecOutcome.Parked; }
                break;
            case OpKind.Sev:
                c.Time += Jitter(Cost.MemAccessNs);
                foreach (var o in Cpus)
                {
                    if (o.Park == Cpu.ParkKind.Wfe) Unpark(o, c.Time + Cost.WfeWakeNs);
                    else o.EventRegister = true;
                }
                if (Trace.Enabled) Trace.Op(c.Time, c.Id, c.Context, "sev", 0, 0);
                break;
            case OpKind.SendSgi: ExecSendSgi(c, ref op); break;
            case OpKind.IrqDisable:
                c.Masks.LocalIrqDisable(Options.PseudoNmi);
                c.Time += Jitter(Options.PseudoNmi ? Cost.IrqMaskPmrNs : Cost.IrqMaskNs);
                UpdateIrqsOff(c);
                break;
            case OpKind.IrqEnable:
                c.Masks.LocalIrqEnable(Options.PseudoNmi);
                c.Time += Jitter(Options.PseudoNmi ? Cost.IrqMaskPmrNs : Cost.IrqMaskNs);
                UpdateIrqsOff(c);
                break;
            case OpKind.DaifMask: c.Masks.DaifI = true; c.Time += Jitter(Cost.IrqMaskNs); UpdateIrqsOff(c); break;
            case OpKind.DaifRestore: c.Masks.DaifI = false; c.Time += Jitter(Cost.IrqMaskNs); UpdateIrqsOff(c); break;
            case OpKind.Work:
            case OpKind.Bulk:
                // A timed Work op interrupted or parked earlier was counted as a step when it began.
                if (op.WorkStarted) { Steps--; c.Stats.Ops--; }
                outcome = Driver.ExecWork(c, ref op);
                break;
            case OpKind.Choose:
                c.LastValue = (ulong)c.ChoiceAlt;
                c.ChoiceAlt = 0;
                break;
            case OpKind.WaitPhys:
            {
                ulong pa = op.WaitPa & ~7UL;
                ulong v = Arch.ReadPhys(pa);
                bool ok = op.WaitSatisfiedBy(v);
                c.WokeFromPark = false;
                if (!ok)
                {
                    c.ClearReads();
                    c.RecordRead(pa, v);
                    Park(c, Cpu.ParkKind.Spin);
                    outcome = ExecOutcome.Parked;
                    Steps--; c.Stats.Ops--;   // a failed check is not a step of the search
                }
                else if (ClosedForm.VisibleTo(pa) is var visible && visible > c.Time)
                {
                    // The value was stored by a closed-form handler and reaches this CPU only later: wait for it.
                    c.ClearReads();
                    c.Park = Cpu.ParkKind.Timed;
                    c.ParkStart = c.Time;
                    c.WorkEnd = visible;
                    outcome = ExecOutcome.Parked;
                    Steps--; c.Stats.Ops--;
                }
                else { c.LastValue = v; c.ClearReads(); c.Time += Jitter(Cost.MemAccessNs); }
                break;
            }
            case OpKind.Relax:
                if (!c.WokeFromPark && c.ReadCount > 0 && !c.ReadOverflow && ReadSetUnchanged(c))
                {
                    Park(c, Cpu.ParkKind.Spin);
                    outcome = ExecOutcome.Parked;
                }
                else { c.WokeFromPark = false; c.ClearReads(); c.Time += Jitter(Cost.RelaxNs); }
                break;
            default: throw new InvalidOperationException($"CPU{c.Id}: no op pending");
        }
        Steps++;
        c.Stats.Ops++;
        if (outcome != ExecOutcome.Parked) c.Stats.TimeInContext[(int)c.Context] += c.Time - t0;
        if (_monitors.Count > 0 && outcome == ExecOutcome.Completed)
            foreach (var m in _monitors) m.AfterOp(this, c, in op);
        return outcome;
    }

    private ExecOutcome ExecMem(Cpu c, ref PendingOp op, bool physical)
    {
        Arch.Now = (long)c.Time;
        AccessResult r;
        if (physical) r = PhysAccess(c, in op.Mem);
        else r = Arch.Access(c.Id, in op.Mem);
        CheckOracle(c);
        c.LastFault = r.Fault;
        c.LastFaultLevel = r.Level;
        if (!r.Ok && op.ReturnFaults)
        {
            c.LastValue = 0;
            c.Time += Jitter(Cost.ExceptionEntryExitNs);
            if (Trace.Enabled) Trace.Op(c.Time, c.Id, c.Context, "fault " + r.Fault, op.Mem.Va, 0);
            return ExecOutcome.Completed;
        }
        if (!r.Ok)
        {
            c.PendingFault = new FaultInfo(op.Mem.Va, r.Fault, r.Level, op.Mem.Kind, c.Context, (long)c.Time);
            if (Trace.Enabled) Trace.Op(c.Time, c.Id, c.Context, "fault " + r.Fault, op.Mem.Va, 0);
            return ExecOutcome.Faulted;
        }
        c.LastValue = r.Value;
        var kind = op.Mem.Kind;
        c.Time += Jitter(kind == AccessKind.Rmw ? Cost.AtomicNs : Cost.MemAccessNs);
        if (kind != AccessKind.Write) RecordRead(c, r.Pa, r.Value, op.Mem.Size);
        if (kind != AccessKind.Read) { ClosedForm.ForgetVisibility(r.Pa & ~7UL, c.Time); NotifyWrite(r.Pa, c.Time); }
        if (Trace.Enabled)
            Trace.Op(c.Time, c.Id, c.Context, physical ? "phys " + kind : kind.ToString(), op.Mem.Va, kind == AccessKind.Write ? op.Mem.Value : r.Value);
        return ExecOutcome.Completed;
    }

    private AccessResult PhysAccess(Cpu c, in MemOp m)
    {
        ulong old = Arch.ReadPhys(m.Va, m.Size);
        if (m.Kind == AccessKind.Read) return AccessResult.Success(m.Va, old);
        ulong nv = m.Kind == AccessKind.Write ? m.Value : m.Rmw switch
        {
            RmwOp.Swap => m.Value,
            RmwOp.Cas => old == m.Expected ? m.Value : old,
            RmwOp.Add => old + m.Value,
            RmwOp.Or => old | m.Value,
            RmwOp.AndNot => old & ~m.Value,
            RmwOp.Eor => old ^ m.Value,
            _ => old,
        };
        if (m.Kind == AccessKind.Write || nv != old) Arch.WritePhys(c.Id, m.Va, nv, m.Size);
        return AccessResult.Success(m.Va, old);
    }

    private void ExecSendSgi(Cpu c, ref PendingOp op)
    {
        int sgi = op.Sgi;
        bool broadcast = op.Broadcast;
        int n = op.SgiTargets.Weight;
        // gic_ipi_send_mask: wmb (DSB ST) then one ICC_SGI1R write per target cluster, or one IRM broadcast.
        c.Time += Jitter(Cost.IpiSendBaseNs + n * (broadcast ? Cost.IpiSendPerTargetBroadcastNs : Cost.IpiSendPerTargetNs));
        // Each target's redistributor sees the SGI after its own delivery latency (jittered per target): the spread
        // is what the first CPUs to take a broadcast pause IPI wait for the last (costs.md §8: 0.5–2 µs).
        var closedForm = op.SgiClosedForm;
        op.SgiClosedForm = null;
        ClosedForm.BeginEffectBatch();
        for (int t = op.SgiTargets.Next(0); t >= 0; t = t + 1 < CpuMask.MaxCpus ? op.SgiTargets.Next(t + 1) : -1)
        {
            if (t >= Cpus.Length) break;
            var target = Cpus[t];
            long arrival = (long)(c.Time + Jitter(Cost.IpiDeliveryNs));
            if (closedForm != null && ClosedForm.CanHoldAtSend(target, sgi, arrival)) { ClosedForm.HoldAtSend(target, sgi, arrival, closedForm); continue; }
            MakePending(target, sgi, arrival, closedForm);
            Driver.SgiPosted(target);
        }
        ClosedForm.EndEffectBatch();
        c.Stats.SgisSent += n;
        if (Trace.Enabled) Trace.Op(c.Time, c.Id, c.Context, $"send SGI {sgi} to {n} CPUs", 0, (ulong)n);
    }

    /// <summary>Makes an SGI pending on <paramref name="target"/> (cancelling a closed-form hold it would precede);
    /// <paramref name="closedForm"/> is its handler's closed form, used when the SGI is taken in a timed run.</summary>
    internal void MakePending(Cpu target, int sgi, long arrival, IClosedFormHandler? closedForm = null)
    {
        if (target.Park == Cpu.ParkKind.Held) ClosedForm.OnInterruptQueued(target, arrival);
        if (!Gic.IsPending(target.Id, sgi)) target.PendingClosedForm[sgi] = closedForm;
        Gic.MakePending(target.Id, sgi, arrival);
        MarkDirty(target.Id);
    }

    private void CheckOracle(Cpu c)
    {
        if (_seenArchTotal == Arch.Oracle.Total) return;   // a property read per op, nothing more
        var vs = Arch.Violations;
        while (_seenArchViolations < vs.Count)
        {
            var v = vs[_seenArchViolations++];
            _seenArchTotal++;
            ReportViolation("bbm:" + v.Kind, [v.Cpu], v.Va,
                $"CPU{v.Cpu} at {v.TimeNs} ns: {v.Rule}; descriptor at PA 0x{v.DescriptorPa:x} 0x{v.OldDescriptor:x16} -> 0x{v.NewDescriptor:x16} (VA 0x{v.Va:x})");
        }
        // Reports the oracle only counted (past its MaxKept).
        ViolationsDropped += Arch.Oracle.Total - _seenArchTotal;
        _seenArchTotal = Arch.Oracle.Total;
    }

    // ---- spin detection ----

    private void RecordRead(Cpu c, ulong pa, ulong value, int size)
    {
        // Spin detection compares whole 8-byte words, so keep the word as it was when read.
        c.RecordRead(pa, size == 8 ? value : Arch.ReadPhys(pa & ~7UL));
    }

    /// <summary>True when every location read in this spin iteration still holds what was read: parking is then
    /// safe, since only a later write can change what the loop sees (it re-reads when woken).</summary>
    private bool ReadSetUnchanged(Cpu c)
    {
        for (int i = 0; i < c.ReadCount; i++)
            if (Arch.ReadPhys(c.ReadSet[i]) != c.ReadVals[i]) return false;
        return true;
    }

    internal void Park(Cpu c, Cpu.ParkKind kind)
    {
        c.Park = kind;
        c.ParkStart = c.Time;
        if (kind == Cpu.ParkKind.Spin) _watchers.Watch(c);
        if (Trace.Enabled) Trace.Mark(c.Time, c.Id, kind == Cpu.ParkKind.Spin ? "spin (parked until a watched location changes)" : "wfe");
    }

    internal void NotifyWrite(ulong pa, double time)
    {
        pa &= ~7UL;
        if (ClosedForm.AnyHeldWatchers) ClosedForm.ReleaseHeldWatchers(pa, time);
        if (!_watchers.TryGet(pa, out var mask)) return;
        for (int t = mask.Next(0); t >= 0; t = t + 1 < CpuMask.MaxCpus ? mask.Next(t + 1) : -1)
        {
            // A WaitPhys whose condition still fails would only park again (adding no time): leave it parked, so a
            // CPU waiting for N others to check in wakes once, not N times.
            var o = Cpus[t];
            if (o.Depth > 0 && o.Frames[o.Depth - 1].Pending.Kind == OpKind.WaitPhys && !WaitHolds(ref o.Frames[o.Depth - 1].Pending)) continue;
            Unpark(o, time + Cost.CacheLineNs);
        }
    }

    /// <summary>The condition of a WaitPhys op on the word's current value.</summary>
    internal bool WaitHolds(ref PendingOp op)
    {
        return op.WaitSatisfiedBy(Arch.ReadPhys(op.WaitPa & ~7UL));
    }

    internal void Unpark(Cpu c, double wakeTime)
    {
        if (c.Park == Cpu.ParkKind.None) return;
        RemoveWatches(c);
        Driver.ChargeWait(c, wakeTime);
        c.Park = Cpu.ParkKind.None;
        c.WokeFromPark = true;
        MarkDirty(c.Id);
        Driver.Woken(c);
    }

    /// <summary>An interrupt taken at <paramref name="at"/> while parked ends the park; the interrupted op (relax, wfe,
    /// the rest of a Work op) runs again afterwards.</summary>
    private void CancelPark(Cpu c, double at)
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
}
