namespace Analytics.Core.Disclosure;

/// <summary>
/// A sum over consecutive months that is published beside a series' cells (an emerging-pattern window, say).
/// Months are numbered year × 12 + month − 1; <paramref name="Start"/> is the first month, <paramref name="End"/> the month after the last.
/// </summary>
public sealed record SeriesWindow(int Start, int End)
{
    public int Months => End - Start;
}

/// <summary>
/// What may be released of one monthly series (a pattern's cases per month) when its months, quarters, years and a set
/// of windows are all published: null where a count is withheld. <paramref name="First"/> and <paramref name="Last"/> are
/// the series' first and last months with cases (null when it has none).
/// </summary>
public sealed record SeriesPlan(
    IReadOnlyDictionary<int, int?> Months,
    IReadOnlyDictionary<int, int?> Quarters,
    IReadOnlyDictionary<int, int?> Years,
    IReadOnlyDictionary<SeriesWindow, int?> Windows,
    int? First = null,
    int? Last = null)
{
    /// <summary>
    /// Whether the sum of the months from <paramref name="from"/> up to (not including) <paramref name="to"/> follows from
    /// what the plan releases (by adding and subtracting released months, quarters, years and windows; months outside the series
    /// hold none). Such a sum may be published as well, for it tells nothing the plan does not; any other sum may not,
    /// as its difference with a released one could be a withheld count.
    /// </summary>
    public bool Derivable(int from, int to)
    {
        if (First is not { } first || Last is not { } last) return true;
        int Clamp(int month) => Math.Clamp(month, first, last + 1);
        var (a, b) = (Clamp(from), Clamp(to));
        if (a >= b) return true;
        var boundaries = new Boundaries();
        void Join(int start, int end)
        {
            var (s, e) = (Clamp(start), Clamp(end));
            if (s < e) boundaries.Join(s, e);
        }
        foreach (var (m, c) in Months) if (c is not null) Join(m, m + 1);
        foreach (var (q, c) in Quarters) if (c is not null) Join(q * 3, q * 3 + 3);
        foreach (var (y, c) in Years) if (c is not null) Join(y * 12, y * 12 + 12);
        foreach (var (w, c) in Windows) if (c is not null) Join(w.Start, w.End);
        return boundaries.Find(a) == boundaries.Find(b);
    }
}

/// <summary>Month boundaries joined by released sums (union-find): two boundaries of one group have a known sum between them.</summary>
internal sealed class Boundaries
{
    private readonly Dictionary<int, int> _parent = new();

    /// <summary>Every boundary seen so far.</summary>
    public IEnumerable<int> All => _parent.Keys;

    public int Find(int x)
    {
        if (!_parent.TryGetValue(x, out var p)) return _parent[x] = x;
        return p == x ? x : _parent[x] = Find(p);
    }

    public void Join(int a, int b)
    {
        var (ra, rb) = (Find(a), Find(b));
        if (ra != rb) _parent[ra] = rb;
    }
}

