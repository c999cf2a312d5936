using Analytics.Api.Auth;
using Analytics.Api.Errors;
using Analytics.Api.Learning;
using Analytics.Api.Patterns;
using Analytics.Core.Cases;
using Analytics.Core.Disclosure;
using Analytics.Core.Statistics;
using Analytics.Data.Insights;
using Analytics.Data.Patterns;
using Analytics.Learning.Classification;
using Analytics.Learning.Prediction;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using static Analytics.Api.Errors.QueryValues;

namespace Analytics.Api.Insights;

public sealed record TrendPoint(string Period, int? Cases, bool Suppressed);

public sealed record PatternTrend(int PatternId, string Label, string Interval, int DisclosureThreshold, IReadOnlyList<TrendPoint> Points);

public sealed record EmergingPattern(
    int PatternId, string Label, int? RecentCases, int? BaselineCases, double? Expected, double? RateRatio, double? PValue, bool? Emerging);

public sealed record EmergingReport(
    string Test, string RecentWindow, string BaselineWindow, double Alpha, string Correction, int DisclosureThreshold, IReadOnlyList<EmergingPattern> Patterns);

public sealed record RouteFlow(string Route, IReadOnlyList<string> Countries, string Origin, string Destination, int? Cases, bool Suppressed);

/// <summary>
/// A page of flows: <see cref="Total"/> flows match the filter, <see cref="Flows"/> are those from <see cref="Offset"/> on.
/// Each released flow is moved by at most <see cref="PerturbationRange"/> (cell key; 0 when perturbation is off).
/// </summary>
public sealed record RouteReport(int DisclosureThreshold, int PerturbationRange, int Total, int Offset, IReadOnlyList<RouteFlow> Flows);

public sealed record SummaryReport(int DisclosureThreshold, IReadOnlyDictionary<string, IReadOnlyList<ReleasedCount>> Dimensions);

public sealed record IndicatorModel(string Model, string Version, double MacroF1, IReadOnlyList<FeatureImportance> Indicators);

public sealed record MatchedPattern(int PatternId, string Label, double Distance);

public sealed record MatchResult(
    string PatternModel, IReadOnlyList<MatchedPattern> NearestPatterns, IReadOnlyList<ClassProbability> ExploitationTypes,
    double? ChildVictimProbability, IReadOnlyList<string> DrivingFeatures);

/// <summary>What analysts come for: trends, emerging patterns, routes, indicators, summaries and case matching — aggregates only.</summary>
public static class InsightsApi
{
    public static IEndpointRouteBuilder MapInsightsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/patterns").WithTags("Patterns").RequireAuthorization(Policies.Analyst)
            .MapGet("/{id:int}/trend", TrendAsync).WithCsv().WithName("PatternTrend").WithSummary("Monthly, quarterly or yearly case counts of one pattern (?interval=month|quarter|year, ?format=csv).");

        var insights = app.MapGroup("/api/v1/insights").WithTags("Insights").RequireAuthorization(Policies.Analyst);
        insights.MapGet("/emerging", EmergingAsync).WithCsv().WithName("EmergingPatterns")
            .WithSummary("Patterns whose recent rate is significantly above their baseline (one-sided exact Poisson test, Bonferroni-corrected; ?recentMonths=3, 6 or 12, ?baselineMonths=12, 24 or 36, ?alpha=0.05, 0.01 or 0.001, ?format=csv). A pattern with a count below k gets no p-value and no verdict.");
        insights.MapGet("/routes", RoutesAsync).WithCsv().WithName("Routes").WithSummary("Origin → transit → destination flows, each count perturbed by ±2 at most (cell key) (?from=&to= years, ?exploitationType=, ?origin=, ?destination=, ?limit=200 up to 5,000, ?offset= to page on, ?format=csv).");
        insights.MapGet("/summary", SummaryAsync).WithCsv().WithName("Summary").WithSummary("Case counts by year, exploitation type, age band, gender and recruitment channel (?format=csv).");
        insights.MapGet("/indicators", Indicators).WithName("Indicators").WithSummary("Features that most drive the active classifiers (permutation importance).");

