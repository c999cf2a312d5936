using System.Globalization;
using Analytics.Api.Auth;
using Analytics.Api.Errors;
using Analytics.Api.Insights;
using Analytics.Api.Learning;
using Analytics.Core.Cases;
using Analytics.Core.Disclosure;
using Analytics.Data.Patterns;
using Analytics.Learning.Patterns;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Patterns;

public sealed record PatternAttributeView(string Feature, double Share, double Lift);

/// <summary>Cases of a pattern that match the list's filter; withheld (null, suppressed) below the disclosure threshold.</summary>
public sealed record FilteredCount(int? Cases, bool Suppressed);

public sealed record PatternView(
    int Id,
    string Label,
    int Size,
    string? FirstSeen,
    string? LastSeen,
    IReadOnlyList<PatternAttributeView> Attributes,
    IReadOnlyList<ReleasedCount> Jurisdictions,
    IReadOnlyList<TrendPoint> Sparkline,
    FilteredCount? Matching = null);

/// <summary>
/// A page of released patterns. Under a filter, each matching count and narrowed sparkline month is moved by at most
/// <see cref="PerturbationRange"/> (cell key; 0 when perturbation is off); sizes and unfiltered sparklines are exact.
/// </summary>
public sealed record PatternPage(
    string ModelVersion, int DisclosureThreshold, int PerturbationRange, int Total, int Page, int PageSize, IReadOnlyList<PatternView> Items, PatternFilter? Filter = null);

/// <summary>Discovered patterns for analysts: aggregates only, every number disclosure-controlled.</summary>
public static class PatternsApi
{
    /// <summary>Months shown in each pattern's sparkline, ending at the last month with data (or the filter's end).</summary>
    public const int SparklineMonths = 12;

