using HvoLab.Arch;

namespace HvoLab.Litmus;

/// <summary>A value as written in a litmus file. Kept symbolic because the meaning of a location name,
/// a PTE address or a descriptor depends on the machine binding (see <see cref="ILitmusAddressMap"/>).</summary>
public abstract record LitValue;

/// <summary>Plain integer constant.</summary>
public sealed record IntValue(long Value) : LitValue
{
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The virtual address of a named location (<c>0:X1=x</c>).</summary>
public sealed record SymbolValue(string Name) : LitValue
{
    public override string ToString() => Name;
}

/// <summary>The virtual address of the last-level descriptor mapping a location: <c>PTE(x)</c> or the older <c>pte_x</c>.</summary>
public sealed record PteAddressValue(string Symbol) : LitValue
{
    public override string ToString() => $"PTE({Symbol})";
}

/// <summary>The physical page of a location's initial mapping: <c>PA(x)</c> or the older <c>phy_x</c>.</summary>
public sealed record PhysicalAddressValue(string Symbol) : LitValue
{
    public override string ToString() => $"PA({Symbol})";
}

/// <summary>C-style address-of in typed declarations (<c>int *p = &amp;z;</c>).</summary>
public sealed record AddressOfValue(string Symbol) : LitValue
{
    public override string ToString() => "&" + Symbol;
}

/// <summary>The address of a code label (<c>label:"P1:L1"</c>), used by fault handlers that set ELR_EL1.</summary>
public sealed record LabelValue(int Proc, string Label) : LitValue
{
    public override string ToString() => $"label:\"P{Proc}:{Label}\"";
}

/// <summary>An instruction as data (<c>instr:"NOP"</c>, or <c>ins_t 0:X0=NOP</c>): instruction-fetch tests store it
/// into code. Parsed so such tests are classified; the machine binding has no instruction memory to resolve it in.</summary>
public sealed record InstructionValue(string Text) : LitValue
{
    public override string ToString() => $"instr:\"{Text}\"";
}

/// <summary>The initial contents of an array location (<c>int x[2]={0,0};</c>): consecutive elements of
/// <paramref name="ElementBytes"/> bytes from the location's address, little-endian. The binding keeps one 64-bit word
/// per location, so the whole array must fit in 8 bytes (two 32-bit words, as FEAT_LRCPC3's LDIAPP tests use).</summary>
public sealed record ArrayValue(int ElementBytes, IReadOnlyList<long> Elements) : LitValue
{
    public static ArrayValue Of(string type, IReadOnlyList<long> elements, string file, int line)
    {
        var bytes = type switch
        {
            "int" or "int32_t" or "uint32_t" => 4,
            "int64_t" or "uint64_t" or "long" or "intptr_t" or "uintptr_t" => 8,
            _ => throw new LitmusParseException(file, line, $"array of '{type}' not supported (int, int32_t, uint32_t, int64_t, uint64_t, long)"),
        };
        if (bytes * elements.Count > 8)
            throw new LitmusParseException(file, line, $"array of {elements.Count} x {bytes} bytes is larger than the 8-byte word a location holds");
        return new ArrayValue(bytes, elements);
    }

    /// <summary>The 8-byte word the elements fill, little-endian.</summary>
    public ulong Word()
    {
        var mask = MemOp.ValueMask(ElementBytes);
        ulong w = 0;
        for (var k = 0; k < Elements.Count; k++) w |= ((ulong)Elements[k] & mask) << (k * ElementBytes * 8);
        return w;
    }

    public bool Equals(ArrayValue? other) => other is not null && ElementBytes == other.ElementBytes && Elements.SequenceEqual(other.Elements);
    public override int GetHashCode() => Elements.Count;
    public override string ToString() => "{" + string.Join(",", Elements) + "}";
}

/// <summary>One <c>name:value</c> pair of a descriptor literal, recorded verbatim so no field is lost.
/// <paramref name="Value"/> is an <see cref="IntValue"/>, <see cref="PhysicalAddressValue"/> or,
/// for attribute lists such as <c>attrs:(Normal,iNC,oNC)</c>, an <see cref="AttrsValue"/>.</summary>
public sealed record DescriptorField(string Name, LitValue Value);

/// <summary>Memory-attribute list inside a descriptor literal, e.g. <c>(Device-GRE)</c>.</summary>
public sealed record AttrsValue(IReadOnlyList<string> Attributes) : LitValue
{
    public bool Equals(AttrsValue? other) => other is not null && Attributes.SequenceEqual(other.Attributes);
    public override int GetHashCode() => string.Join(",", Attributes).GetHashCode(StringComparison.Ordinal);
    public override string ToString() => "(" + string.Join(",", Attributes) + ")";
}

/// <summary>A page-table descriptor literal <c>(oa:PA(y), valid:0, db:0, af:1, ...)</c>.
/// Unset fields take herd's defaults (valid:1, af:1, db:1, dbm:0, el0:1) when the binding encodes it;
/// the literal itself only records what the file says.</summary>
public sealed record DescriptorValue(IReadOnlyList<DescriptorField> Fields) : LitValue
{
    public static readonly IReadOnlySet<string> KnownFields =
        new HashSet<string>(StringComparer.Ordinal) { "oa", "valid", "af", "db", "dbm", "el0", "attrs" };

    public LitValue? Get(string name) => Fields.FirstOrDefault(f => f.Name == name)?.Value;
    private int? Bit(string name) => Get(name) is IntValue i ? (int)i.Value : null;

    /// <summary>Output address; null means "the identity page of whatever this descriptor maps".</summary>
    public PhysicalAddressValue? Oa => Get("oa") as PhysicalAddressValue;
    public int? Valid => Bit("valid");
    public int? Af => Bit("af");
    public int? Db => Bit("db");
    public int? Dbm => Bit("dbm");
    public int? El0 => Bit("el0");
    public AttrsValue? Attrs => Get("attrs") as AttrsValue;

    /// <summary>Fields outside <see cref="KnownFields"/>: the support classifier rejects tests that use them.</summary>
    public IEnumerable<string> UnknownFieldNames => Fields.Select(f => f.Name).Where(n => !KnownFields.Contains(n));

    public bool Equals(DescriptorValue? other) => other is not null && Fields.SequenceEqual(other.Fields);
    public override int GetHashCode() => Fields.Count;
    public override string ToString() => "(" + string.Join(", ", Fields.Select(f => $"{f.Name}:{f.Value}")) + ")";
}

/// <summary>Something that holds a value in the initial or final state.</summary>
public abstract record LitLocation;

/// <summary>Register <c>P:Xn</c>; the name is normalised to upper case (files also write <c>2:x1</c>).</summary>
public sealed record RegisterLocation(int Proc, string Register) : LitLocation
{
    public override string ToString() => $"{Proc}:{Register}";
}

/// <summary>Memory at a named location: <c>x</c> or <c>[x]</c>.</summary>
public sealed record MemoryLocation(string Symbol) : LitLocation
{
    public override string ToString() => Symbol;
}

/// <summary>The descriptor of a location: <c>[PTE(x)]</c>, <c>PTE(x)</c> or <c>pte_x</c> on the left of <c>=</c>.</summary>
public sealed record PteLocation(string Symbol) : LitLocation
{
    public override string ToString() => $"[PTE({Symbol})]";
}
