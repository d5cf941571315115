namespace HvoLab.Litmus;

/// <summary>Architectural state of one litmus thread. A plain mutable class with <see cref="Clone"/> so an
/// exhaustive scheduler can branch; equality is structural for state-space deduplication.</summary>
public sealed class LitmusThreadState : IEquatable<LitmusThreadState>
{
    public int Proc { get; }
    private readonly ulong[] _x = new ulong[31];
    public bool N, Z, C, V;
    /// <summary>Index of the next instruction in the main code, or in the handler when <see cref="InHandler"/>.</summary>
    public int Pc;
    public bool InHandler;
    public bool Halted;
    public ulong ElrEl1;
    private List<LitmusFault> _faults = [];

    public LitmusThreadState(int proc) => Proc = proc;

    public IReadOnlyList<LitmusFault> Faults => _faults;
    public void AddFault(LitmusFault f) => _faults.Add(f);

    /// <summary>Reads a register view: W reads the low 32 bits; the zero register reads 0.</summary>
    public ulong Get(Reg r) => r.IsZero ? 0 : r.Is64 ? _x[r.Number] : (uint)_x[r.Number];

    /// <summary>Writes a register view: a W write zero-extends into the X register (as on hardware).</summary>
    public void Set(Reg r, ulong value)
    {
        if (r.IsZero) return;
        _x[r.Number] = r.Is64 ? value : (uint)value;
    }

    public ulong X(int n) => _x[n];
    public void SetX(int n, ulong value) => _x[n] = value;

    /// <summary>Register by litmus name (<c>X3</c>, <c>W3</c>), as used in conditions.</summary>
    public ulong Register(string name) => Get(ParseName(name));

    public static Reg ParseName(string name)
    {
        var upper = name.ToUpperInvariant();
        if (upper is "XZR" or "WZR") return new Reg(Reg.Zero, upper[0] == 'X');
        if (upper.Length < 2 || upper[0] is not ('X' or 'W') || !int.TryParse(upper.AsSpan(1), out var n) || n > 30)
            throw new ArgumentException($"not a general-purpose register: '{name}'", nameof(name));
        return new Reg(n, upper[0] == 'X');
    }

    public LitmusThreadState Clone()
    {
        var c = new LitmusThreadState(Proc) { N = N, Z = Z, C = C, V = V, Pc = Pc, InHandler = InHandler, Halted = Halted, ElrEl1 = ElrEl1 };
        Array.Copy(_x, c._x, _x.Length);
        c._faults = [.. _faults];
        return c;
    }

    public bool Equals(LitmusThreadState? o) =>
        o is not null && Proc == o.Proc && N == o.N && Z == o.Z && C == o.C && V == o.V && Pc == o.Pc
        && InHandler == o.InHandler && Halted == o.Halted && ElrEl1 == o.ElrEl1
        && _x.AsSpan().SequenceEqual(o._x) && _faults.SequenceEqual(o._faults);

    public override bool Equals(object? obj) => Equals(obj as LitmusThreadState);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Proc); h.Add(Pc); h.Add(InHandler); h.Add(Halted); h.Add(N); h.Add(Z); h.Add(C); h.Add(V); h.Add(ElrEl1);
        foreach (var v in _x) h.Add(v);
        h.Add(_faults.Count);
        return h.ToHashCode();
    }
}
