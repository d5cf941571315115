namespace HvoLab.Arch;

/// <summary>Descriptor writes made by the hardware walker (FEAT_HAFDBS), and the AC03_CPU_38 late writes.</summary>
public sealed partial class ArchMachine
{
    private readonly record struct LateFlagWrite(ulong Pa, ulong Value);

    private readonly List<LateFlagWrite>[] _lateFlagWrites;

    /// <summary>A hardware update of the descriptor at <paramref name="pa"/> (an AF or dirty-state RMW). It is coherent
    /// and atomic (R_LFTXR): it goes straight to memory, not through a store buffer, and the BBM oracle sees it like
    /// any descriptor write (herd: the HU is a write to the PTE in coherence order).</summary>
    public void HardwareWriteDescriptor(int cpu, ulong pa, ulong value)
    {
        ulong wordPa = pa & ~7UL;
        ulong old = Memory.ReadWord(wordPa);
        if (old == value) return;
        if (Tables.TryLocateDescriptor(wordPa, out int level, out ulong va))
            Oracle.OnDescriptorWrite(cpu, wordPa, level, va, old, value);
        Memory.WriteWord(wordPa, value);
        HardwareDescriptorWrites++;
    }

    /// <summary>Hardware A/D writes so far (each an atomic update of a descriptor in memory).</summary>
    public long HardwareDescriptorWrites { get; private set; }

    /// <summary>AC03_CPU_38: the walk at <paramref name="va"/> read <paramref name="value"/> (AF now set) and its CPU
    /// caches that translation at once, while the AF write to memory is delayed to the CPU's next access and is a
    /// plain store of the value read, whatever the entry holds by then.</summary>
    internal void AddLateFlagWrite(int cpu, ulong pa, ulong value, int level, ulong va)
    {
        if (Mmu.TryLocateLive(pa, level, va, out bool noWrite, out bool pxn)) Mmu.AddTranslation(cpu, value, level, va, pa, noWrite, pxn);
        _lateFlagWrites[cpu].Add(new LateFlagWrite(pa, value));
    }

    /// <summary>Lands the late A/D writes of <paramref name="cpu"/> (called before its next access).</summary>
    private void DrainLateFlagWrites(int cpu)
    {
        var list = _lateFlagWrites[cpu];
        if (list.Count == 0) return;
        foreach (var w in list) HardwareWriteDescriptor(cpu, w.Pa, w.Value);
        list.Clear();
    }
}
