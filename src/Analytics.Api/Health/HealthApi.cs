using Analytics.Api.Learning;
using Analytics.Data.Database;
using Dapper;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Analytics.Api.Health;

public sealed record HealthCheck(string Name, string Status, string? Detail);

public sealed record HealthReport(string Status, IReadOnlyList<HealthCheck> Checks);

/// <summary>
/// Liveness (the process answers) and readiness (the database and the job storage answer). Open to probes without a key:
/// they reveal no data, only whether each dependency is reachable.
/// </summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health");
        group.MapGet("/live", () => TypedResults.Ok(new { status = "live" })).WithName("Live");
        group.MapGet("/ready", ReadyAsync).WithName("Ready");
        return app;
    }

    public static async Task<Results<Ok<HealthReport>, JsonHttpResult<HealthReport>>> ReadyAsync(Db db, JobStorage jobs, ModelServing serving, CancellationToken ct)
    {
        var checks = new List<HealthCheck>
        {
            await CheckAsync("database", async () =>
            {
                await using var connection = await db.OpenAsync(ct);
                await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM schema_migrations", cancellationToken: ct));
                return db.Dialect.Name;
            }),
            await CheckAsync("job-storage", () =>
            {
                using var connection = jobs.GetConnection();
                var servers = jobs.GetMonitoringApi().Servers().Count;
                return Task.FromResult($"{jobs.GetType().Name}, {servers} server(s)");
            }),
        };
        // Models are not required for readiness (a new installation has none), only reported.
        checks.Add(new HealthCheck("patterns-model", "info", serving.Patterns.Current?.Version ?? "none active"));
        var ready = checks.All(c => c.Status != "unhealthy");
        var report = new HealthReport(ready ? "ready" : "unhealthy", checks);
        return ready ? TypedResults.Ok(report) : TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<HealthCheck> CheckAsync(string name, Func<Task<string>> check)
    {
        try
        {
            return new HealthCheck(name, "healthy", await check());
        }
        catch (Exception e)
        {
            // The exception type is enough for an operator; messages can carry connection details.
            return new HealthCheck(name, "unhealthy", e.GetType().Name);
        }
    }
}
