using CsCheck;
using HvoLab.Arch;
using Xunit;

namespace HvoLab.Arch.Tests;

/// <summary>
/// <see cref="TlbSharedFills"/> stores "every CPU gets this translation" once; it must behave exactly like inserting
/// the entry into each CPU's TLB (keeping an entry a CPU already holds for the block). Random sequences of private
/// fills, fills for every CPU and local and broadcast invalidations are checked against per-CPU dictionaries.
/// </summary>
public class TlbSharedFillsModelTests
{
    private const int Cpus = 4;
    private static readonly Granule G = Granule.K4;
    private const ulong Base = 0xffff_0000_4000_0000UL;

    private static TlbLeaf Leaf(int page, ulong value) =>
        new(3, Base + (ulong)page * 4096, 0x0040_0000_0000_0703UL | (value << 12), 0x8000 + (ulong)page * 8, false, false);

    [Fact]
    public void SharedFillsBehaveLikeOneInsertionPerCpu()
    {
        var op = Gen.Select(Gen.Int[0, 5], Gen.Int[0, Cpus - 1], Gen.Int[0, 5], Gen.Int[1, 3]);
        op.Array[1, 60].Sample(ops =>
        {
            var holders = new TlbHolders();
            var shared = new TlbSharedFills(G, Cpus);
            var tlbs = Enumerable.Range(0, Cpus).Select(c => new Tlb(G, c, holders, shared)).ToArray();
            var model = Enumerable.Range(0, Cpus).Select(_ => new Dictionary<int, TlbLeaf>()).ToArray();
            foreach (var (kind, cpu, page, value) in ops)
            {
                var e = Leaf(page, (ulong)value);
                switch (kind)
                {
                    case 0: tlbs[cpu].AddLeaf(e); model[cpu].TryAdd(page, e); break;                 // a walk fills one TLB
                    case 1:                                                                          // adversarial fill
                        var rest = shared.AddLeafEverywhere(e);
                        for (int c = rest.Next(0); c >= 0 && c < Cpus; c = rest.Next(c + 1)) tlbs[c].AddLeaf(e);
                        foreach (var m in model) m.TryAdd(page, e);
                        break;
                    case 2: tlbs[cpu].InvalidateVa(e.VaBase, lastLevelOnly: true); model[cpu].Remove(page); break;
                    case 3:                                                                          // broadcast TLBI
                        shared.InvalidateForAll(TlbiOp.VALE1IS, e.VaBase, 1);
                        foreach (var t in tlbs) t.InvalidateVa(e.VaBase, true, privateOnly: true);
                        foreach (var m in model) m.Remove(page);
                        break;
                    case 4: tlbs[cpu].InvalidateAll(); model[cpu].Clear(); break;
                    default: tlbs[cpu].InvalidateRange(Base, Base + 3 * 4096, lastLevelOnly: true); for (int p = 0; p < 3; p++) model[cpu].Remove(p); break;
                }
            }
            for (int c = 0; c < Cpus; c++)
            {
                for (int page = 0; page <= 5; page++)
                {
                    int n = tlbs[c].LookupLeaves(Base + (ulong)page * 4096, out var got, out _);
                    bool has = model[c].TryGetValue(page, out var want);
                    if (n != (has ? 1 : 0) || (has && got != want)) return false;
                    var h = holders.Holders(0x8000 + (ulong)page * 8) | shared.HoldersOf(0x8000 + (ulong)page * 8, 3, Base + (ulong)page * 4096);
                    if (h.Has(c) != has) return false;
                }
                if (tlbs[c].LeafCount != model[c].Count || tlbs[c].IsEmpty != (model[c].Count == 0)) return false;
            }
            return true;
        }, iter: 400);
    }
}