    public static IEndpointRouteBuilder MapPatternsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/patterns").WithTags("Patterns").RequireAuthorization(Policies.Analyst);
        group.MapGet("/", ListAsync).WithCsv().WithName("ListPatterns")
            .WithSummary("Released patterns of the active model, largest first; under a filter, each pattern's matching count is perturbed by ±2 at most (cell key) (?from=&to= yyyy or yyyy-MM, ?jurisdiction=, ?exploitationType=, ?ageBand=, ?page=, ?pageSize=, ?format=csv).");
        group.MapGet("/{id:int}", GetAsync).WithName("GetPattern");
        return app;
    }

    /// <summary>Largest page size of the list; a larger one is refused, not silently cut.</summary>
    public const int MaxPageSize = 100;

    /// <summary>Highest page number accepted (far beyond any list; keeps the offset arithmetic in range).</summary>
    public const int MaxPage = 1_000_000;

    public static async Task<Results<Ok<PatternPage>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> ListAsync(
        string? from, string? to, string? jurisdiction, string? exploitationType, string? ageBand, int? page, int? pageSize, string? format,
        ModelServing serving, PatternStore store, IOptions<LearningOptions> options, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var filter = new PatternFilter(Month(from, "/from", start: true), Month(to, "/to", start: false),
            Code(jurisdiction, "/jurisdiction", CodeLists.Countries), Code(exploitationType, "/exploitationType", CodeLists.ExploitationTypes),
            Code(ageBand, "/ageBand", CodeLists.AgeBands));
        if (filter.From is not null && filter.To is not null && string.CompareOrdinal(filter.From, filter.To) > 0) errors["/to"] = ["must not be before 'from'"];
        if (page is < 1 or > MaxPage) errors["/page"] = [$"from 1 to {MaxPage:N0}"];
        if (pageSize is < 1 or > MaxPageSize) errors["/pageSize"] = [$"from 1 to {MaxPageSize}"];
        if (!Errors.QueryValues.IsFormat(format)) errors["/format"] = [Errors.QueryValues.FormatMessage];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "Invalid pattern filter.");

        var current = serving.Patterns.Current;
        if (current is null) return NoModel();
        var k = options.Value.DisclosureThreshold;
        var range = options.Value.PerturbationRange;
        var counts = await store.CountsAsync(current.Version, filter, ct);
        if (!filter.IsEmpty && (await store.CountsAsync(current.Version, new PatternFilter(), ct)).Count == 0)
            return TypedResults.Problem("Filtered pattern counts are read from aggregates that the refresh-aggregates job has not yet built for the active model.",
                statusCode: 404, title: "No aggregates yet");

        var plans = await PlansAsync(store, current.Version, filter, k, ct);
        var figures = await PublishedFigures.OfAsync(current.Model, current.Version, store, ct);
        var released = Released(current.Model, figures, k, range, filter, plans, await AttributeGuardsAsync(current.Model, figures, current.Version, store, k, ct)).ToList();
        if (!filter.IsEmpty)
        {
            var cells = Narrowed(released.Select(p => (p.Id, p.Size, p.Jurisdictions)), counts, filter, plans.Plans, k, range);
            released = released
                .Select(p => p with { Matching = cells[p.Id] })
                .Where(p => p.Matching is { Suppressed: true } or { Cases: > 0 })
                .OrderBy(p => p.Matching!.Suppressed).ThenByDescending(p => p.Matching!.Cases ?? 0).ThenBy(p => p.Id).ToList();
        }
        else released = released.OrderByDescending(p => p.Size).ThenBy(p => p.Id).ToList();

        if (Errors.QueryValues.IsCsv(format))
            return Csv.File("patterns.csv", ["id", "label", "size", "matching", "firstSeen", "lastSeen"], released.Select(p => new object?[]
            {
                p.Id, p.Label, p.Size, p.Matching is null ? null : p.Matching.Suppressed ? $"< {k}" : p.Matching.Cases, p.FirstSeen, p.LastSeen,
            }));
        var size = pageSize ?? 20;
        var number = page ?? 1;
        return TypedResults.Ok(new PatternPage(current.Version, k, range, released.Count, number, size, released.Skip((int)Math.Min((number - 1L) * size, int.MaxValue)).Take(size).ToList(),
            filter.IsEmpty ? null : filter));

        string? Month(string? value, string pointer, bool start)
        {
            if (value is null) return null;
            if (Errors.QueryValues.IsYear(value)) return start ? $"{value}-01" : $"{value}-12";
            if (DateOnly.TryParseExact(value + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)) return value;
            errors[pointer] = ["a year (2024) or a month (2024-03)"];
            return null;
        }

        string? Code(string? value, string pointer, string list)
        {
            if (value is null || CodeLists.Contains(list, value)) return value;
            errors[pointer] = [$"unknown code (code list {list})"];
            return null;
        }
    }

    public static async Task<Results<Ok<PatternView>, ProblemHttpResult>> GetAsync(
        int id, ModelServing serving, PatternStore store, IOptions<LearningOptions> options, CancellationToken ct)
    {
        var current = serving.Patterns.Current;
        if (current is null) return NoModel();
        var k = options.Value.DisclosureThreshold;
        var figures = await PublishedFigures.OfAsync(current.Model, current.Version, store, ct);
        var pattern = Released(current.Model, figures, k, options.Value.PerturbationRange, new PatternFilter(), await PlansAsync(store, current.Version, new PatternFilter(), k, ct),
                await AttributeGuardsAsync(current.Model, figures, current.Version, store, k, ct))
            .FirstOrDefault(p => p.Id == id);
        return pattern is null
            ? TypedResults.Problem("No released pattern with this id in the active model (patterns smaller than the disclosure threshold are not shown).", statusCode: 404, title: "Pattern not found")
            : TypedResults.Ok(pattern);
    }

    // Each pattern's release plan, which its sparkline shows and which decides the counts between two months (?from=, ?to=).
    // A filter on time alone leaves each month's count as it is: the patterns' shared plan (SeriesPlans), which the trend
    // and the emerging report read too. A filter on who or what counts other cases, the narrowed series, with a plan of its own,
    // and the cell key of each of its months (by pattern and month number), by which a month it shows is perturbed.
    private static async Task<(IReadOnlyDictionary<int, SeriesPlan> Plans, int? Last, IReadOnlyDictionary<(int PatternId, int Month), long>? Keys)> PlansAsync(
        PatternStore store, string version, PatternFilter filter, int k, CancellationToken ct)
    {
        var untimed = filter with { From = null, To = null };
        if (untimed.IsEmpty)
        {
            var (all, allLast) = await SeriesPlans.AllAsync(store, version, k, ct);
            return (all, allLast, null);
        }
        var (plans, last, keys) = await store.DerivedAsync($"plans|{version}|{k}|{untimed.Key}", async () =>
        {
            var counts = await store.CountsAsync(version, untimed, ct);
            IReadOnlyDictionary<(int, int), long> monthKeys = counts.Where(c => c.Month != PatternStore.UnknownMonth)
                .ToDictionary(c => (c.PatternId, SeriesPlans.Index(c.Month)), c => c.CellKey);
            return Tuple.Create(SeriesPlans.ForNarrowed(counts, k), SeriesPlans.Last(counts.Select(c => c.Month)), monthKeys);
        });
        return (plans, last, keys);
    }

    private static IEnumerable<PatternView> Released(PatternModel model, IReadOnlyDictionary<int, PatternFigures> figures, int k, int range, PatternFilter filter,
        (IReadOnlyDictionary<int, SeriesPlan> Plans, int? Last, IReadOnlyDictionary<(int PatternId, int Month), long>? Keys) plans,
        IReadOnlyDictionary<string, HashSet<int>> guards)
    {
        // The window ends at the filter's last month, or at the last month with data but never after the current month:
        // one case dated in the future would otherwise move every pattern's window to months that hold nothing.
        var last = filter.To ?? (plans.Last is { } l ? SeriesPlans.Month(l) : null);
        // Months before year 1 do not exist: a window that would reach them starts at 0001-01.
        var window = last is null ? [] : Enumerable.Range(0, SparklineMonths).Select(i => SeriesPlans.AddMonths(last, i - SparklineMonths + 1)).OfType<string>().ToList();

        return PublishedFigures.Released(model, figures, k)
            .Select(p =>
            {
                var profile = p.Profile!;
                var size = figures[p.Id].Size;
                // A share discloses two counts, the holders and the rest of the pattern (size − holders): an attribute is
                // shown only when neither is a small count (1 to k − 1).
                var attributes = profile.Attributes
                    .Where(a => DisclosureControl.CanRelease((int)Math.Round(a.ShareInPattern * size), k)
                        && DisclosureControl.CanRelease(size - (int)Math.Round(a.ShareInPattern * size), k)
                        && !(guards.TryGetValue(a.Feature, out var withheld) && withheld.Contains(p.Id)))
                    .Select(a => new PatternAttributeView(a.Feature, Math.Round(a.ShareInPattern, 3), Math.Round(a.Lift, 2)))
                    .ToList();
                var jurisdictions = DisclosureControl.Release(figures[p.Id].Jurisdictions.Select(j => (j.Jurisdiction, j.Cases)), k);
                var sparkline = window.Select(m => plans.Plans.GetValueOrDefault(p.Id)?.Months.TryGetValue(SeriesPlans.Index(m), out var c) == true
                    ? new TrendPoint(m, Perturbed(p.Id, SeriesPlans.Index(m), c), c is null) : new TrendPoint(m, 0, false)).ToList();
                return new PatternView(p.Id, profile.Label, size, profile.FirstSeen, profile.LastSeen, attributes, jurisdictions, sparkline);
            });

        // A month of a narrowed series, perturbed by its cases' cell key: less the pattern's month in the trend it would give
        // the month's cases outside the filter. The whole series' months (no narrowing) are released exactly, by their plan.
        int? Perturbed(int id, int month, int? count) =>
            count is { } n && plans.Keys is { } keys ? CellKeyPerturbation.Apply(n, CellKeyPerturbation.CellKey(keys.GetValueOrDefault((id, month))), k, range) : count;
    }

    /// <summary>
    /// Each released pattern's cases under a filter, as the list releases them together, so that a suppressed one cannot be
    /// recovered from the others and a total. A count whose pattern's other cases (its size less the count) are a small count
    /// is withheld too: the size is published, so the count would give them away. So is a count between two months that the
    /// pattern's plan does not give: two such counts a month apart would give that month, which the plan may withhold.
    /// A released count is perturbed by its cases' cell key (<paramref name="range"/>): two filters narrow in different
    /// ways, and their exact counts could be subtracted.
    /// </summary>
    private static Dictionary<int, FilteredCount> Narrowed(IEnumerable<(int Id, int Size, IReadOnlyList<ReleasedCount> Jurisdictions)> patterns,
        IReadOnlyList<PatternMonthCount> counts, PatternFilter filter, IReadOnlyDictionary<int, SeriesPlan> plans, int k, int range)
    {
        var sums = counts.ToLookup(c => c.PatternId);
        var (rangeStart, rangeEnd) = SeriesPlans.Range(filter.From, filter.To);
        var timed = filter.From is not null || filter.To is not null;
        // A count narrowed to a jurisdiction whose cell the pattern's own list withholds is withheld too: that list may hide
        // the cell only to protect a smaller one, which the released cells and the size would then give away. A count of
        // none is still released (the pattern then leaves the list): zeros protect nothing and give no cell away.
        var narrowed = patterns.Select(p => (p.Id, Count: sums[p.Id].Sum(c => c.Cases), p.Size,
            Derivable: !timed || plans.GetValueOrDefault(p.Id) is not { } plan || plan.Derivable(rangeStart, rangeEnd),
            HiddenCell: filter.Jurisdiction is { } j && p.Jurisdictions.Any(c => c.Key == j && c.Suppressed))).ToList();
        var rest = narrowed.Where(n => !DisclosureControl.CanRelease(n.Size - n.Count, k) || !n.Derivable || (n.HiddenCell && n.Count > 0))
            .Select(n => Key(n.Id)).ToHashSet(StringComparer.Ordinal);
        var cells = DisclosureControl.Release(narrowed.Select(n => (Key(n.Id), n.Count)), k, withhold: rest).ToDictionary(c => c.Key);
        return narrowed.ToDictionary(n => n.Id, n => cells[Key(n.Id)] is var c && c.Count is { } released
            ? new FilteredCount(CellKeyPerturbation.Apply(released, CellKeyPerturbation.CellKey(sums[n.Id].Sum(m => m.CellKey)), k, range), false)
            : new FilteredCount(null, c.Suppressed));
    }

    private static string Key(int id) => id.ToString(CultureInfo.InvariantCulture);

    // The attributes that name a value the list can be filtered by: an attribute's share times the pattern's size is the
    // pattern's count under that filter.
    private static readonly (string Prefix, Func<string, PatternFilter> Filter, string List)[] FilterableAttributes =
    [
        ("exploitation=", code => new PatternFilter(ExploitationType: code), CodeLists.ExploitationTypes),
        ("victim.age=", code => new PatternFilter(AgeBand: code), CodeLists.AgeBands),
    ];

    /// <summary>
    /// For each attribute that names a filter value, the patterns whose count the list under that filter withholds: the
    /// attribute is not shown for them, or its share would give the count the list withholds (and, with the other released
    /// counts and a published total, the small count that it protects). Kept with the aggregates until they are refreshed.
    /// </summary>
    private static async Task<IReadOnlyDictionary<string, HashSet<int>>> AttributeGuardsAsync(PatternModel model, IReadOnlyDictionary<int, PatternFigures> figures,
        string version, PatternStore store, int k, CancellationToken ct)
    {
        var released = PublishedFigures.Released(model, figures, k).ToList();
        var features = released.SelectMany(p => p.Profile!.Attributes.Select(a => a.Feature)).Distinct(StringComparer.Ordinal).ToList();
        var guards = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        foreach (var feature in features)
            foreach (var (prefix, filterOf, list) in FilterableAttributes)
            {
                if (!feature.StartsWith(prefix, StringComparison.Ordinal) || !CodeLists.Contains(list, feature[prefix.Length..])) continue;
                var filter = filterOf(feature[prefix.Length..]);
                guards[feature] = await store.DerivedAsync($"withheld|{version}|{k}|{filter.Key}", async () =>
                {
                    var counts = await store.CountsAsync(version, filter, ct);
                    // No jurisdiction and no time in these filters: the patterns' jurisdiction cells and plans play no part.
                    var cells = Narrowed(released.Select(p => (p.Id, figures[p.Id].Size, (IReadOnlyList<ReleasedCount>)[])),
                        counts, filter, new Dictionary<int, SeriesPlan>(), k, range: 0);
                    return cells.Where(c => c.Value.Suppressed).Select(c => c.Key).ToHashSet();
                });
            }
        return guards;
    }

    private static ProblemHttpResult NoModel() =>
        TypedResults.Problem("No pattern model is active yet: a steward trains one (POST /api/v1/models/patterns/train) or waits for the scheduled run.",
            statusCode: 404, title: "No active pattern model");
}
