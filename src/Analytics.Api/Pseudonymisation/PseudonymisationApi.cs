using Analytics.Api.Auth;
using Analytics.Data.Pseudonymisation;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Analytics.Api.Pseudonymisation;

/// <summary>One key of the ring: never its secret. <c>cases</c>: the cases stored under it now.</summary>
public sealed record RingKey(int Position, string KeyId, bool Active, string AddedAt, string? RekeyedAt, long Cases);

/// <summary>
/// The pseudonymisation key ring as the store records it, oldest first. <c>moving</c> is true while cases are being moved to
/// the active key (link runs wait meanwhile); <c>casesToMove</c> counts those still under an earlier key.
/// </summary>
public sealed record KeyRingView(string? ActiveKeyId, bool Moving, long CasesToMove, IReadOnlyList<RingKey> Keys);

public sealed record RekeyQueued(string JobId);

/// <summary>Stewards read the key ring (ids, never secrets) and the progress of a move to a new key, and can start the move now.</summary>
public static class PseudonymisationApi
{
    public static IEndpointRouteBuilder MapPseudonymisationApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/pseudonymisation").WithTags("Pseudonymisation").RequireAuthorization(Policies.Steward);
        group.MapGet("/keys", GetRingAsync).WithName("GetKeyRing")
            .WithSummary("The pseudonymisation key ring's ids in order (never a secret), when each was added and reached by every case, and the cases under each.");
        group.MapPost("/rekey", Rekey).WithName("RekeyTokens")
            .WithSummary("Queue the rekey-tokens job now: it moves every case stored under an earlier key to the active one (it also starts by itself when a node brings a new key).");
        return app;
    }

    public static async Task<Ok<KeyRingView>> GetRingAsync(KeyRingStore ring, CancellationToken ct)
    {
        var keys = await ring.ListAsync(ct);
        var cases = await ring.CasesByKeyAsync(ct);
        var active = keys.Count == 0 ? null : keys[^1].KeyId;
        var view = keys.Select(k => new RingKey(k.Position + 1, k.KeyId, k.KeyId == active, k.AddedAt, k.RekeyedAt, cases.GetValueOrDefault(k.KeyId))).ToList();
        var toMove = cases.Where(c => c.Key != active).Sum(c => c.Value);
        return TypedResults.Ok(new KeyRingView(active, keys.Count > 0 && keys[^1].RekeyedAt is null, toMove, view));
    }

    public static Accepted<RekeyQueued> Rekey(IBackgroundJobClient jobs)
    {
        var id = jobs.Enqueue<RekeyJobs>(j => j.RekeyTokensAsync(CancellationToken.None));
        return TypedResults.Accepted($"/api/v1/jobs/runs?job={RekeyJobs.RekeyJob}", new RekeyQueued(id));
    }
}
