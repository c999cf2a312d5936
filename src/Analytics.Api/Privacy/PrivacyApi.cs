using Analytics.Api.Auth;
using Analytics.Api.Learning;
using Analytics.Core.Privacy;
using Analytics.Data.Privacy;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Privacy;

/// <param name="Unit">What one record is: a victim of an active case.</param>
/// <param name="Cases">Active cases read.</param>
/// <param name="QuasiIdentifiers">The attributes equivalence classes are formed over.</param>
/// <param name="MissingValue">The value a missing quasi-identifier counts as (a class of its own).</param>
/// <param name="JournalistModel">How the journalist risk was computed.</param>
public sealed record PrivacyReport(
    string GeneratedAt,
    string Unit,
    long Cases,
    IReadOnlyList<string> QuasiIdentifiers,
    string MissingValue,
    RiskSummary Risk,
    string JournalistModel);

/// <summary>The data steward's privacy report: k-anonymity and re-identification risk of the stored dataset.</summary>
public static class PrivacyApi
{
    public const string JournalistNote =
        "No population table is configured, so the journalist model is computed on the sample itself, where it equals the prosecutor model (as ARX reports it).";

    public static IEndpointRouteBuilder MapPrivacyApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/privacy").WithTags("Privacy").RequireAuthorization(Policies.Steward)
            .MapGet("/report", ReportAsync).WithName("PrivacyReport")
            .WithSummary("k-anonymity and prosecutor / journalist / marketer re-identification risk over age band, gender, citizenship, country of exploitation and year.");
        return app;
    }

    public static async Task<Results<Ok<PrivacyReport>, ValidationProblem>> ReportAsync(
        PrivacyStore store, IOptions<LearningOptions> options, TimeProvider time, int? k, CancellationToken ct)
    {
        var threshold = k ?? options.Value.DisclosureThreshold;
        if (threshold is < 1 or > 1000)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["/k"] = ["Must be a whole number from 1 to 1000."] },
                title: "Invalid threshold; nothing was read.");

        // Only class sizes are kept per class; the classes themselves never leave this method.
        var risk = new ReidentificationRisk();
        var cases = await store.ForEachActiveProfileAsync(profile => risk.AddRange(Core.Privacy.QuasiIdentifiers.Of(profile)), ct);
        return TypedResults.Ok(new PrivacyReport(
            time.GetUtcNow().ToString("O"),
            "victim",
            cases,
            Core.Privacy.QuasiIdentifiers.Names,
            Core.Privacy.QuasiIdentifiers.Unknown,
            risk.Summarise(threshold),
            JournalistNote));
    }
}
