namespace HvoLab.Engine;

/// <summary>Time per label (label ids are small integers interned by the simulator), held densely: a Work op adds
/// to it on every segment, so it must cost an array store, not a dictionary lookup.</summary>
public sealed class LabelTimes
{
    private double[] _ns = new double[16];
    private bool[] _present = new bool[16];

    public void Add(int label, double ns)
    {
        if (label >= _ns.Length) Grow(label);
        _ns[label] += ns;
        _present[label] = true;
    }

    public bool TryGetValue(int label, out double ns)
    {
        bool has = label < _ns.Length && _present[label];
        ns = has ? _ns[label] : 0;
        return has;
    }

    public double this[int label]
    {
        get => TryGetValue(label, out double ns) ? ns : throw new KeyNotFoundException($"label {label} has no time");
        set { if (label >= _ns.Length) Grow(label); _ns[label] = value; _present[label] = true; }
    }

    public void Remove(int label)
    {
        if (label >= _ns.Length) return;
        _ns[label] = 0;
        _present[label] = false;
    }

    /// <summary>Labels with time, in label order.</summary>
    public IEnumerable<KeyValuePair<int, double>> Entries()
    {
        for (int i = 0; i < _ns.Length; i++)
            if (_present[i]) yield return new(i, _ns[i]);
    }

    private void Grow(int label)
    {
        int n = Math.Max(label + 1, _ns.Length * 2);
        Array.Resize(ref _ns, n);
        Array.Resize(ref _present, n);
    }
}
