using Analytics.Data.Database;
using Dapper;

namespace Analytics.Data.Jobs;

public sealed class JobSchedule
{
    public string JobId { get; set; } = "";
    public string Cron { get; set; } = "";
    public string UpdatedAt { get; set; } = "";
    public string UpdatedBy { get; set; } = "";
}

public sealed class JobRun
{
    public string Id { get; set; } = "";
    public string JobId { get; set; } = "";
    public string StartedAt { get; set; } = "";
    public string? FinishedAt { get; set; }
    public string Outcome { get; set; } = "";
    public string? Detail { get; set; }
}

/// <summary>Schedules (editable by stewards) and the outcome of every job run.</summary>
public sealed class JobStore(Db db)
{
    private const string SelectSchedules = "SELECT job_id AS JobId, cron AS Cron, updated_at AS UpdatedAt, updated_by AS UpdatedBy FROM job_schedules ORDER BY job_id";

    public async Task<IReadOnlyList<JobSchedule>> SchedulesAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<JobSchedule>(new CommandDefinition(SelectSchedules, cancellationToken: ct))).AsList();
    }

    /// <summary>Inserts a schedule unless the job already has one (defaults never overwrite a steward's choice).</summary>
    public async Task EnsureScheduleAsync(string jobId, string cron, CancellationToken ct)
    {
        var sql = db.Dialect.InsertIgnore("job_schedules", "job_id, cron, updated_at, updated_by", "@jobId, @cron, @at, 'default'", "job_id");
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { jobId, cron, at = DateTimeOffset.UtcNow.ToString("O") }, cancellationToken: ct));
    }

    public async Task SetScheduleAsync(string jobId, string cron, string by, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE job_schedules SET cron = @cron, updated_at = @at, updated_by = @by WHERE job_id = @jobId",
            new { jobId, cron, by, at = DateTimeOffset.UtcNow.ToString("O") }, cancellationToken: ct));
    }

    public async Task<string> StartRunAsync(string jobId, CancellationToken ct)
    {
        var id = Guid.CreateVersion7().ToString();
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO job_runs (id, job_id, started_at, outcome) VALUES (@id, @jobId, @at, 'running')",
            new { id, jobId, at = DateTimeOffset.UtcNow.ToString("O") }, cancellationToken: ct));
        return id;
    }

    /// <summary>
    /// Sets what a running run is doing (its detail) for stewards to read while it runs. A run that has already finished
    /// keeps its outcome and detail: a late report changes nothing. Returns whether the run was still running.
    /// </summary>
    public async Task<bool> ReportProgressAsync(string runId, string detail, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(detail);
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE job_runs SET detail = @detail WHERE id = @runId AND outcome = 'running'",
            new { runId, detail = detail.Length > 2000 ? detail[..2000] : detail }, cancellationToken: ct)) == 1;
    }

    public async Task FinishRunAsync(string runId, string outcome, string? detail, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE job_runs SET finished_at = @at, outcome = @outcome, detail = @detail WHERE id = @runId",
            new { runId, outcome, detail = detail is { Length: > 2000 } ? detail[..2000] : detail, at = DateTimeOffset.UtcNow.ToString("O") }, cancellationToken: ct));
    }

    public Task<IReadOnlyList<JobRun>> RunsAsync(string? jobId, int limit, CancellationToken ct) => RunsAsync(jobId, limit, before: null, ct);

    /// <summary>
    /// Runs newest first; with <paramref name="before"/> (a run's <c>startedAt</c>, as returned) only those that started
    /// earlier, so a client pages back through the history by passing the last run it has.
    /// </summary>
    public async Task<IReadOnlyList<JobRun>> RunsAsync(string? jobId, int limit, string? before, CancellationToken ct)
    {
        const string sql = """
            SELECT id AS Id, job_id AS JobId, started_at AS StartedAt, finished_at AS FinishedAt, outcome AS Outcome, detail AS Detail
            FROM job_runs WHERE (@jobId IS NULL OR job_id = @jobId) AND (@before IS NULL OR started_at < @before)
            ORDER BY started_at DESC
            """;
        await using var connection = await db.OpenAsync(ct);
        var paged = db.Dialect.Page(sql, "0", "@limit");
        return (await connection.QueryAsync<JobRun>(new CommandDefinition(paged, new { jobId, limit, before }, cancellationToken: ct))).AsList();
    }
}
