using HvoLab.Arch;
using HvoLab.Arch.MemoryModel;

namespace HvoLab.Litmus;

/// <summary>
/// The transitions of one litmus thread under the view-based Arm model (<see cref="ThreadViews"/>): executing its
/// next instruction in every way the model allows (which message a read takes, which of its promises a write
/// fulfils or a fresh write at the end of memory, a store-exclusive failing) and promising a write. Each
/// instruction is run by <see cref="LitmusInterpreter"/> in two phases: a <see cref="RecordingPort"/> run on a copy
/// learns the request, then the real state is completed with a <see cref="ReplayPort"/> answer.
/// </summary>
internal sealed class ViewSteps(LitmusInterpreter interp, LocationTable locations, int instructionBudget)
{
    /// <summary>Set when some thread ran into the instruction budget (that path is dropped, as herd drops executions
    /// beyond its loop unrolling).</summary>
    public bool BudgetHit { get; private set; }

    /// <summary>Adds to <paramref name="into"/> every state reached by thread <paramref name="i"/> executing one
    /// instruction. <paramref name="append"/>: whether a write may append a new message (false only when
    /// a certification must use promises alone).</summary>
    public void Execute(ViewConfig c, int i, List<ViewConfig> into, bool append = true)
    {
        var t = c.Threads[i];
        var ins = interp.Next(t.State);
        if (ins is null) return;
        if (t.Executed >= instructionBudget) { BudgetHit = true; return; }
        var rec = new RecordingPort();
        interp.Step(t.State.Clone(), rec);
        var req = rec.Request;
        switch (req.Kind)
        {
            case RequestKind.None:
            {
                var n = c.CloneThread(i);
                var nt = Begin(n, i);
                interp.Step(nt.State, rec);
                nt.AfterRegisterOp(ins);
                if (ins.Op is Opcode.BCond or Opcode.Cbz or Opcode.Cbnz) nt.Views.Control(nt.Control);
                into.Add(n);
                break;
            }
            case RequestKind.Barrier:
            {
                var n = c.CloneThread(i);
                var nt = Begin(n, i);
                if (req.BarrierType == BarrierType.Isb) nt.Views.Isb();
                else nt.Views.Dmb(OrdersOf(req.Option));
                interp.Step(nt.State, rec);
                into.Add(n);
                break;
            }
            case RequestKind.Load: Loads(c, i, ins, req, into, append); break;
            case RequestKind.Store: Stores(c, i, ins, req, into, append); break;
            case RequestKind.Rmw: Loads(c, i, ins, req, into, append); break;
            default: throw new LitmusExecutionException($"{interp.Test.Name}: '{ins.Text}' is not a data-memory instruction");
        }
    }

    /// <summary>Whether the thread has instructions left (a thread over its budget still counts: its path is dropped).</summary>
    public bool IsRunning(ViewThread t) => interp.Next(t.State) is not null;

    private static ViewThread Begin(ViewConfig n, int i)
    {
        var nt = n.Threads[i];
        nt.Executed++;
        return nt;
    }

    /// <summary>DMB/DSB of a type: full, LD or ST. A DSB orders data accesses like the DMB of the same type.</summary>
    public static BarrierOrders OrdersOf(BarrierOption? o) => (o?.Types ?? "") switch
    {
        "LD" => BarrierOrders.Load,
        "ST" => BarrierOrders.Store,
        _ => BarrierOrders.Full,
    };

    private static ReadStrength StrengthOf(AccessOrder o) =>
        (o & AccessOrder.Acquire) != 0 ? ReadStrength.Acquire : (o & AccessOrder.AcquirePc) != 0 ? ReadStrength.AcquirePc : ReadStrength.Plain;


    /// <summary>An atomic whose destination is the zero register ("no return"): its read is not an acquire and
    /// DMB LD does not order it (Arm ARM C6.2 LDADD &amp;c.: acquire semantics only when the destination is not
    /// XZR/WZR; herd "R \ NoRet").</summary>
    private static bool NoReturn(Instruction ins) => ins.Op switch
    {
        Opcode.StOp => true,
        Opcode.Swp or Opcode.LdOp => ins.R(1).IsZero,
        Opcode.Cas => ins.R(0).IsZero,
        _ => false,
    };

