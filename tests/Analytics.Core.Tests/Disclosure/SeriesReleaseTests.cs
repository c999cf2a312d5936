using Analytics.Core.Disclosure;

namespace Analytics.Core.Tests.Disclosure;

public sealed class SeriesReleaseTests
{
    private const int K = 10;

    // 2023-10 … 2024-12 as month numbers (year × 12 + month − 1).
    private static int M(int year, int month) => year * 12 + month - 1;

    // The emerging report's windows when the last month is `last`: recent 3, 6, 12 and baselines of 12, 24, 36 before each.
    private static List<SeriesWindow> EmergingWindows(int last) =>
        [.. new[] { 3, 6, 12 }.SelectMany(r => new[] { 12, 24, 36 }.SelectMany(b => new[]
        {
            new SeriesWindow(last - r + 1, last + 1), new SeriesWindow(last - r - b + 1, last - r + 1),
        })).Distinct()];

    [Fact]
    public void AWindowLessTheQuartersShown_NoLongerGivesTheOneWithheldQuarter()
    {
        // Quarters 2023-Q4 … 2024-Q3 of 8, 10, 13 and 10 cases (the withheld 8 was 41 − 33), each a month's worth at its start.
        var months = new Dictionary<int, int> { [M(2023, 10)] = 8, [M(2024, 1)] = 10, [M(2024, 4)] = 13, [M(2024, 7)] = 10 };
        var baseline = new SeriesWindow(M(2023, 10), M(2024, 10));

        var plan = SeriesRelease.Plan(months, [baseline], K);

        Assert.Equal(41, plan.Windows[baseline]);
        Assert.Null(plan.Quarters[SeriesRelease.Quarter(M(2023, 10))]);
        var shown = plan.Quarters.Where(q => q.Key >= SeriesRelease.Quarter(M(2023, 10)) && q.Key <= SeriesRelease.Quarter(M(2024, 9)));
        Assert.True(41 - shown.Sum(q => q.Value ?? 0) is 0 or >= K, "the quarters shown leave a small count in the window");
        AssertNothingSmallDerivable(months, [baseline], plan);
    }

    [Fact]
    public void TwoRecentWindows_DoNotGiveTheMonthsBetweenThem_WhenTheyAreFew()
    {
        // The last 3 months hold 40, the 3 before them 5: 6-month window less 3-month window would be 5.
        var last = M(2024, 12);
        var months = new Dictionary<int, int> { [last] = 40, [last - 4] = 5 };
        var recent3 = new SeriesWindow(last - 2, last + 1);
        var recent6 = new SeriesWindow(last - 5, last + 1);

        var plan = SeriesRelease.Plan(months, [recent3, recent6], K);

        Assert.False(plan.Windows[recent3] is not null && plan.Windows[recent6] is not null, "both windows shown give 5 by difference");
        AssertNothingSmallDerivable(months, [recent3, recent6], plan);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void RandomSeries_ReleaseNoSmallCount_InAnyViewOrDifferenceOfViews(int seed)
    {
        var random = new Random(seed);
        for (var series = 0; series < 40; series++)
        {
            var first = M(2015, 1) + random.Next(24);
            var length = 12 + random.Next(96);
            var rate = random.NextDouble() * 6;
            var months = Enumerable.Range(first, length).Select(m => (m, c: (int)(random.NextDouble() * 2 * rate)))
                .Where(x => x.c > 0).ToDictionary(x => x.m, x => x.c);
            if (months.Count == 0) continue;
            var windows = EmergingWindows(first + length - 1 - random.Next(3));

            var plan = SeriesRelease.Plan(months, windows, K);

            Assert.All(plan.Months.Values.Concat(plan.Quarters.Values).Concat(plan.Windows.Values), c => Assert.True(c is null or 0 or >= K, $"{c}"));
            AssertNothingSmallDerivable(months, windows, plan);
            Assert.Equal(plan.Windows, SeriesRelease.Plan(months, windows, K).Windows);
        }
    }

    [Fact]
    public void ASeriesWithFewSmallMonths_KeepsItsWindows()
    {
        // 12 cases a month for four years: nothing is small, so everything is shown.
        var months = Enumerable.Range(M(2021, 1), 48).ToDictionary(m => m, _ => 12);
        var windows = EmergingWindows(M(2024, 12));

        var plan = SeriesRelease.Plan(months, windows, K);

        Assert.All(plan.Windows.Values, c => Assert.NotNull(c));
        Assert.All(plan.Months.Values, c => Assert.Equal(12, c));
    }

    /// <summary>
    /// Checked independently of the plan's own search: every pair of month boundaries that released sums join (by a path
    /// of released intervals, months outside the series being known zeros) has a sum between them of 0 or at least k.
    /// </summary>
    private static void AssertNothingSmallDerivable(Dictionary<int, int> months, IReadOnlyCollection<SeriesWindow> windows, SeriesPlan plan)
    {
        var first = months.Keys.Min();
        var last = months.Keys.Max();
        var lo = Math.Min(first, windows.Min(w => w.Start)) - 1;
        var hi = Math.Max(last, windows.Max(w => w.End)) + 1;
        var edges = new List<(int A, int B)>();
        for (var m = lo; m <= hi; m++)
            if (m < first || m > last || plan.Months[m] is not null) edges.Add((m, m + 1));
        foreach (var (q, c) in plan.Quarters) if (c is not null) edges.Add((q * 3, q * 3 + 3));
        foreach (var (w, c) in plan.Windows) if (c is not null) edges.Add((w.Start, w.End));
        int Sum(int from, int to) => Enumerable.Range(from, to - from).Sum(m => months.GetValueOrDefault(m));

        var points = edges.SelectMany(e => new[] { e.A, e.B }).Distinct().ToList();
        foreach (var start in points)
        {
            // Everything reachable from start.
            var seen = new HashSet<int> { start };
            var queue = new Queue<int>([start]);
            while (queue.TryDequeue(out var p))
                foreach (var (a, b) in edges)
                {
                    var other = a == p ? b : b == p ? a : int.MinValue;
                    if (other != int.MinValue && seen.Add(other)) queue.Enqueue(other);
                }
            foreach (var end in seen.Where(e => e > start))
            {
                var sum = Sum(start, end);
                Assert.True(sum is 0 or >= K, $"the sum of months {start}..{end - 1} ({sum}) can be worked out; " +
                    string.Join(" ", Enumerable.Range(start - 3, end - start + 6).Select(m => $"{m}:{months.GetValueOrDefault(m)}/{(plan.Months.TryGetValue(m, out var r) ? r?.ToString() ?? "x" : "-")}")) +
                    " q: " + string.Join(" ", plan.Quarters.Where(q => q.Key * 3 >= start - 6 && q.Key * 3 <= end + 3).Select(q => $"{q.Key * 3}:{q.Value?.ToString() ?? "x"}")) +
                    " w: " + string.Join(" ", plan.Windows.Where(w => w.Value is not null).Select(w => $"{w.Key.Start}-{w.Key.End}:{w.Value}")));
            }
        }
    }
}
