namespace Analytics.Learning.Tests;

/// <summary>Adjusted Rand index (Hubert &amp; Arabie) between two labelings of the same items.</summary>
internal static class AdjustedRand
{
    public static double Index(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        if (a.Count != b.Count)
            throw new ArgumentException("Labelings differ in length.");
        static double Pairs(double n) => n * (n - 1) / 2;
        var table = new Dictionary<(int, int), int>();
        var rows = new Dictionary<int, int>();
        var cols = new Dictionary<int, int>();
        for (var i = 0; i < a.Count; i++)
        {
            table[(a[i], b[i])] = table.GetValueOrDefault((a[i], b[i])) + 1;
            rows[a[i]] = rows.GetValueOrDefault(a[i]) + 1;
            cols[b[i]] = cols.GetValueOrDefault(b[i]) + 1;
        }
        var index = table.Values.Sum(n => Pairs(n));
        var sumRows = rows.Values.Sum(n => Pairs(n));
        var sumCols = cols.Values.Sum(n => Pairs(n));
        var expected = sumRows * sumCols / Pairs(a.Count);
        var max = (sumRows + sumCols) / 2;
        return max == expected ? 1 : (index - expected) / (max - expected);
    }
}