    /// <summary>A load, or the read half of an atomic: one successor per message the read may take.</summary>
    private void Loads(ViewConfig c, int i, Instruction ins, PortRequest req, List<ViewConfig> into, bool append)
    {
        var t = c.Threads[i];
        var loc = locations.IndexOf(req.Access.Va, req.Access.Size);
        var addr = t.AddressOf(ins);
        var rmw = req.Kind == RequestKind.Rmw;
        var noRet = rmw && NoReturn(ins);
        var strength = noRet ? ReadStrength.Plain : StrengthOf(req.Access.Order);
        for (var ts = t.Views.Coh(loc); ts <= c.Memory.Count; ts++)
        {
            if (!t.Views.CanRead(c.Memory, loc, ts, addr, strength)) continue;
            var old = c.Memory.ValueOf(ts, loc) & MemOp.ValueMask(req.Access.Size);
            var n = c.CloneThread(i);
            var nt = Begin(n, i);
            var post = nt.Views.Read(loc, ts, addr, strength, exclusive: req.Access.Exclusive || rmw, countsAsRead: !noRet);
            if (!rmw)
            {
                interp.Step(nt.State, new ReplayPort(MemResult.Ok(old)));
                nt.AfterAccess(ins, post);
                into.Add(n);
                continue;
            }
            if (req.Rmw == LitmusRmwOp.CompareSwap && old != (req.Expected & MemOp.ValueMask(req.Access.Size)))
            {
                // A CAS that fails reads only (no write, so no release either).
                nt.Views.FailExclusive();
                interp.Step(nt.State, new ReplayPort(MemResult.Ok(old)));
                nt.AfterAccess(ins, post);
                into.Add(n);
                continue;
            }
            var value = RmwValue(req.Rmw, old, req.Value) & MemOp.ValueMask(req.Access.Size);
            // LD<op> writes a value computed from the one read; SWP and CAS write a register (the write is still
            // ordered after the read: herd "aob", rmw).
            var data = DataView(nt, ins);
            if (req.Rmw is not (LitmusRmwOp.Swap or LitmusRmwOp.CompareSwap)) data = data.Join(post);
            var release = (req.Access.Order & AccessOrder.Release) != 0;
            foreach (var w in Writes(n, i, loc, value, addr, data, release, exclusive: true, append))
            {
                interp.Step(w.Threads[i].State, new ReplayPort(MemResult.Ok(old)));
                w.Threads[i].AfterAccess(ins, post);
                into.Add(w);
            }
        }
    }

    private void Stores(ViewConfig c, int i, Instruction ins, PortRequest req, List<ViewConfig> into, bool append)
    {
        var t = c.Threads[i];
        var loc = locations.IndexOf(req.Access.Va, req.Access.Size);
        var addr = t.AddressOf(ins);
        var data = DataView(t, ins);
        var release = (req.Access.Order & AccessOrder.Release) != 0;
        var exclusive = req.Access.Exclusive;
        var n0 = c.CloneThread(i);
        Begin(n0, i);
        foreach (var w in Writes(n0, i, loc, req.Value & MemOp.ValueMask(req.Access.Size), addr, data, release, exclusive, append))
        {
            interp.Step(w.Threads[i].State, new ReplayPort(MemResult.Ok(0)));
            w.Threads[i].AfterAccess(ins, DepView.None); // a store-exclusive's status carries no dependency (herd lxsx)
            into.Add(w);
        }
        if (exclusive)
        {
            var f = c.CloneThread(i);
            var ft = Begin(f, i);
            ft.Views.FailExclusive();
            interp.Step(ft.State, new ReplayPort(MemResult.Ok(1)));
            ft.AfterAccess(ins, DepView.None);
            into.Add(f);
        }
    }

    /// <summary>Every way thread <paramref name="i"/> of <paramref name="n"/> (already a private copy of that
    /// thread) can perform a write: fulfil one of its promises for the same location and value, or append.</summary>
    private static IEnumerable<ViewConfig> Writes(ViewConfig n, int i, int loc, ulong value, DepView addr, DepView data, bool release, bool exclusive, bool append)
    {
        var t = n.Threads[i];
        var mem = n.Memory;
        for (var ts = t.Views.Coh(loc) + 1; ts <= mem.Count; ts++)
        {
            if (!t.Views.IsPromised(ts) || mem.LocationOf(ts) != loc || mem.ValueOf(ts, loc) != value) continue;
            if (!t.Views.CanWrite(mem, loc, ts, addr, data, release, exclusive)) continue;
            var w = n.CloneThread(i);
            w.Threads[i].Views.Fulfill(loc, ts, addr, data, release, exclusive);
            yield return w;
        }
        if (!append || !t.Views.CanWrite(mem, loc, mem.Count + 1, addr, data, release, exclusive)) yield break;
        var a = n.CloneThread(i);
        a.Memory = mem.Clone();
        var at = a.Memory.Append(loc, value, a.Threads[i].Views.Tid);
        a.Threads[i].Views.Fulfill(loc, at, addr, data, release, exclusive);
        yield return a;
    }

    /// <summary>View of the register a store writes (its data dependency). Whether a CAS writes depends on its
    /// compare value: a pick dependency (herd: iico_ctrl), so it counts for the pick view only.</summary>
    private static DepView DataView(ViewThread t, Instruction ins) => ins.Op switch
    {
        Opcode.Stxr => t.Of(ins.R(1)),
        Opcode.Cas => t.Of(ins.R(1)).Join(new DepView(0, t.Of(ins.R(0)).Pick)),
        Opcode.Swp or Opcode.LdOp or Opcode.StOp or Opcode.Str or Opcode.Stlr => t.Of(ins.R(0)),
        _ => DepView.None,
    };

    private static ulong RmwValue(LitmusRmwOp op, ulong old, ulong operand) => op switch
    {
        LitmusRmwOp.Swap or LitmusRmwOp.CompareSwap => operand,
        LitmusRmwOp.Add => old + operand,
        LitmusRmwOp.Set => old | operand,
        LitmusRmwOp.Clr => old & ~operand,
        _ => old ^ operand,
    };
}
