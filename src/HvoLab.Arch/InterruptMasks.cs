namespace HvoLab.Arch;

/// <summary>
/// The interrupt-masking state of one PE as Linux on arm64 uses it: PSTATE.I (DAIF.I, masks every IRQ including
/// pseudo-NMIs), the GICv3 CPU interface's priority mask ICC_PMR_EL1 (under pseudo-NMI local_irq_disable() raises it to
/// GIC_PRIO_IRQOFF so that only NMI-priority interrupts are signalled), and how many NMI and IRQ handlers are active
/// (arm-arch.md §5.2; arch/arm64/include/asm/irqflags.h, arch/arm64/kernel/entry-common.c). A value type, kept in the
/// CPU and passed to <see cref="Gic"/> by reference, so the per-op checks cost no indirection.
/// </summary>
public struct InterruptMasks
{
    /// <summary>PSTATE.I.</summary>
    public bool DaifI;
    /// <summary>ICC_PMR_EL1: an SGI is signalled only if its priority is numerically lower.</summary>
    public byte Pmr;
    public int NmiDepth, IrqDepth;

    public static InterruptMasks Reset => new() { Pmr = Gic.PrioUnmasked };

    public readonly bool InNmi => NmiDepth > 0;
    public readonly bool InIrq => IrqDepth > 0;
    /// <summary>Normal interrupts masked, by DAIF.I or by PMR (what irqs_disabled() reports).</summary>
    public readonly bool IrqsDisabled => DaifI || Pmr <= Gic.PrioIrq;
    /// <summary>Interrupts off in the sense of the irqs-off statistics: masked, or inside a handler.</summary>
    public readonly bool IrqsOffOrInHandler => IrqsDisabled || InIrq || InNmi;

    /// <summary>local_irq_disable(): PMR = GIC_PRIO_IRQOFF under pseudo-NMI, else DAIF.I.</summary>
    public void LocalIrqDisable(bool pseudoNmi) { if (pseudoNmi) Pmr = Gic.PrioIrq; else DaifI = true; }
    /// <summary>local_irq_enable(): PMR = GIC_PRIO_IRQON under pseudo-NMI, else clear DAIF.I.</summary>
    public void LocalIrqEnable(bool pseudoNmi) { if (pseudoNmi) Pmr = Gic.PrioUnmasked; else DaifI = false; }

    /// <summary>Exception entry for an interrupt: an NMI runs with PSTATE.I set (no nesting); a normal IRQ handler under
    /// pseudo-NMI runs with PMR = IRQOFF and I clear, so NMIs can preempt it; without pseudo-NMI with I set.</summary>
    public void EnterInterrupt(bool nmi, bool pseudoNmi)
    {
        if (nmi) DaifI = true;
        else if (pseudoNmi) { Pmr = Gic.PrioIrq; DaifI = false; }
        else DaifI = true;
    }
}