/// <summary>
/// Disclosure control across the views of one monthly series. Each released number is a sum over an interval of months
/// (a month, a quarter, a year, a window), and two released intervals that share an end give the sum between their other ends
/// by subtraction: so every interval between two ends that released sums connect can be worked out, not only the
/// released ones. The plan withholds further cells until each such derivable interval is 0 or at least k, so no view,
/// and no difference of views, gives a count from 1 to k − 1.
/// </summary>
/// <remarks>
/// Months and quarters start from <see cref="DisclosureControl.Release"/> over the whole series (primary and secondary
/// suppression against the series' total); windows are released when their own count may be. Then, while a derivable
/// interval is small, a cell at one of its ends is withheld as well (years, then quarters, then months, the smallest first),
/// and only when no cell is left there a window, the least wanted first. Windows are kept before cells because they carry the test that the
/// windows exist for. The plan depends only on the series, the windows and k, so every view reads the same plan.
/// </remarks>
public static class SeriesRelease
{
    /// <param name="months">Cases per month (months absent hold none).</param>
    /// <param name="windows">The windows published beside the series, the most wanted first: where one must be withheld,
    /// the last in this order goes first.</param>
    /// <param name="k">Threshold: no count from 1 to k − 1 is released or derivable.</param>
    /// <param name="unknown">Cases of the series in no known month, counted in its published total.</param>
    public static SeriesPlan Plan(IReadOnlyDictionary<int, int> months, IReadOnlyList<SeriesWindow> windows, int k, int unknown = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(unknown);
        var distinctWindows = windows.Where(w => w.Months > 0).Distinct().ToList();
        if (months.Count == 0)
            return new SeriesPlan(new Dictionary<int, int?>(), new Dictionary<int, int?>(), new Dictionary<int, int?>(), distinctWindows.ToDictionary(w => w, _ => (int?)0));
        int Count(int month) => months.TryGetValue(month, out var c) ? c : 0;

        // The series runs from its first to its last month with cases; months between with none are published as 0. Months
        // outside it are known to hold none (the series says where it starts and ends), so where a window reaches beyond
        // it they are counted as released zeros that no withholding can hide.
        var first = months.Keys.Min();
        var last = months.Keys.Max();
        // Whole years at both ends, so that a quarter or a year partly outside the series meets its known zeros.
        var lo = Math.Min(first, distinctWindows.Count == 0 ? first : distinctWindows.Min(w => w.Start)) / 12 * 12;
        var hi = Math.Max(last, distinctWindows.Count == 0 ? last : distinctWindows.Max(w => w.End - 1)) / 12 * 12 + 11;
        bool Outside(int month) => month < first || month > last;

        var monthCells = Enumerable.Range(lo, hi - lo + 1).Select(m => (Key: m, Count: Count(m))).ToList();
        var monthRelease = DisclosureControl.Release(monthCells.Select(c => (Key(c.Key), c.Count)), k);
        var quarterCells = monthCells.GroupBy(c => Quarter(c.Key)).Select(g => (Key: g.Key, Count: g.Sum(c => c.Count))).ToList();
        var quarterRelease = DisclosureControl.Release(quarterCells.Select(c => (Key(c.Key), c.Count)), k);
        var yearCells = monthCells.GroupBy(c => c.Key / 12).Select(g => (Key: g.Key, Count: g.Sum(c => c.Count))).ToList();
        var yearRelease = DisclosureControl.Release(yearCells.Select(c => (Key(c.Key), c.Count)), k);

        var intervals = new List<Interval>();
        for (var i = 0; i < monthCells.Count; i++)
        {
            var m = monthCells[i].Key;
            intervals.Add(new Interval(Kind.Month, m, m + 1, monthCells[i].Count, !monthRelease[i].Suppressed || Outside(m), Fixed: Outside(m)));
        }
        for (var i = 0; i < quarterCells.Count; i++)
        {
            var q = quarterCells[i].Key;
            var outside = Enumerable.Range(q * 3, 3).All(Outside);
            intervals.Add(new Interval(Kind.Quarter, q * 3, q * 3 + 3, quarterCells[i].Count, !quarterRelease[i].Suppressed || outside, Fixed: outside));
        }
        for (var i = 0; i < yearCells.Count; i++)
        {
            var y = yearCells[i].Key;
            var outside = Enumerable.Range(y * 12, 12).All(Outside);
            intervals.Add(new Interval(Kind.Year, y * 12, y * 12 + 12, yearCells[i].Count, !yearRelease[i].Suppressed || outside, Fixed: outside));
        }
        var windowIntervals = distinctWindows.Select(w =>
        {
            var sum = Enumerable.Range(w.Start, w.Months).Sum(Count);
            return (Window: w, Interval: new Interval(Kind.Window, w.Start, w.End, sum, DisclosureControl.CanRelease(sum, k), Fixed: false)
            {
                Rank = distinctWindows.IndexOf(w),
            });
        }).ToList();
        intervals.AddRange(windowIntervals.Select(w => w.Interval));

        var prefix = new Prefix(months);
        while (FirstSmallDerivable(intervals, prefix, k, (first, last + 1, unknown)) is { } small)
        {
            if (small.Whole)
            {
                // The whole series must not follow from the released sums. Every released sum that would join its two ends
                // holds some month m; withholding all that hold one month parts the months before it from those after.
                // The month is the one whose most wanted window is the least wanted, then that costs the fewest windows,
                // then the fewest cells, then the smallest.
                var cut = Enumerable.Range(first, last - first + 1)
                    .Select(m => (Month: m, Holding: intervals.Where(i => i.Released && !i.Fixed && i.Start <= m && m < i.End).ToList()))
                    .OrderByDescending(c => c.Holding.Where(i => i.Kind == Kind.Window).Select(i => i.Rank).DefaultIfEmpty(int.MaxValue).Min())
                    .ThenBy(c => c.Holding.Count(i => i.Kind == Kind.Window)).ThenBy(c => c.Holding.Count)
                    .ThenBy(c => Count(c.Month)).ThenBy(c => c.Month).First();
                foreach (var i in cut.Holding) i.Released = false;
                continue;
            }
            bool AtEnd(Interval i) => i.Released && !i.Fixed && (i.Start == small.From || i.End == small.From || i.Start == small.To || i.End == small.To);
            var drop = intervals.Where(i => AtEnd(i) && i.Kind != Kind.Window)
                           .OrderBy(i => i.Kind switch { Kind.Year => 0, Kind.Quarter => 1, _ => 2 }).ThenBy(i => i.Count).ThenBy(i => i.Start).FirstOrDefault()
                       ?? intervals.Where(AtEnd).OrderByDescending(i => i.Rank).FirstOrDefault()
                       // Only released zeros outside the series at both ends: withhold what overlaps the interval instead
                       // (something released and not fixed must, or the interval would hold only zeros).
                       ?? intervals.Where(i => i.Released && !i.Fixed && i.Start < small.To && i.End > small.From)
                           .OrderBy(i => i.Kind == Kind.Window ? 1 : 0).ThenBy(i => i.Count).ThenByDescending(i => i.Rank).First();
            drop.Released = false;
        }

        return new SeriesPlan(
            intervals.Where(i => i.Kind == Kind.Month && !i.Fixed).ToDictionary(i => i.Start, i => i.Released ? i.Count : (int?)null),
            intervals.Where(i => i.Kind == Kind.Quarter && !i.Fixed).ToDictionary(i => i.Start / 3, i => i.Released ? i.Count : (int?)null),
            intervals.Where(i => i.Kind == Kind.Year && !i.Fixed).ToDictionary(i => i.Start / 12, i => i.Released ? i.Count : (int?)null),
            windowIntervals.ToDictionary(w => w.Window, w => w.Interval.Released ? w.Interval.Count : (int?)null),
            first, last);
    }

