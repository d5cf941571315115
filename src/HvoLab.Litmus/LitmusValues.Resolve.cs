namespace HvoLab.Litmus;

/// <summary>Turns symbolic values into numbers through an <see cref="ILitmusAddressMap"/>, and lists the
/// symbols and initial memory a test needs so a machine binding can lay them out.</summary>
public static class LitmusValues
{
    /// <summary><paramref name="pteOf"/> is the location whose descriptor the value is stored in or compared
    /// with (gives a descriptor literal without <c>oa</c> its default output address).</summary>
    public static ulong Resolve(LitValue v, LitmusTest test, ILitmusAddressMap map, string? pteOf) => v switch
    {
        IntValue i => (ulong)i.Value,
        SymbolValue s => map.VirtualAddress(s.Name),
        AddressOfValue a => map.VirtualAddress(a.Symbol),
        PteAddressValue p => map.PteAddress(p.Symbol),
        PhysicalAddressValue p => map.PhysicalAddress(p.Symbol),
        DescriptorValue d => map.EncodeDescriptor(d, pteOf),
        LabelValue l => LitmusCodeAddress.OfLabel(test, l.Proc, l.Label),
        ArrayValue a => a.Word(),
        _ => throw new LitmusExecutionException($"{test.Name}: value {v} cannot be resolved"),
    };

    /// <summary>Every data location the test names (in init, code registers, conditions), in first-use order.</summary>
    public static IReadOnlyList<string> Symbols(LitmusTest test)
    {
        var seen = new List<string>();
        void Add(string s) { if (!seen.Contains(s)) seen.Add(s); }
        void Loc(LitLocation? l) { if (l is MemoryLocation m) Add(m.Symbol); else if (l is PteLocation p) Add(p.Symbol); }
        void Val(LitValue? v)
        {
            switch (v)
            {
                case SymbolValue s: Add(s.Name); break;
                case AddressOfValue a: Add(a.Symbol); break;
                case PteAddressValue p: Add(p.Symbol); break;
                case PhysicalAddressValue p: Add(p.Symbol); break;
                case DescriptorValue d: foreach (var f in d.Fields) Val(f.Value); break;
            }
        }
        void Cond(LitCondition? c)
        {
            switch (c)
            {
                case EqualsCondition e: Loc(e.Location); Val(e.Value); break;
                case FaultCondition f: Loc(f.Target); break;
                case NotCondition n: Cond(n.Inner); break;
                case AndCondition a: Cond(a.Left); Cond(a.Right); break;
                case OrCondition o: Cond(o.Left); Cond(o.Right); break;
            }
        }
        foreach (var e in test.Init) { Loc(e.Target); Val(e.Value); }
        foreach (var l in test.Locations) Loc(l);
        foreach (var f in test.ObservedFaults) Cond(f);
        Cond(test.Filter);
        Cond(test.Final.Condition);
        return seen;
    }

    /// <summary>Initial contents of memory: every symbol's data (0 unless initialised) and every symbol's
    /// descriptor (herd's default mapping to its own page unless initialised).</summary>
    public static IReadOnlyList<(LitLocation Location, ulong Value)> InitialMemory(LitmusTest test, ILitmusAddressMap map)
    {
        var result = new List<(LitLocation, ulong)>();
        foreach (var s in Symbols(test))
        {
            var data = test.Init.LastOrDefault(e => e.Target is MemoryLocation m && m.Symbol == s);
            result.Add((new MemoryLocation(s), data?.Value is { } v ? Resolve(v, test, map, null) : 0));
            var pte = test.Init.LastOrDefault(e => e.Target is PteLocation p && p.Symbol == s);
            var desc = pte?.Value ?? new DescriptorValue([]);
            result.Add((new PteLocation(s), Resolve(desc, test, map, s)));
        }
        return result;
    }
}
