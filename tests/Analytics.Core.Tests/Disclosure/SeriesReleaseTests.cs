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
            var unknown = random.Next(3) == 0 ? 0 : random.Next(2 * K);

            var plan = SeriesRelease.Plan(months, windows, K, unknown);

            Assert.All(plan.Months.Values.Concat(plan.Quarters.Values).Concat(plan.Years.Values).Concat(plan.Windows.Values), c => Assert.True(c is null or 0 or >= K, $"{c}"));
            AssertNothingSmallDerivable(months, windows, plan, unknown);
            Assert.Equal(plan.Windows, SeriesRelease.Plan(months, windows, K, unknown).Windows);
        }
    }

    [Fact]
    public void ThePublishedTotalLessTheMonths_DoesNotGiveTheFewCasesOfNoKnownMonth()
    {
        // 12 cases a month for two years and 3 cases with no month: the size (291) less the 24 months shown would be 3.
        var months = Enumerable.Range(M(2022, 1), 24).ToDictionary(m => m, _ => 12);
        var windows = EmergingWindows(M(2023, 12));

        var plan = SeriesRelease.Plan(months, windows, K, unknown: 3);

        Assert.False(plan.Derivable(M(2022, 1), M(2024, 1)), "the whole series can be worked out from what is shown");
        Assert.Contains(plan.Months.Values, c => c is null);
        // One month is enough to part the series. Every month is in some window here, so some are lost, but not the
        // default view's (3 months against the 12 before), which is the most wanted.
        Assert.Equal(1, plan.Months.Values.Count(c => c is null));
        Assert.NotNull(plan.Windows[windows[0]]);
        Assert.NotNull(plan.Windows[windows[1]]);
        AssertNothingSmallDerivable(months, windows, plan, unknown: 3);
        // With no such cases, or at least k of them, nothing needs withholding.
        Assert.All(SeriesRelease.Plan(months, windows, K).Months.Values, c => Assert.Equal(12, c));
        Assert.True(SeriesRelease.Plan(months, windows, K, unknown: K).Derivable(M(2022, 1), M(2024, 1)));
    }

    [Fact]
    public void ThePublishedTotalLessADerivableTail_DoesNotGiveAWithheldMonth()
    {
        // 50 cases: December 2021 holds 3. Released, January to December 2022 and the year 2023 would join January 2022 to
        // the series' end, and the total less that sum would be December's 3.
        var months = new Dictionary<int, int> { [M(2021, 12)] = 3, [M(2022, 1)] = 11, [M(2022, 2)] = 11, [M(2023, 1)] = 10, [M(2023, 2)] = 15 };

        var plan = SeriesRelease.Plan(months, [], K, unknown: 0);

        Assert.Null(plan.Months[M(2021, 12)]);
        Assert.False(plan.Derivable(M(2022, 1), M(2023, 3)));
        AssertNothingSmallDerivable(months, [], plan);
    }

    [Fact]
    public void Derivable_IsTrueForSumsOfReleasedCellsAndKnownZeros_AndFalseAcrossAWithheldCell()
    {
        // Three months of 12, a month of 4 (withheld, and with it another cell), three months of 12.
        var months = new Dictionary<int, int> { [M(2024, 1)] = 12, [M(2024, 2)] = 12, [M(2024, 3)] = 12, [M(2024, 4)] = 4, [M(2024, 5)] = 12, [M(2024, 6)] = 12, [M(2024, 7)] = 12 };

        var plan = SeriesRelease.Plan(months, [], K);

        Assert.Null(plan.Months[M(2024, 4)]);
        var shown = plan.Months.Where(m => m.Value is not null).Select(m => m.Key).ToList();
        Assert.NotEmpty(shown);
        Assert.All(shown, m => Assert.True(plan.Derivable(m, m + 1)));
        Assert.True(plan.Derivable(M(2023, 1), M(2024, 1)), "months before the series hold none");
        Assert.True(plan.Derivable(M(2020, 1), M(2021, 1)), "a range outside the series holds none");
        Assert.True(plan.Derivable(M(2020, 1), shown[0] + 1) == plan.Derivable(M(2024, 1), shown[0] + 1), "the months before the series add nothing");
        Assert.False(plan.Derivable(M(2024, 4), M(2024, 5)));
        Assert.True(SeriesRelease.Plan(new Dictionary<int, int>(), [], K).Derivable(M(2024, 1), M(2024, 5)));
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
    /// The published total less the whole series is the <paramref name="unknown"/> count, so where the whole series is
    /// joined that must be 0 or at least k too. And every sum the plan calls derivable is one that the released sums join.
    private static void AssertNothingSmallDerivable(Dictionary<int, int> months, IReadOnlyCollection<SeriesWindow> windows, SeriesPlan plan, int unknown = 0)
    {
        var first = months.Keys.Min();
        var last = months.Keys.Max();
        var lo = Math.Min(first, windows.Count == 0 ? first : windows.Min(w => w.Start)) - 13;
        var hi = Math.Max(last, windows.Count == 0 ? last : windows.Max(w => w.End)) + 13;
        var edges = new List<(int A, int B)>();
        for (var m = lo; m <= hi; m++)
            if (m < first || m > last || plan.Months[m] is not null) edges.Add((m, m + 1));
        foreach (var (q, c) in plan.Quarters) if (c is not null) edges.Add((q * 3, q * 3 + 3));
        foreach (var (y, c) in plan.Years) if (c is not null) edges.Add((y * 12, y * 12 + 12));
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
            if (start == first && seen.Contains(last + 1))
                Assert.True(unknown is 0 or >= K, $"the whole series can be worked out, and the total less it gives {unknown}");
            for (var end = start + 1; end <= hi; end++)
                if (plan.Derivable(start, end))
                    Assert.True(seen.Contains(end) || Sum(start, end) == 0, $"the plan gives months {start}..{end - 1}, which the released sums do not join");
            foreach (var end in seen.Where(e => e > start))
            {
                // The published total less a derivable sum: the months outside it with the cases of no known month.
                var rest = unknown + Sum(first, last + 1) - Sum(start, end);
                Assert.True(rest is 0 or >= K || Sum(start, end) == 0, $"the total less months {start}..{end - 1} gives {rest}");
                var sum = Sum(start, end);
                Assert.True(sum is 0 or >= K, $"the sum of months {start}..{end - 1} ({sum}) can be worked out; " +
                    string.Join(" ", Enumerable.Range(start - 3, end - start + 6).Select(m => $"{m}:{months.GetValueOrDefault(m)}/{(plan.Months.TryGetValue(m, out var r) ? r?.ToString() ?? "x" : "-")}")) +
                    " q: " + string.Join(" ", plan.Quarters.Where(q => q.Key * 3 >= start - 6 && q.Key * 3 <= end + 3).Select(q => $"{q.Key * 3}:{q.Value?.ToString() ?? "x"}")) +
                    " w: " + string.Join(" ", plan.Windows.Where(w => w.Value is not null).Select(w => $"{w.Key.Start}-{w.Key.End}:{w.Value}")));
            }
        }
    }
}
