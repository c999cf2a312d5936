using System.Security.Claims;
using Analytics.Api.Auth;
using Analytics.Api.Learning;
using Analytics.Data.Jobs;
using Analytics.Learning.Registry;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Analytics.Api.Jobs;

public sealed record ScheduleView(string Job, string Cron, DateTime? NextExecutionUtc, string UpdatedAt, string UpdatedBy);

public sealed record ScheduleUpdate(string Cron);

public sealed record ModelVersionView(string Version, string Status, DateTimeOffset RegisteredAt, string PrimaryMetric, double PrimaryValue, IReadOnlyDictionary<string, double> Metrics);

public sealed record ModelView(string Name, string? Active, string? Serving, IReadOnlyList<ModelVersionView> Versions);

public sealed record TrainingQueued(string Model, string JobId);

public sealed record ActiveVersion(string Model, string Active);

/// <summary>The data steward's controls: schedules, training, model versions, job outcomes.</summary>
public static class StewardApi
{
    public static IEndpointRouteBuilder MapStewardApi(this IEndpointRouteBuilder app)
    {
        var schedules = app.MapGroup("/api/v1/schedules").WithTags("Schedules").RequireAuthorization(Policies.Steward);
        schedules.MapGet("/", ListSchedulesAsync).WithName("ListSchedules");
        schedules.MapGet("/{job}", GetScheduleAsync).WithName("GetSchedule");
        schedules.MapPut("/{job}", PutScheduleAsync).WithName("PutSchedule").WithSummary("Change a recurring job's cron expression (UTC).");

        var models = app.MapGroup("/api/v1/models").WithTags("Models").RequireAuthorization(Policies.Steward);
        models.MapGet("/", ListModels).WithName("ListModels").WithSummary("Every model with its versions, status and metrics.");
        models.MapGet("/{name}/{version}", GetCard).WithName("GetModelCard");
        models.MapPost("/{name}/train", Train).WithName("TrainModel").WithSummary("Queue training of one model (or 'all').");
        models.MapPost("/{name}/{version}/activate", Activate).WithName("ActivateModel");
        models.MapPost("/{name}/rollback", Rollback).WithName("RollbackModel").WithSummary("Return to the previously active version.");

        app.MapGroup("/api/v1/jobs").WithTags("Jobs").RequireAuthorization(Policies.Steward)
            .MapGet("/runs", RunsAsync).WithName("ListJobRuns").WithSummary("Job runs and their outcome, newest first (?job=, ?limit=50 up to 500, ?before= the startedAt of the last run you have, for the next page).");
        return app;
    }

    public static async Task<Ok<List<ScheduleView>>> ListSchedulesAsync(JobStore store, JobScheduler scheduler, CancellationToken ct) =>
        TypedResults.Ok((await store.SchedulesAsync(ct)).Select(s => View(s, scheduler)).ToList());

    public static async Task<Results<Ok<ScheduleView>, ProblemHttpResult>> GetScheduleAsync(string job, JobStore store, JobScheduler scheduler, CancellationToken ct)
    {
        var schedule = (await store.SchedulesAsync(ct)).FirstOrDefault(s => s.JobId == job);
        return schedule is null ? UnknownJob(job) : TypedResults.Ok(View(schedule, scheduler));
    }

    public static async Task<Results<Ok<ScheduleView>, ValidationProblem, ProblemHttpResult>> PutScheduleAsync(
        string job, ScheduleUpdate update, ClaimsPrincipal user, JobStore store, JobScheduler scheduler, CancellationToken ct)
    {
        if (!LearningJobs.DefaultSchedules.ContainsKey(job)) return UnknownJob(job);
        var cron = update.Cron?.Trim() ?? "";
        if (cron.Length is 0 or > 100) return CronProblem("required, at most 100 characters, e.g. \"0 3 * * *\"");
        try
        {
            await scheduler.ChangeAsync(job, cron, () => store.SetScheduleAsync(job, cron, user.PrincipalId(), ct));
        }
        catch (ArgumentException)
        {
            return CronProblem("is not a valid cron expression (minute hour day-of-month month day-of-week, UTC), e.g. \"0 3 * * *\" for 03:00 every day");
        }
        var schedule = (await store.SchedulesAsync(ct)).First(s => s.JobId == job);
        return TypedResults.Ok(View(schedule, scheduler));
    }

