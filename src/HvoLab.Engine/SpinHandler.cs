using HvoLab.Arch;

namespace HvoLab.Engine;

/// <summary>One step of a <see cref="SpinHandler"/>: an atomic add to a word, a spin until a word holds a value, or
/// an ISB (named as a barrier site, so `hvolab barriers` can leave it out).</summary>
public readonly record struct SpinHandlerStep(SpinHandlerStep.Kind What, ulong Pa = 0, ulong Value = 0, string? Site = null)
{
    public enum Kind : byte { AtomicAdd, SpinUntil, Isb }

    /// <summary>atomic_add(delta, word) without a result (atomic_inc / atomic_dec: delta 1 / ulong.MaxValue).</summary>
    public static SpinHandlerStep AtomicAdd(ulong pa, ulong delta) => new(Kind.AtomicAdd, pa, delta);
    /// <summary>while (READ_ONCE(word) != value) cpu_relax();</summary>
    public static SpinHandlerStep SpinUntil(ulong pa, ulong value) => new(Kind.SpinUntil, pa, value);
    public static SpinHandlerStep Isb(string site) => new(Kind.Isb, Site: site);
}

/// <summary>
/// An interrupt handler of the shape "announce; spin until a word holds a value; retract" written once, as a list of
/// steps, and run two ways from that one description: op by op (<see cref="Run"/>: what a search explores, and what a
/// timed run executes when the handler cannot be held), and in closed form (<see cref="IClosedFormHandler"/>: the
/// times the same ops take, each step charged what the op executor charges for it through <see cref="OpCosts"/>,
/// with the jitter drawn in the same order). D's pause_local_cpu() is the case. The closed form carries one atomic
/// add before the spin and one after (<see cref="ClosedFormStep"/>), so the constructor refuses other shapes.
/// </summary>
public sealed class SpinHandler : IClosedFormHandler
{
    private readonly Simulator _sim;
    private readonly SpinHandlerStep[] _steps;
    private readonly int _spin;

    public SpinHandler(Simulator sim, string label, params SpinHandlerStep[] steps)
    {
        _sim = sim;
        _steps = steps;
        _spin = Array.FindIndex(steps, s => s.What == SpinHandlerStep.Kind.SpinUntil);
        if (_spin < 0 || Array.FindLastIndex(steps, s => s.What == SpinHandlerStep.Kind.SpinUntil) != _spin)
            throw new ArgumentException("a spin handler has exactly one SpinUntil step", nameof(steps));
        if (steps.Take(_spin).Count(s => s.What == SpinHandlerStep.Kind.AtomicAdd) > 1
            || steps.Skip(_spin + 1).Count(s => s.What == SpinHandlerStep.Kind.AtomicAdd) > 1)
            throw new ArgumentException("a spin handler has at most one atomic add before its spin and one after", nameof(steps));
        Label = sim.Label(label);
    }

    /// <summary>The handler op by op.</summary>
    public async SimTask Run(Cpu cpu)
    {
        foreach (var s in _steps)
        {
            switch (s.What)
            {
                case SpinHandlerStep.Kind.AtomicAdd: await cpu.AtomicAddPhys(s.Pa, s.Value); break;
                case SpinHandlerStep.Kind.SpinUntil: await cpu.WaitPhys(s.Pa, s.Value); break;
                default: await cpu.Isb(s.Site); break;
            }
        }
    }

    /// <summary>The steps before the spin, from <paramref name="start"/>.</summary>
    public ClosedFormStep Enter(Cpu cpu, double start) => Fold(cpu, start, 0, _spin);

    public ulong WaitPa => _steps[_spin].Pa;
    public ulong WaitValue => _steps[_spin].Value;

    /// <summary>The read that ends the spin, then the steps after it.</summary>
    public ClosedFormStep Leave(Cpu cpu, double woken) =>
        Fold(cpu, woken + _sim.Jitter(cpu, OpCosts.SpinExitRead(_sim.Cost)), _spin + 1, _steps.Length);

    /// <summary>One op per step.</summary>
    public int Ops => _steps.Length;

    /// <summary>The label the handler's time is charged to.</summary>
    public int Label { get; }

    private ClosedFormStep Fold(Cpu cpu, double t, int from, int to)
    {
        ulong pa = 0, delta = 0;
        double visible = 0, start = 0;
        for (int i = from; i < to; i++)
        {
            var s = _steps[i];
            if (s.What == SpinHandlerStep.Kind.AtomicAdd)
            {
                start = t;
                t += _sim.Jitter(cpu, OpCosts.Access(_sim.Cost, AccessKind.Rmw));
                (pa, delta, visible) = (s.Pa, s.Value, t);   // performed at its start, waking waiters when it completes
            }
            else t += _sim.Jitter(cpu, OpCosts.Barrier(_sim.Cost, BarrierKind.Isb));
        }
        return new ClosedFormStep(t, pa, delta, visible, start);
    }
}
