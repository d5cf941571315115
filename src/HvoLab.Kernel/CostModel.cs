using System.Reflection;
using HvoLab.Arch;

namespace HvoLab.Kernel;

/// <summary>
/// Every cost a scenario can set: the machine's (<see cref="HardwareCosts"/>, which the engine charges per op) and the
/// kernel's (<see cref="KernelCosts"/>, charged by the kernel routines). One flat namespace of names, so a scenario
/// overrides "TlbiBaseNs" or "SynchronizeRcuNs" alike (<see cref="With"/>); no name exists in both parts.
/// </summary>
public sealed record CostModel(HardwareCosts Hardware, KernelCosts Kernel)
{
    public static CostModel Default { get; } = new(HardwareCosts.Default, KernelCosts.Default);

    private static readonly PropertyInfo[] HardwareProps = Overridable(typeof(HardwareCosts));
    private static readonly PropertyInfo[] KernelProps = Overridable(typeof(KernelCosts));

    /// <summary>Names of every overridable cost (the property names of both parts).</summary>
    public static IReadOnlyList<string> Names { get; } = HardwareProps.Concat(KernelProps).Select(p => p.Name)
        .OrderBy(n => n, StringComparer.Ordinal).ToArray();

    private static PropertyInfo[] Overridable(Type t) =>
        t.GetProperties().Where(p => p.PropertyType == typeof(double) && p.CanWrite).ToArray();

    /// <summary>Returns a copy with the named costs replaced. Unknown names or negative values throw ArgumentException
    /// naming the field, the value and what is allowed.</summary>
    public CostModel With(IReadOnlyDictionary<string, double> overrides)
    {
        var hardware = Hardware with { };
        var kernel = Kernel with { };
        foreach (var (name, value) in overrides)
        {
            object target = hardware;
            var prop = Array.Find(HardwareProps, p => p.Name == name);
            if (prop is null) { prop = Array.Find(KernelProps, p => p.Name == name); target = kernel; }
            if (prop is null)
                throw new ArgumentException($"cost '{name}' is unknown; allowed: {string.Join(", ", Names)}");
            if (double.IsNaN(value) || value < 0 || (name == nameof(HardwareCosts.Jitter) && value >= 1))
                throw new ArgumentException($"cost '{name}' = {value} is not allowed; use a finite value >= 0" + (name == nameof(HardwareCosts.Jitter) ? " and < 1" : ""));
            prop.SetValue(target, value);
        }
        return new CostModel(hardware, kernel);
    }
}
