using System.Globalization;
using Analytics.Core.Disclosure;
using Analytics.Data.Patterns;

namespace Analytics.Api.Insights;

/// <summary>
/// The one release plan of each pattern's monthly series (<see cref="SeriesRelease"/>) that the trend (by month and by
/// quarter), the emerging-pattern report (every window it offers) and the pattern list's sparklines all read, so that no
/// difference between them gives a count the others withhold. The plan covers every window the emerging report can
/// show, whichever an analyst asks for, and is built from the aggregates of the active pattern model.
/// </summary>
public static class SeriesPlans
{
    public static readonly int[] RecentWindows = [3, 6, 12];
    public static readonly int[] BaselineWindows = [12, 24, 36];

    public static int Index(string month) =>
        int.Parse(month.AsSpan(0, 4), CultureInfo.InvariantCulture) * 12 + int.Parse(month.AsSpan(5, 2), CultureInfo.InvariantCulture) - 1;

    public static string Month(int index) => $"{index / 12:D4}-{index % 12 + 1:D2}";

    public static string Quarter(int quarter) => $"{quarter / 4:D4}-Q{quarter % 4 + 1}";

    /// <summary>
    /// The last month with cases of any pattern, but never after the current month: one case dated in the future would
    /// otherwise move every window to months that hold nothing. Null when there are no dated cases.
    /// </summary>
    public static int? Last(IEnumerable<PatternMonthlyRow> rows) => Last(rows.Select(r => r.Month));

    /// <inheritdoc cref="Last(IEnumerable{PatternMonthlyRow})"/>
    public static int? Last(IEnumerable<string> months)
    {
        var now = DateTime.UtcNow;
        var current = now.Year * 12 + now.Month - 1;
        var dated = months.Where(m => m != PatternStore.UnknownMonth).Select(Index).Where(m => m <= current).ToList();
        return dated.Count == 0 ? null : dated.Max();
    }

    /// <summary>The month so many months after (or before) the given one, or null outside the calendar's years 1–9999.</summary>
    public static string? AddMonths(string month, int months) =>
        Index(month) + months is var index and >= 12 and < 10_000 * 12 ? Month(index) : null;

    /// <summary>The recent window (its last month is <paramref name="last"/>) and the baseline window just before it.</summary>
    public static (SeriesWindow Recent, SeriesWindow Baseline) Windows(int last, int recent, int baseline) =>
        (new SeriesWindow(last - recent + 1, last + 1), new SeriesWindow(last - recent - baseline + 1, last - recent + 1));

    // Every window the report offers, the default pair (3 months against the 12 before) first: where the plan must withhold
    // a window, it keeps the default view's as long as it can.
    private static List<SeriesWindow> AllWindows(int? last) => last is not { } l ? [] :
        new[] { (3, 12) }.Concat(RecentWindows.SelectMany(r => BaselineWindows.Select(b => (r, b))))
            .SelectMany(p => Windows(l, p.Item1, p.Item2) is var (recent, baseline) ? new[] { recent, baseline } : []).Distinct().ToList();

    /// <summary>
    /// Every pattern's plan and the last month with cases, for a model version, kept with the aggregates until they are
    /// refreshed (the pattern list and the summary read the same).
    /// </summary>
    public static Task<Tuple<IReadOnlyDictionary<int, SeriesPlan>, int?>> AllAsync(PatternStore store, string version, int k, CancellationToken ct) =>
        store.DerivedAsync($"plans|{version}|{k}", async () =>
        {
            var rows = await store.MonthlyAsync(version, ct);
            return Tuple.Create(For(rows, k), Last(rows));
        });

    /// <summary>Each pattern's cases per year (dated cases only), kept with the aggregates like the plans.</summary>
    public static Task<Dictionary<(int PatternId, int Year), int>> YearsAsync(PatternStore store, string version, CancellationToken ct) =>
        store.DerivedAsync($"years|{version}", async () => (await store.MonthlyAsync(version, ct))
            .Where(r => r.Month != PatternStore.UnknownMonth)
            .GroupBy(r => (r.PatternId, Index(r.Month) / 12)).ToDictionary(g => g.Key, g => g.Sum(r => r.Cases)));

    /// <summary>Each pattern's cases of no known month, kept with the aggregates like the plans.</summary>
    public static Task<Dictionary<int, int>> UndatedAsync(PatternStore store, string version, CancellationToken ct) =>
        store.DerivedAsync($"undated|{version}", async () => (await store.MonthlyAsync(version, ct))
            .Where(r => r.Month == PatternStore.UnknownMonth)
            .GroupBy(r => r.PatternId).ToDictionary(g => g.Key, g => g.Sum(r => r.Cases)));

