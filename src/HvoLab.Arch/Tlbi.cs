namespace HvoLab.Arch;

/// <summary>TLB maintenance operations (ARM ARM C5.5 "A64 TLB maintenance instructions"; arm-arch.md §3.1).
/// IS forms broadcast to the Inner Shareable domain; the local forms affect the issuing PE only.
/// "L" forms (VALE1, VAALE1, RVAALE1) need only remove last-level entries, not walk-cache entries.</summary>
public enum TlbiOp : byte
{
    VAE1IS, VAAE1IS, VALE1IS, VAALE1IS, VMALLE1IS, ASIDE1IS, RVAALE1IS, RVAAE1IS,
    VAE1, VAAE1, VALE1, VAALE1, VMALLE1,
}

public static class TlbiOpInfo
{
    public static bool IsBroadcast(this TlbiOp op) => op is TlbiOp.VAE1IS or TlbiOp.VAAE1IS or TlbiOp.VALE1IS or TlbiOp.VAALE1IS
        or TlbiOp.VMALLE1IS or TlbiOp.ASIDE1IS or TlbiOp.RVAALE1IS or TlbiOp.RVAAE1IS;
    public static bool LastLevelOnly(this TlbiOp op) => op is TlbiOp.VALE1IS or TlbiOp.VAALE1IS or TlbiOp.RVAALE1IS or TlbiOp.VALE1 or TlbiOp.VAALE1;
    public static bool IsAll(this TlbiOp op) => op is TlbiOp.VMALLE1IS or TlbiOp.VMALLE1;
    public static bool IsRange(this TlbiOp op) => op is TlbiOp.RVAALE1IS or TlbiOp.RVAAE1IS;
}

/// <summary>Barrier kinds. DSB ISHST orders prior stores (and makes descriptor stores visible to walkers);
/// DSB ISH / SY also waits for completion of this PE's earlier broadcast TLBIs.</summary>
public enum BarrierKind : byte { DsbIshSt, DsbIsh, DsbSy, DmbIsh, DmbIshSt, DmbIshLd, Isb }
