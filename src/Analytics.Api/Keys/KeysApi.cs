using Analytics.Api.Auth;
using Analytics.Data.ApiKeys;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Analytics.Api.Keys;

public sealed record CreateKeyRequest(string Name, string Role, string? Jurisdiction, string? Authority);

public sealed record KeyInfo(string Id, string Name, string Role, string? Jurisdiction, string? Authority, string CreatedAt, string? RevokedAt);

/// <summary>A page of keys in the order they were issued; <c>next</c> is the <c>?after=</c> of the following page, null on the last.</summary>
public sealed record KeyList(IReadOnlyList<KeyInfo> Items, string? Next);

/// <summary>Stewards issue and revoke API keys. A key's secret is shown once, at creation.</summary>
public static class KeysApi
{
    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/keys").WithTags("Keys").RequireAuthorization(Policies.Steward);
        group.MapPost("/", CreateAsync).WithName("CreateKey").WithSummary("Issue an API key for a role (prosecutor keys carry a jurisdiction and authority).");
        group.MapGet("/", ListAsync).WithName("ListKeys")
            .WithSummary("List API keys in the order they were issued, never their secrets; ?revoked=false for usable keys only, ?limit= (default 100, at most 500) and ?after= to page on.");
        group.MapDelete("/{id}", RevokeAsync).WithName("RevokeKey").WithSummary("Revoke an API key.");
        return app;
    }

    public static async Task<Results<Created<IssuedApiKey>, ValidationProblem>> CreateAsync(CreateKeyRequest request, ApiKeyStore keys, CancellationToken ct)
    {
        var errors = ApiKeyRules.Check(request.Name, request.Role, request.Jurisdiction, request.Authority)
            .ToDictionary(e => "/" + e.Field, e => new[] { e.Message });
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "The key request is invalid.");
        var issued = await keys.CreateAsync(request.Name, request.Role, request.Jurisdiction, request.Authority, ct);
        return TypedResults.Created($"/api/v1/keys/{issued.Id}", issued);
    }

    public static async Task<Results<Ok<KeyList>, ValidationProblem>> ListAsync(ApiKeyStore keys, string? after, bool? revoked, int? limit, CancellationToken ct)
    {
        var (take, problem) = Errors.QueryValues.Take(limit, 100, 500);
        if (problem is not null) return problem;
        var rows = await keys.PageAsync(after, revoked, take + 1, ct);
        if (rows is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["/after"] = ["names no key: use the next value of the previous page"] },
                title: "Unknown page cursor; nothing was read.");
        var items = rows.Take(take).Select(k => new KeyInfo(k.Id, k.Name, k.Role, k.Jurisdiction, k.Authority, k.CreatedAt, k.RevokedAt)).ToList();
        return TypedResults.Ok(new KeyList(items, rows.Count > take ? items[^1].Id : null));
    }

    /// <summary>Revokes a key; revoking a revoked key again changes nothing and says so the same way (DELETE is idempotent).</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(string id, ApiKeyStore keys, Auth.RevokedKeys revoked, CancellationToken ct)
    {
        if (!(await keys.RevokeAsync(id, ct) || await keys.ExistsAsync(id, ct)))
            return TypedResults.Problem("No API key has this id.", statusCode: 404, title: "Key not found");
        // This node stops taking the key at once, not when its verified-key cache next expires.
        revoked.Add(id);
        return TypedResults.NoContent();
    }
}
