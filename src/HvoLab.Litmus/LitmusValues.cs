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