    public static Ok<List<ModelView>> ListModels(ModelRegistry registry, ModelServing serving) =>
        TypedResults.Ok(ModelNames.All.Select(name =>
        {
            var table = registry.GetTable(name);
            var versions = table.Versions.Select(v => new ModelVersionView(v.Version, v.Status.ToString().ToLowerInvariant(), v.RegisteredAt,
                v.PrimaryMetric, v.PrimaryValue, registry.ReadCard(name, v.Version).Metrics.Values)).Reverse().ToList();
            return new ModelView(name, table.Active, ServingVersion(serving, name), versions);
        }).ToList());

    public static Results<Ok<ModelCard>, ProblemHttpResult> GetCard(string name, string version, ModelRegistry registry)
    {
        if (!ModelNames.All.Contains(name) || registry.GetTable(name).Versions.All(v => v.Version != version))
            return TypedResults.Problem($"No version '{version}' of model '{name}'.", statusCode: 404, title: "Model version not found");
        return TypedResults.Ok(registry.ReadCard(name, version));
    }

    public static Results<Accepted<TrainingQueued>, ProblemHttpResult> Train(string name, IBackgroundJobClient jobs)
    {
        if (name != "all" && !ModelNames.All.Contains(name))
            return TypedResults.Problem($"Known models: {string.Join(", ", ModelNames.All)} (or 'all').", statusCode: 404, title: "Unknown model");
        var id = name == "all"
            ? jobs.Enqueue<LearningJobs>(j => j.TrainAllAsync(CancellationToken.None))
            : jobs.Enqueue<LearningJobs>(j => j.TrainAsync(name, CancellationToken.None));
        return TypedResults.Accepted($"/api/v1/jobs/runs?job=train:{name}", new TrainingQueued(name, id));
    }

    public static Results<Ok<ActiveVersion>, ProblemHttpResult> Activate(string name, string version, ModelRegistry registry, ModelServing serving)
    {
        if (!ModelNames.All.Contains(name) || registry.GetTable(name).Versions.All(v => v.Version != version))
            return TypedResults.Problem($"No version '{version}' of model '{name}'.", statusCode: 404, title: "Model version not found");
        var (active, failure) = serving.Activate(name, version);
        if (failure is not null)
            return TypedResults.Problem($"The artefact of version '{version}' of model '{name}' could not be loaded ({failure}); the active version is unchanged.",
                statusCode: 422, title: "Model version cannot be served");
        return TypedResults.Ok(new ActiveVersion(name, active!));
    }

    public static Results<Ok<ActiveVersion>, ProblemHttpResult> Rollback(string name, ModelRegistry registry, ModelServing serving)
    {
        if (!ModelNames.All.Contains(name)) return TypedResults.Problem($"Known models: {string.Join(", ", ModelNames.All)}.", statusCode: 404, title: "Unknown model");
        try
        {
            var active = registry.Rollback(name);
            serving.Refresh();
            return TypedResults.Ok(new ActiveVersion(name, active));
        }
        catch (InvalidOperationException e)
        {
            return TypedResults.Problem(e.Message, statusCode: 409, title: "Nothing to roll back to");
        }
    }

    public static async Task<Results<Ok<IReadOnlyList<JobRun>>, ValidationProblem>> RunsAsync(JobStore store, string? job, int? limit, string? before, CancellationToken ct)
    {
        // Start times are stored as round-trip UTC text, so the cursor is compared as the same text.
        if (before is not null && !DateTimeOffset.TryParseExact(before, "O", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["/before"] = ["the startedAt of a run, as returned (ISO 8601 round-trip)"] },
                title: "Invalid job-run query.");
        var (take, problem) = Errors.QueryValues.Take(limit, 50, 500);
        if (problem is not null) return problem;
        return TypedResults.Ok(await store.RunsAsync(job, take, before, ct));
    }

    private static string? ServingVersion(ModelServing serving, string name) => name switch
    {
        ModelNames.Patterns => serving.Patterns.Current?.Version,
        ModelNames.ExploitationType => serving.ExploitationType.Current?.Version,
        _ => serving.ChildVictim.Current?.Version,
    };

    private static ScheduleView View(JobSchedule s, JobScheduler scheduler)
    {
        var (_, next) = scheduler.Effective(s.JobId);
        return new ScheduleView(s.JobId, s.Cron, next, s.UpdatedAt, s.UpdatedBy);
    }

    private static ProblemHttpResult UnknownJob(string job) =>
        TypedResults.Problem($"Known jobs: {string.Join(", ", LearningJobs.DefaultSchedules.Keys)}.", statusCode: 404, title: $"Unknown job '{job}'");

    private static ValidationProblem CronProblem(string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["/cron"] = [message] }, title: "The schedule is invalid; nothing was changed.");
}
