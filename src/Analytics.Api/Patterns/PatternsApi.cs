using Analytics.Api.Auth;
using Analytics.Api.Learning;
using Analytics.Core.Disclosure;
using Analytics.Learning.Patterns;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Patterns;

public sealed record PatternAttributeView(string Feature, double Share, double Lift);

public sealed record PatternView(
    int Id,
    string Label,
    int Size,
    string? FirstSeen,
    string? LastSeen,
    IReadOnlyList<PatternAttributeView> Attributes,
    IReadOnlyList<ReleasedCount> Jurisdictions);

public sealed record PatternPage(string ModelVersion, int DisclosureThreshold, int Total, int Page, int PageSize, IReadOnlyList<PatternView> Items);

/// <summary>Discovered patterns for analysts: aggregates only, every number disclosure-controlled.</summary>
public static class PatternsApi
{
    public static IEndpointRouteBuilder MapPatternsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/patterns").WithTags("Patterns").RequireAuthorization(Policies.Analyst);
        group.MapGet("/", List).WithName("ListPatterns").WithSummary("Released patterns of the active model, largest first.");
        group.MapGet("/{id:int}", Get).WithName("GetPattern");
        return app;
    }

    public static Results<Ok<PatternPage>, ProblemHttpResult> List(ModelServing serving, IOptions<LearningOptions> options, int? page, int? pageSize)
    {
        var current = serving.Patterns.Current;
        if (current is null) return NoModel();
        var k = options.Value.DisclosureThreshold;
        var size = Math.Clamp(pageSize ?? 20, 1, 100);
        var number = Math.Max(page ?? 1, 1);
        var released = Released(current.Model, k).OrderByDescending(p => p.Size).ThenBy(p => p.Id).ToList();
        return TypedResults.Ok(new PatternPage(current.Version, k, released.Count, number, size, released.Skip((number - 1) * size).Take(size).ToList()));
    }

    public static Results<Ok<PatternView>, ProblemHttpResult> Get(int id, ModelServing serving, IOptions<LearningOptions> options)
    {
        var current = serving.Patterns.Current;
        if (current is null) return NoModel();
        var pattern = Released(current.Model, options.Value.DisclosureThreshold).FirstOrDefault(p => p.Id == id);
        return pattern is null
            ? TypedResults.Problem("No released pattern with this id in the active model (patterns smaller than the disclosure threshold are not shown).", statusCode: 404, title: "Pattern not found")
            : TypedResults.Ok(pattern);
    }

    private static IEnumerable<PatternView> Released(PatternModel model, int k) =>
        model.Patterns
            .Where(p => !p.Suppressed && p.Profile is not null && p.Profile.Size >= k)
            .Select(p =>
            {
                var profile = p.Profile!;
                // A share of a small count would disclose the count: only attributes held by at least k cases are shown.
                var attributes = profile.Attributes
                    .Where(a => a.ShareInPattern * profile.Size >= k)
                    .Select(a => new PatternAttributeView(a.Feature, Math.Round(a.ShareInPattern, 3), Math.Round(a.Lift, 2)))
                    .ToList();
                var jurisdictions = DisclosureControl.Release(profile.Jurisdictions.Select(j => (j.Jurisdiction, j.Cases)), k);
                return new PatternView(p.Id, profile.Label, profile.Size, profile.FirstSeen, profile.LastSeen, attributes, jurisdictions);
            });

    private static ProblemHttpResult NoModel() =>
        TypedResults.Problem("No pattern model is active yet: a steward trains one (POST /api/v1/models/patterns/train) or waits for the scheduled run.",
            statusCode: 404, title: "No active pattern model");
}