        app.MapGroup("/api/v1/match").WithTags("Insights").RequireAuthorization(Policies.Analyst)
            .MapPost("/", MatchAsync).WithName("Match").WithSummary("Match a hypothetical case profile against known patterns and classifiers.");
        return app;
    }

    public static async Task<Results<Ok<PatternTrend>, FileContentHttpResult, ProblemHttpResult, ValidationProblem>> TrendAsync(
        int id, string? interval, string? format, ModelServing serving, PatternStore store, IOptions<LearningOptions> options, CancellationToken ct)
    {
        // The query first, as on every route: a bad one is refused whatever pattern it names.
        var errors = new Dictionary<string, string[]>();
        var quarterly = string.Equals(interval, "quarter", StringComparison.OrdinalIgnoreCase);
        var yearly = string.Equals(interval, "year", StringComparison.OrdinalIgnoreCase);
        if (interval is not null && !quarterly && !yearly && !string.Equals(interval, "month", StringComparison.OrdinalIgnoreCase))
            errors["/interval"] = ["'month', 'quarter' or 'year'"];
        if (!IsFormat(format)) errors["/format"] = [FormatMessage];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "Invalid trend query.");
        var current = serving.Patterns.Current;
        var k = options.Value.DisclosureThreshold;
        var pattern = current is null ? null
            : PublishedFigures.Released(current.Model, await PublishedFigures.OfAsync(current.Model, current.Version, store, ct), k).FirstOrDefault(p => p.Id == id);
        if (current is null || pattern is null) return Problem(404, "Pattern not found", "No released pattern with this id in the active model.");

        // Every month from the pattern's first to its last (a month with none is 0), or every quarter, as the pattern's
        // release plan has them: the same plan as the emerging report's windows and the sparklines (SeriesPlans).
        var rows = await store.MonthlyAsync(current.Version, ct);
        var plan = SeriesPlans.Of(rows, id, k);
        var points = (yearly ? plan.Years.OrderBy(y => y.Key).Select(y => new TrendPoint($"{y.Key:D4}", y.Value, y.Value is null))
                : quarterly ? plan.Quarters.OrderBy(q => q.Key).Select(q => new TrendPoint(SeriesPlans.Quarter(q.Key), q.Value, q.Value is null))
                : plan.Months.OrderBy(m => m.Key).Select(m => new TrendPoint(SeriesPlans.Month(m.Key), m.Value, m.Value is null)))
            .ToList();
        var trend = new PatternTrend(id, pattern.Profile!.Label, yearly ? "year" : quarterly ? "quarter" : "month", k, points);
        return IsCsv(format)
            ? Csv.File($"pattern-{id}-trend.csv", ["period", "cases"], points.Select(p => new object?[] { p.Period, p.Suppressed ? $"< {k}" : p.Cases }))
            : TypedResults.Ok(trend);
    }

    private static int[] RecentWindows => SeriesPlans.RecentWindows;
    private static int[] BaselineWindows => SeriesPlans.BaselineWindows;
    private static readonly double[] Levels = [0.05, 0.01, 0.001];

    public static async Task<Results<Ok<EmergingReport>, FileContentHttpResult, ProblemHttpResult, ValidationProblem>> EmergingAsync(
        int? recentMonths, int? baselineMonths, double? alpha, string? format, ModelServing serving, PatternStore store, IOptions<LearningOptions> options, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        // A few fixed windows and levels, not any: two windows one month apart differ by one month's count, which the
        // trend withholds when it is below k; and a level that could be set freely would find a withheld p-value by bisection.
        if (recentMonths is { } r && !RecentWindows.Contains(r)) errors["/recentMonths"] = [$"one of {string.Join(", ", RecentWindows)}"];
        if (baselineMonths is { } b && !BaselineWindows.Contains(b)) errors["/baselineMonths"] = [$"one of {string.Join(", ", BaselineWindows)}"];
        if (alpha is { } a && !Levels.Contains(a)) errors["/alpha"] = [$"one of {string.Join(", ", Levels.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture)))}"];
        if (!IsFormat(format)) errors["/format"] = [FormatMessage];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "Invalid emerging-pattern query.");
        var current = serving.Patterns.Current;
        if (current is null) return Problem(404, "No active pattern model", "A steward trains one first.");
        var recent = recentMonths ?? 3;
        var baseline = baselineMonths ?? 12;
        var level = alpha ?? 0.01;
        var k = options.Value.DisclosureThreshold;

        var rows = await store.MonthlyAsync(current.Version, ct);
        if (SeriesPlans.Last(rows) is not { } last) return Problem(404, "No aggregates yet", "The refresh-aggregates job has not run for the active pattern model.");
        // Each window's count as the pattern's release plan has it: the plan covers every window this report offers and
        // the trend's months and quarters together, so no difference between them gives a withheld count (SeriesRelease).
        var plans = SeriesPlans.For(rows, k);
        var (recentWindow, baselineWindow) = SeriesPlans.Windows(last, recent, baseline);
        var recentFrom = SeriesPlans.Month(recentWindow.Start);
        var baselineFrom = SeriesPlans.Month(baselineWindow.Start);
        var released = PublishedFigures.Released(current.Model, await PublishedFigures.OfAsync(current.Model, current.Version, store, ct), k).ToList();
        var correction = released.Count;

        var results = released.Select(p =>
        {
            var plan = plans.GetValueOrDefault(p.Id) ?? SeriesPlans.Of(rows, p.Id, k);
            var recentCount = plan.Windows[recentWindow];
            var baselineCount = plan.Windows[baselineWindow];
            // A withheld count withholds every figure derived from it: the expectation, the ratio, the p-value (for a
            // known expectation only one count gives it) and the verdict (it tells on which side of the level it lies).
            if (recentCount is null || baselineCount is null)
                return new EmergingPattern(p.Id, p.Profile!.Label, recentCount, baselineCount,
                    baselineCount is { } b ? Math.Round((double)b / baseline * recent, 2) : null, null, null, null);
            var expected = (double)baselineCount.Value / baseline * recent;
            var pValue = PoissonTest.UpperTail(recentCount.Value, expected);
            return new EmergingPattern(p.Id, p.Profile!.Label, recentCount, baselineCount, Math.Round(expected, 2),
                expected > 0 ? Math.Round(recentCount.Value / expected, 2) : null, pValue, recentCount >= k && pValue < level / correction);
        })
            // Tested patterns by p-value; the others after them by id, so their place in the list says nothing of theirs.
            .OrderBy(e => e.PValue is null).ThenBy(e => e.PValue ?? 0).ThenBy(e => e.PatternId).ToList();

        var report = new EmergingReport(PoissonTest.Name, $"{recentFrom}..{SeriesPlans.Month(last)}", $"{baselineFrom}..{SeriesPlans.Month(recentWindow.Start - 1)}", level,
            $"Bonferroni over {correction} patterns", k, results);
        return IsCsv(format)
            ? Csv.File("emerging.csv", ["patternId", "label", "recentCases", "baselineCases", "expected", "rateRatio", "pValue", "emerging"],
                results.Select(e => new object?[] { e.PatternId, e.Label, e.RecentCases?.ToString() ?? $"< {k}", e.BaselineCases?.ToString() ?? $"< {k}", e.Expected, e.RateRatio, e.PValue, e.Emerging }))
            : TypedResults.Ok(report);
    }

    public static async Task<Results<Ok<RouteReport>, FileContentHttpResult, ValidationProblem>> RoutesAsync(
        string? from, string? to, string? exploitationType, string? origin, string? destination, int? limit, int? offset, string? format,
        InsightStore store, IOptions<LearningOptions> options, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (from is not null && !IsYear(from)) errors["/from"] = ["a year, e.g. 2021"];
        if (to is not null && !IsYear(to)) errors["/to"] = ["a year, e.g. 2024"];
        if (exploitationType is not null && !CodeLists.Contains(CodeLists.ExploitationTypes, exploitationType)) errors["/exploitationType"] = ["unknown exploitation type"];
        if (origin is not null && !CodeLists.Contains(CodeLists.Countries, origin)) errors["/origin"] = ["an ISO 3166-1 alpha-2 code"];
        if (destination is not null && !CodeLists.Contains(CodeLists.Countries, destination)) errors["/destination"] = ["an ISO 3166-1 alpha-2 code"];
        if (from is not null && to is not null && IsYear(from) && IsYear(to) && string.CompareOrdinal(from, to) > 0) errors["/to"] = ["must not be before 'from'"];
        if (!IsFormat(format)) errors["/format"] = [FormatMessage];
        if (limit is < 1) errors["/limit"] = ["from 1 to 5,000 (a larger one is lowered to 5,000)"];
        if (offset is < 0) errors["/offset"] = ["0 or more: how many flows of the ordered list to skip"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "Invalid route filter.");

        var k = options.Value.DisclosureThreshold;
        var range = options.Value.PerturbationRange;
        // Suppression is decided over all flows, then they are ordered (largest first, suppressed last) and the answer
        // keeps the first `limit`. With a million cases there are tens of thousands of flows, so the released, ordered
        // list is cached per filter for as long as the aggregates it came from. A released flow is perturbed by its cases'
        // cell key: flows under two year ranges (or two types) would otherwise differ by a year's small count.
        var ordered = await store.DerivedAsync($"routes|{k}|{range}|{from}|{to}|{exploitationType}|{origin}|{destination}", async () =>
        {
            var rows = await store.RoutesAsync(from, to, exploitationType, origin, destination, ct);
            var released = DisclosureControl.Release(rows.Select(r => (r.Route, r.Cases)), k);
            return rows.Zip(released, (r, c) => new RouteFlow(r.Route, r.Route.Split('>'), r.Origin, r.Destination,
                    c.Count is { } n ? CellKeyPerturbation.Apply(n, CellKeyPerturbation.CellKey(r.CellKey), k, range) : null, c.Suppressed))
                .OrderBy(f => f.Suppressed).ThenByDescending(f => f.Cases ?? 0).ThenBy(f => f.Route, StringComparer.Ordinal)
                .ToList();
        });
        var skip = offset ?? 0;
        var flows = ordered.Skip(skip).Take(Math.Min(limit ?? 200, 5_000)).ToList();
        return IsCsv(format)
            ? Csv.File("routes.csv", ["route", "origin", "destination", "cases"], flows.Select(f => new object?[] { string.Join(" > ", f.Countries), f.Origin, f.Destination, f.Suppressed ? $"< {k}" : f.Cases }))
            : TypedResults.Ok(new RouteReport(k, range, ordered.Count, skip, flows));
    }

    public static async Task<Results<Ok<SummaryReport>, FileContentHttpResult, ValidationProblem>> SummaryAsync(string? format, InsightStore store,
        ModelServing serving, PatternStore patterns, IOptions<LearningOptions> options, CancellationToken ct)
    {
        if (!IsFormat(format)) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["/format"] = [FormatMessage] }, title: "Invalid summary query.");
        var k = options.Value.DisclosureThreshold;
        var rows = await store.SummaryAsync(ct);
        // A year of all cases, less the released patterns' years, is the rest of that year: it must not give a year that a
        // pattern's trend withholds. Nor may the cases of no known year, less the patterns' cases of no known month.
        var years = new HashSet<string>(StringComparer.Ordinal);
        if (serving.Patterns.Current is { } current)
        {
            var (plans, _) = await SeriesPlans.AllAsync(patterns, current.Version, k, ct);
            var released = PublishedFigures.Released(current.Model, await PublishedFigures.OfAsync(current.Model, current.Version, patterns, ct), k)
                .Select(p => p.Id).ToHashSet();
            years = SeriesPlans.YearsGivingAPatternsYear(rows.Where(r => r.Dimension == "year").ToDictionary(r => r.Value, r => r.Cases),
                await SeriesPlans.YearsAsync(patterns, current.Version, ct), await SeriesPlans.UndatedAsync(patterns, current.Version, ct),
                InsightStore.Unknown, plans, released, k);
        }
        var dimensions = InsightStore.Dimensions.ToDictionary(d => d, d =>
            DisclosureControl.Release(rows.Where(r => r.Dimension == d).Select(r => (r.Value, r.Cases)), k, withhold: d == "year" ? years : null));
        return IsCsv(format)
            ? Csv.File("summary.csv", ["dimension", "value", "cases"], dimensions.SelectMany(d => d.Value.Select(c => new object?[] { d.Key, c.Key, Csv.Count(c, k) })))
            : TypedResults.Ok(new SummaryReport(k, dimensions));
    }

    public static Ok<List<IndicatorModel>> Indicators(ModelServing serving) =>
        TypedResults.Ok(new[] { (ModelNames.ExploitationType, serving.ExploitationType.Current), (ModelNames.ChildVictim, serving.ChildVictim.Current) }
            .Where(m => m.Item2 is not null)
            .Select(m => new IndicatorModel(m.Item1, m.Item2!.Version, Math.Round(m.Item2.Model.Metrics.MacroF1, 4), m.Item2.Model.Indicators))
            .ToList());

    public static async Task<Results<Ok<MatchResult>, ValidationProblem, ProblemHttpResult>> MatchAsync(CaseProfile profile, ModelServing serving, PatternStore store,
        IOptions<LearningOptions> options, CancellationToken ct)
    {
        var errors = ValidateProfile(profile);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "The case profile is invalid.");
        var patterns = serving.Patterns.Current;
        var types = serving.ExploitationType.Current;
        if (patterns is null || types is null) return Problem(404, "Models not ready", "Matching needs an active pattern model and exploitation-type classifier.");
        var k = options.Value.DisclosureThreshold;
        var prediction = new CasePredictor(patterns.Model, types.Model, serving.ChildVictim.Current?.Model).Predict(profile, patternCount: 5);
        var releasedIds = PublishedFigures.Released(patterns.Model, await PublishedFigures.OfAsync(patterns.Model, patterns.Version, store, ct), k)
            .Select(p => p.Id).ToHashSet();
        var nearest = prediction.NearestPatterns.Where(p => releasedIds.Contains(p.PatternId) && p.Label is not null)
            .Take(3).Select(p => new MatchedPattern(p.PatternId, p.Label!, Math.Round(p.Distance, 4))).ToList();
        // A class learnt from fewer than k cases is not shown: its probability for a probing profile would tell about them.
        var shown = prediction.ExploitationTypes.Where(t => types.Model.LabelledCases(t.Class) is not { } n || n >= k).ToList();
        return TypedResults.Ok(new MatchResult(patterns.Version, nearest, shown, prediction.ChildVictimProbability, prediction.DrivingFeatures));
    }

    private static Dictionary<string, string[]> ValidateProfile(CaseProfile p)
    {
        var errors = new Dictionary<string, string[]>();
        // JSON null where an array, an object or a code belongs: named, and nothing below reads it.
        Present("/victims", p.Victims);
        Present("/suspects", p.Suspects);
        foreach (var (pointer, codes) in new (string, IReadOnlyList<string>)[]
        {
            ("/recruitmentChannels", p.RecruitmentChannels), ("/meansOfControl", p.MeansOfControl), ("/exploitationTypes", p.ExploitationTypes),
            ("/labourSectors", p.LabourSectors), ("/routeCountries", p.RouteCountries), ("/exploitationCountries", p.ExploitationCountries),
            ("/evidenceKinds", p.EvidenceKinds), ("/platforms", p.Platforms), ("/paymentChannels", p.PaymentChannels),
        })
            Present(pointer, codes);
        if (errors.Count > 0) return errors;
        if (p.Victims.Count > 200) errors["/victims"] = ["at most 200 victims"];
        if (p.Suspects.Count > 200) errors["/suspects"] = ["at most 200 suspects"];
        for (var i = 0; i < Math.Min(p.Victims.Count, 200); i++)
        {
            Check($"/victims/{i}/ageBand", CodeLists.AgeBands, p.Victims[i].AgeBand);
            Check($"/victims/{i}/gender", CodeLists.Genders, p.Victims[i].Gender);
            Check($"/victims/{i}/citizenship", CodeLists.Countries, p.Victims[i].Citizenship);
        }
        for (var i = 0; i < Math.Min(p.Suspects.Count, 200); i++)
        {
            Check($"/suspects/{i}/role", CodeLists.SuspectRoles, p.Suspects[i].Role);
            Check($"/suspects/{i}/relationToVictim", CodeLists.RelationsToVictim, p.Suspects[i].RelationToVictim);
        }
        List("/recruitmentChannels", CodeLists.RecruitmentChannels, p.RecruitmentChannels);
        List("/meansOfControl", CodeLists.MeansOfControl, p.MeansOfControl);
        List("/exploitationTypes", CodeLists.ExploitationTypes, p.ExploitationTypes);
        List("/labourSectors", CodeLists.LabourSectors, p.LabourSectors);
        List("/routeCountries", CodeLists.Countries, p.RouteCountries);
        List("/exploitationCountries", CodeLists.Countries, p.ExploitationCountries);
        List("/evidenceKinds", CodeLists.EvidenceKinds, p.EvidenceKinds);
        List("/platforms", CodeLists.Platforms, p.Platforms);
        List("/paymentChannels", CodeLists.PaymentChannels, p.PaymentChannels);
        // Checked like the other codes, though the models read neither: a value they cannot use is an error, not ignored.
        if (!string.IsNullOrEmpty(p.Jurisdiction)) Check("/jurisdiction", CodeLists.Countries, p.Jurisdiction);
        if (p.PeriodFrom is { } month && !DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _))
            errors["/periodFrom"] = ["a month as yyyy-MM"];
        return errors;

        void Present<T>(string pointer, IReadOnlyList<T>? items)
        {
            if (items is null) { errors[pointer] = ["must be an array, not null"]; return; }
            for (var i = 0; i < Math.Min(items.Count, 200); i++)
                if (items[i] is null) errors[$"{pointer}/{i}"] = ["must not be null"];
        }

        void Check(string pointer, string list, string? code)
        {
            if (code is not null && !CodeLists.Contains(list, code)) errors[pointer] = [$"unknown code (code list {list})"];
        }

        void List(string pointer, string list, IReadOnlyList<string> codes)
        {
            if (codes.Count > 50) errors[pointer] = ["at most 50 values"];
            else for (var i = 0; i < codes.Count; i++) Check($"{pointer}/{i}", list, codes[i]);
        }
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(detail, statusCode: status, title: title);
}
