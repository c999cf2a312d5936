using Analytics.Api.Auth;
using Analytics.Data.Audit;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Analytics.Api.Audit;

public sealed record AuditEntryView(
    long Seq,
    string At,
    string Principal,
    string? Role,
    string? Jurisdiction,
    string Action,
    string Method,
    string Route,
    System.Text.Json.JsonElement Parameters,
    int Status,
    long ResultSize,
    long DurationMs,
    string PrevHash,
    string Hash);

public sealed record AuditPage(IReadOnlyList<AuditEntryView> Items, long? Next);

/// <summary>The audit trail for data stewards: read it page by page, and verify its hash chain.</summary>
public static class AuditApi
{
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditLog>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditLog>());
        return services;
    }

    /// <summary>Audits every /api request; call first so that problems written by later middleware are counted.</summary>
    public static IApplicationBuilder UseAudit(this IApplicationBuilder app) => app.UseMiddleware<AuditMiddleware>();

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/audit").WithTags("Audit").RequireAuthorization(Policies.Steward);
        group.MapGet("/", ListAsync).WithName("ListAudit").WithSummary("Audit entries in chain order (keyset pagination on seq), optionally for one principal or action.");
        group.MapGet("/verify", VerifyAsync).WithName("VerifyAudit")
            .WithSummary("Check the hash chain after the last verified entry (?full=true: from the first; ?after= to go on; ?limit= entries per call) and report the first entry where it does not hold.");
        return app;
    }

    public static async Task<Results<Ok<AuditPage>, ValidationProblem>> ListAsync(
        AuditStore store, long? after, int? limit, string? principal, string? action, CancellationToken ct)
    {
        if (after < 0)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["/after"] = ["Must be a sequence number of 0 or more."] },
                title: "Invalid audit query; nothing was read.");
        var (take, problem) = Errors.QueryValues.Take(limit, 100, 1000);
        if (problem is not null) return problem;
        var rows = await store.ListAsync(after ?? 0, take + 1, Blank(principal), Blank(action), ct);
        var items = rows.Take(take).Select(View).ToList();
        return TypedResults.Ok(new AuditPage(items, rows.Count > take ? items[^1].Seq : null));
    }

    /// <summary>
    /// From the checkpoint by default; <c>full=true</c> from the first entry; <c>after</c> from a given entry (to go on with a
    /// full walk that stopped at its limit). At most <c>limit</c> entries per call (default and most: <see cref="AuditStore.VerifyMaxEntries"/>).
    /// </summary>
    public static async Task<Results<Ok<ChainVerification>, ValidationProblem>> VerifyAsync(
        AuditStore store, AuditLog log, bool? full, long? after, int? limit, CancellationToken ct)
    {
        if (after < 0)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["/after"] = ["Must be a sequence number of 0 or more."] },
                title: "Invalid verification; nothing was read.");
        var (take, problem) = Errors.QueryValues.Take(limit, AuditStore.VerifyMaxEntries, AuditStore.VerifyMaxEntries);
        if (problem is not null) return problem;
        return TypedResults.Ok(await store.VerifyAsync(log.Head, after ?? (full == true ? 0 : null), take, ct));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static AuditEntryView View(AuditEntry e)
    {
        using var parameters = System.Text.Json.JsonDocument.Parse(e.Parameters);
        return new AuditEntryView(e.Seq, e.At, e.Principal, e.Role, e.Jurisdiction, e.Action, e.Method, e.Route, parameters.RootElement.Clone(),
            e.Status, e.ResultSize, e.DurationMs, e.PrevHash, e.Hash);
    }
}
