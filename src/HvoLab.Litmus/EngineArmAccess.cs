using HvoLab.Arch;
using HvoLab.Engine;

namespace HvoLab.Litmus;

/// <summary>
/// The data accesses of one litmus thread under the engine's Arm store-buffer model (<c>hvolab litmus --data-model
/// engine-arm</c>): the model the kernel checks use (<see cref="DataMemoryModel.Arm"/>, docs/arch.md "Data accesses in
/// the kernel model"), run on herd's catalogues to check that it never allows what Arm forbids. Each data location is
/// accessed by PA as a kernel global is (the guest declares the test's data words buffered and readable at an older
/// value, <see cref="LitmusGuest"/>), with the instruction's own ordering (<see cref="OrderOf"/>).
/// </summary>
/// <remarks>
/// Only data-memory tests (<see cref="ViewModelExplorer.Handles"/>) go through this class. Translation tests under
/// <c>engine-arm-va</c> keep the machine binding's accesses (<see cref="LitmusEngineThread"/>: translation candidates,
/// faults, hardware updates), issued with <see cref="OrderOf"/>'s ordering on the same engine buffers, and a load's
/// other translations read through the CPU's forwarding (<see cref="Cpu.ReadForwarded"/>); by PA they are not bound
/// (<see cref="NotBound"/>). A load whose address depends on loaded values carries their view (the engine's address
/// view, <see cref="Cpu.AccessPhys(in MemOp, MemOrder, int)"/>): by PA it may read no value older than the newest write
/// at that view, as Promising-ARM's vaddr; by VA (loads read memory, no older values) it is still preceded by a DMB LD.
/// An acquire-PC load (LDAPR) is issued as an acquire (RCsc, stronger). Neither can hide an outcome the model allows
/// that Arm forbids.
/// </remarks>
internal sealed class EngineArmAccess(LitmusMachine binding, bool byVa)
{
    /// <summary>Why a test that touches the translation regime is not run by PA (<c>engine-arm</c>); by VA
    /// (<c>engine-arm-va</c>) it runs on the machine binding with the engine's buffers underneath.</summary>
    public const string NotBound = "engine-arm data model (data by PA): translation tests are not bound (their data words must be accessed through the translation under test: use engine-arm-va)";

    /// <summary>Exclusive monitor: the word and value the last load-exclusive read (STXR is a CAS against it, as in
    /// <c>LitmusEngineThread</c>: up to ABA, no spurious failure).</summary>
    private ulong _exclusivePa = ulong.MaxValue;
    private ulong _exclusiveValue;
    /// <summary>Which registers hold a value computed from a load (its own counter: the walk history's epochs do not
    /// advance in a data-memory test).</summary>
    private readonly RegisterReadiness _deps = new();
    private long _accesses;
    /// <summary>Each register's view (the engine's <see cref="Cpu.LastReadView"/> of the loads it was computed from):
    /// by PA a dependent load's address view.</summary>
    private readonly RegisterReadiness _views = new();
    private int _lastView;

    public void AfterRegisterOp(Instruction ins) { _deps.AfterRegisterOp(ins); _views.AfterRegisterOp(ins); }
    public void AfterAccess(Instruction ins) { _deps.AfterAccess(ins, ++_accesses); _views.AfterAccess(ins, _lastView); }

    /// <summary>The address the engine access uses for <paramref name="va"/> if it is a data location: its physical word
    /// (identity-mapped in every data test), or the VA itself when the words are accessed by VA.</summary>
    public ulong? Address(ulong va) =>
        binding.Describe(va) is not MemoryLocation m ? null : byVa ? va : binding.PhysicalAddress(m.Symbol) + (va - binding.VirtualAddress(m.Symbol));

    /// <summary>By PA: a kernel global's access (buffered store, older values). By VA: a struct page field's (the store
    /// translated when issued and buffered, never passing; loads of memory or the CPU's own buffered store).</summary>
    private CpuOp Issue(Cpu cpu, in MemOp op, MemOrder order, int addressView = 0) => byVa ? cpu.Access(op, returnFaults: false, order) : cpu.AccessPhys(op, order, addressView);

    /// <summary>Performs <paramref name="ins"/>'s load, store, store-exclusive or atomic on <paramref name="pa"/> (an
    /// <see cref="Address"/>).</summary>
    public async SimTask<MemResult> Perform(Cpu cpu, Instruction ins, PortRequest r, ulong pa)
    {
        var addressDependent = _deps.AddressReady(ins) > 0;
        // A write's address and data views, its forwarding view (the data register: Rt of STXR and CAS, else the first).
        var writeView = r.Kind == RequestKind.Load ? 0 : (int)Math.Max(_views.AddressReady(ins), _views.Of(ins.R(ins.Op is Opcode.Stxr or Opcode.Cas ? 1 : 0)));
        var a = r.Access;
        var size = a.Size;
        switch (r.Kind)
        {
            case RequestKind.Load:
                // By PA the address dependency is the engine's (the load's address view); by VA loads read memory.
                if (byVa && addressDependent && a.Order == AccessOrder.Plain) await cpu.Barrier(BarrierKind.DmbIshLd);
                var v = await Issue(cpu, MemOp.Load(pa, size), OrderOf(a.Order, rmw: false), (int)_views.AddressReady(ins));
                _lastView = cpu.LastReadView;
                if (a.Exclusive) { _exclusivePa = pa; _exclusiveValue = v; }
                return MemResult.Ok(v);
            case RequestKind.Store when a.Exclusive:
                if (_exclusivePa != pa) return MemResult.Ok(1);
                _exclusivePa = ulong.MaxValue;
                var old = await Issue(cpu, MemOp.Cas(pa, _exclusiveValue, r.Value, size), OrderOf(a.Order, rmw: false), writeView);
                _lastView = cpu.LastReadView;
                return MemResult.Ok((old & MemOp.ValueMask(size)) == (_exclusiveValue & MemOp.ValueMask(size)) ? 0UL : 1UL);
            case RequestKind.Store:
                await Issue(cpu, MemOp.Store(pa, r.Value, size), OrderOf(a.Order, rmw: false), writeView);
                return MemResult.Ok();
            default:
                var op = new MemOp(AccessKind.Rmw, pa, size, r.Value, r.Expected, EngineOpMapping.RmwOf(r.Rmw));
                var result = await Issue(cpu, op, OrderOf(a.Order, rmw: true), writeView);
                _lastView = cpu.LastReadView;
                return MemResult.Ok(result);
        }
    }

    /// <summary>The engine ordering of an instruction's: LDAR/LDAPR/LDAXR acquire, STLR/STLXR release, an atomic with
    /// both A and L fully ordered (what the kernel's value-returning atomics compile to and are modelled as, MemOrder.Full),
    /// with A or L alone acquire or release.</summary>
    public static MemOrder OrderOf(AccessOrder o, bool rmw)
    {
        var acquire = (o & (AccessOrder.Acquire | AccessOrder.AcquirePc)) != 0;
        var release = (o & AccessOrder.Release) != 0;
        if (rmw && acquire && release) return MemOrder.Full;
        return acquire ? MemOrder.Acquire : release ? MemOrder.Release : MemOrder.Relaxed;
    }
}
