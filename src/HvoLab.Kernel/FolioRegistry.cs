namespace HvoLab.Kernel;

/// <summary>
/// The ground truth the semantic monitors compare against: which PFNs belong to which hugetlb folio right now.
/// Kept in C# beside the simulated struct pages (the model's oracle, not kernel state).
/// </summary>
public sealed class FolioRegistry(Linux linux)
{
    private readonly Dictionary<ulong, int> _orderByHead = new();
    private readonly SortedSet<int> _orders = new();

    public int Count => _orderByHead.Count;

    public void Add(ulong headPfn, int order) { _orderByHead[headPfn] = order; _orders.Add(order); }
    public void Remove(ulong headPfn) => _orderByHead.Remove(headPfn);
    public bool IsHead(ulong pfn) => _orderByHead.ContainsKey(pfn);

    /// <summary>Head PFN of the folio containing <paramref name="pfn"/>, or the PFN itself when it is in none.</summary>
    public ulong HeadOf(ulong pfn)
    {
        foreach (int order in _orders)
        {
            ulong head = pfn & ~((1UL << order) - 1);
            if (_orderByHead.TryGetValue(head, out int o) && o == order) return head;
        }
        return pfn;
    }

    public ulong HeadPageOf(ulong pfn) => linux.Layout.PfnToPage(HeadOf(pfn));
}