    private static string Key(int index) => index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The quarter a month falls in (year × 4 + quarter − 1).</summary>
    public static int Quarter(int month) => month / 3;

    private enum Kind { Month, Quarter, Year, Window }

    // Fixed: a released zero outside the series, known whatever is published.
    private sealed class Interval(Kind kind, int start, int end, int count, bool released, bool Fixed)
    {
        public Kind Kind { get; } = kind;
        public int Start { get; } = start;
        public int End { get; } = end;
        public int Count { get; } = count;
        public bool Released { get; set; } = released;
        public bool Fixed { get; } = Fixed;

        /// <summary>A window's place in the caller's order (0 = most wanted); cells have 0.</summary>
        public int Rank { get; init; }
    }

    // Sums of the series between two month boundaries, from running totals.
    private sealed class Prefix
    {
        private readonly int[] _sums;
        private readonly int _first;

        public Prefix(IReadOnlyDictionary<int, int> months)
        {
            _first = months.Count == 0 ? 0 : months.Keys.Min();
            var last = months.Count == 0 ? -1 : months.Keys.Max();
            _sums = new int[last - _first + 2];
            for (var m = _first; m <= last; m++) _sums[m - _first + 1] = _sums[m - _first] + (months.TryGetValue(m, out var c) ? c : 0);
        }

        private int At(int boundary) => _sums[Math.Clamp(boundary - _first, 0, _sums.Length - 1)];

        public int Between(int from, int to) => At(to) - At(from);
    }

    // Boundaries joined by released intervals form groups; between two neighbouring boundaries of a group the sum can be
    // worked out, and every derivable sum is made of such neighbouring ones. The first that is 1 to k − 1, if any; and the
    // whole series when it can be worked out while the total less it (the cases of no known month) is 1 to k − 1.
    // The published total is a sum too: less the sum between a group's outermost boundaries it gives the rest of the series
    // with the cases of no known month (the months before the first boundary and after the last), so that must not be
    // 1 to k − 1 either. Seen as a circle (the months, then the cases of no known month, then the months again), that rest
    // is the arc that closes each group.
    private static (int From, int To, bool Whole)? FirstSmallDerivable(List<Interval> intervals, Prefix prefix, int k, (int From, int To, int Unknown) whole)
    {
        var boundaries = new Boundaries();
        foreach (var i in intervals.Where(i => i.Released)) boundaries.Join(i.Start, i.End);
        if (whole.Unknown is > 0 && whole.Unknown < k && boundaries.Find(whole.From) == boundaries.Find(whole.To)) return (whole.From, whole.To, true);
        var total = whole.Unknown + prefix.Between(whole.From, whole.To);
        foreach (var group in boundaries.All.ToList().GroupBy(boundaries.Find))
        {
            var points = group.Order().ToList();
            for (var j = 1; j < points.Count; j++)
            {
                var sum = prefix.Between(points[j - 1], points[j]);
                if (sum > 0 && sum < k) return (points[j - 1], points[j], false);
            }
            // A group whose sum is 0 (known zeros outside the series) gives only the total itself.
            var inside = prefix.Between(points[0], points[^1]);
            if (inside == 0 || (points[0] <= whole.From && points[^1] >= whole.To)) continue;
            var rest = total - inside;
            if (rest > 0 && rest < k) return (points[0], points[^1], false);
        }
        return null;
    }
}