    /// <summary>
    /// The years of all cases that the summary must withhold because, less what the released patterns' plans give of that
    /// year, they would give a pattern's withheld year: where the rest is one pattern's withheld cell alone (every other case
    /// of the year being in a released pattern), or any count from 1 to k − 1. A plan gives a pattern's year wherever the
    /// year follows from the sums it releases (<see cref="SeriesPlan.Derivable"/>), shown as a year or not. The cases of no
    /// known year (<paramref name="unknownKey"/>) are checked the same way: a pattern's plan gives its cases of no known month
    /// where it gives its whole series, since the pattern's size less that series is those cases.
    /// </summary>
    /// <param name="casesByYear">The summary's cases per year ("2019", or <paramref name="unknownKey"/>; other values are skipped).</param>
    /// <param name="truth">Each pattern's cases per year (<see cref="YearsAsync"/>).</param>
    /// <param name="undated">Each pattern's cases of no known month (<see cref="UndatedAsync"/>).</param>
    public static HashSet<string> YearsGivingAPatternsYear(IReadOnlyDictionary<string, int> casesByYear, IReadOnlyDictionary<(int PatternId, int Year), int> truth,
        IReadOnlyDictionary<int, int> undated, string unknownKey, IReadOnlyDictionary<int, SeriesPlan> plans, IReadOnlySet<int> released, int k)
    {
        var withheld = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (value, total) in casesByYear)
        {
            (int Count, bool Given) Cell(int id, int? year)
            {
                var plan = plans.GetValueOrDefault(id);
                return year is { } y
                    ? (truth.GetValueOrDefault((id, y)), plan is null || plan.Derivable(y * 12, y * 12 + 12))
                    : (undated.GetValueOrDefault(id), plan is null || plan.Derivable(int.MinValue / 2, int.MaxValue / 2));
            }

            int? column;
            if (value == unknownKey) column = null;
            else if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var year)) column = year;
            else continue;
            var known = 0;
            var hiddenCells = 0;
            var inPatterns = 0;
            foreach (var id in released)
            {
                var (count, given) = Cell(id, column);
                inPatterns += count;
                if (given) known += count;
                else if (count > 0) hiddenCells++;
            }
            var rest = total - known;
            if ((hiddenCells == 1 && total == inPatterns) || !DisclosureControl.CanRelease(rest, k)) withheld.Add(value);
        }
        return withheld;
    }

    /// <summary>Each pattern's plan, from the monthly aggregates of every pattern (by month and jurisdiction).</summary>
    public static IReadOnlyDictionary<int, SeriesPlan> For(IReadOnlyList<PatternMonthlyRow> rows, int k)
    {
        var windows = AllWindows(Last(rows));
        return rows.Select(r => r.PatternId).Distinct().ToDictionary(id => id, id => Plan(rows, id, windows, k));
    }

    /// <summary>One pattern's plan (the windows still end where every pattern's data does); only zeros for a pattern with no dated case.</summary>
    public static SeriesPlan Of(IReadOnlyList<PatternMonthlyRow> rows, int patternId, int k) => Plan(rows, patternId, AllWindows(Last(rows)), k);

    // The pattern's cases of no known month count in its published size, so the plan knows them (SeriesRelease.Plan).
    private static SeriesPlan Plan(IReadOnlyList<PatternMonthlyRow> rows, int patternId, List<SeriesWindow> windows, int k) =>
        Plan(rows.Where(r => r.PatternId == patternId).Select(r => (r.Month, r.Cases)), windows, k);

    private static SeriesPlan Plan(IEnumerable<(string Month, int Cases)> counts, List<SeriesWindow> windows, int k)
    {
        var list = counts.ToList();
        return SeriesRelease.Plan(list.Where(c => c.Month != PatternStore.UnknownMonth).GroupBy(c => Index(c.Month)).ToDictionary(m => m.Key, m => m.Sum(c => c.Cases)),
            windows, k, list.Where(c => c.Month == PatternStore.UnknownMonth).Sum(c => c.Cases));
    }

    /// <summary>
    /// Each pattern's plan of a narrowed series (the cases of one jurisdiction, exploitation type or age band, by month): no
    /// window is published of it, so its plan holds months and quarters only. A count of the narrowed series between two
    /// months is published only where this plan gives it (<see cref="SeriesPlan.Derivable"/>).
    /// </summary>
    public static IReadOnlyDictionary<int, SeriesPlan> ForNarrowed(IReadOnlyList<PatternMonthCount> counts, int k) =>
        counts.GroupBy(c => c.PatternId).ToDictionary(g => g.Key, g => Plan(g.Select(c => (c.Month, c.Cases)), [], k));

    /// <summary>The months from <paramref name="from"/> (yyyy-MM, or the beginning) up to <paramref name="to"/> (or the end), as a range of month numbers.</summary>
    public static (int From, int To) Range(string? from, string? to) =>
        (from is null ? int.MinValue / 2 : Index(from), to is null ? int.MaxValue / 2 : Index(to) + 1);
}
