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

/// <summary>A version as the registry lists it. <see cref="Metrics"/> is null, and <see cref="CardError"/> says why, when its model card cannot be read.</summary>
public sealed record ModelVersionView(string Version, string Status, DateTimeOffset RegisteredAt, string PrimaryMetric, double PrimaryValue,
    IReadOnlyDictionary<string, double>? Metrics, string? CardError = null);

/// <summary>A model and a page of its versions, newest first; <see cref="NextBefore"/> is the <c>?before=</c> of the next page (null on the last).</summary>
public sealed record ModelView(string Name, string? Active, string? Serving, IReadOnlyList<ModelVersionView> Versions, string? NextBefore = null);

/// <summary>
/// The training job a train request got. <see cref="AlreadyQueued"/> is true when no new job was queued because this
/// one was already queued, running or waiting for a retry: the same training, or a train-all (<see cref="Job"/> says
/// which; its runs are listed under that name).
/// </summary>
public sealed record TrainingQueued(string Model, string JobId, string Job, bool AlreadyQueued);

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
        models.MapGet("/", ListModels).WithName("ListModels").WithSummary("Every model with its newest versions, status and metrics (?limit=20 versions per model, up to 200).");
        models.MapGet("/{name}", GetModel).WithName("GetModel").WithSummary("One model's versions, newest first (?limit=20 up to 200, ?before= the last version you have, for the next page).");
        models.MapGet("/{name}/{version}", GetCard).WithName("GetModelCard");
        models.MapPost("/{name}/train", Train).WithName("TrainModel").WithSummary("Queue training of one model (or 'all'), unless it, or a train-all, is already queued or running: then that job is answered (alreadyQueued).");
        models.MapPost("/{name}/{version}/activate", Activate).WithName("ActivateModel");
        models.MapPost("/{name}/rollback", Rollback).WithName("RollbackModel").WithSummary("Return to the previously active version.");

        app.MapGroup("/api/v1/jobs").WithTags("Jobs").RequireAuthorization(Policies.Steward)
            .MapGet("/runs", RunsAsync).WithName("ListJobRuns").WithSummary("Job runs and their outcome, newest first (?job=, ?limit=50 up to 500, ?before= the startedAt of the last run you have, for the next page).");
        return app;
    }

    // The schedules of the recurring jobs (JobScheduler.DefaultSchedules): a row the database still holds for a job this
    // version does not have is not listed, as it could not be changed.
    public static async Task<Ok<List<ScheduleView>>> ListSchedulesAsync(JobStore store, JobScheduler scheduler, CancellationToken ct) =>
        TypedResults.Ok((await store.SchedulesAsync(ct)).Where(s => JobScheduler.DefaultSchedules.ContainsKey(s.JobId)).Select(s => View(s, scheduler)).ToList());

    public static async Task<Results<Ok<ScheduleView>, ProblemHttpResult>> GetScheduleAsync(string job, JobStore store, JobScheduler scheduler, CancellationToken ct)
    {
        if (!JobScheduler.DefaultSchedules.ContainsKey(job)) return UnknownJob();
        var schedule = (await store.SchedulesAsync(ct)).FirstOrDefault(s => s.JobId == job);
        return schedule is null ? UnknownJob() : TypedResults.Ok(View(schedule, scheduler));
    }

    public static async Task<Results<Ok<ScheduleView>, ValidationProblem, ProblemHttpResult>> PutScheduleAsync(
        string job, ScheduleUpdate update, ClaimsPrincipal user, JobStore store, JobScheduler scheduler, Microsoft.Extensions.Options.IOptions<JobsOptions> jobs, HttpContext http, CancellationToken ct)
    {
        if (!JobScheduler.DefaultSchedules.ContainsKey(job)) return UnknownJob();
        // A tab or a line break is refused, not taken as a separator: a cron is stored, shown and audited as one line.
        if ((update.Cron ?? "").Any(char.IsControl))
            return CronProblem("has a control character (a tab or a line break): separate the fields with spaces, e.g. \"0 3 * * *\"");
        // Stored as the fields separated by single spaces, however many the steward typed.
        var fields = (update.Cron ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var cron = string.Join(' ', fields);
        if (cron.Length is 0 or > 100) return CronProblem("required, at most 100 characters, e.g. \"0 3 * * *\"");
        // Five fields: Hangfire would also take a sixth (seconds) field, which would queue a job every second, unless allowed.
        if (fields.Length != 5 && !(fields.Length == 6 && jobs.Value.AllowSecondsInCron))
            return CronProblem($"needs exactly five fields (minute hour day-of-month month day-of-week, UTC), not {fields.Length}, e.g. \"0 3 * * *\"");
        // Training takes minutes and holds a feature matrix: a single minute per hour at most, so runs cannot pile up.
        if (job == LearningJobs.TrainAllJob && !fields[..^4].All(f => int.TryParse(f, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var at) && at < 60))
            return CronProblem("train-all runs at most once an hour: its minute field must be a single minute 0–59, e.g. \"0 3 * * *\"");
        var previous = (await store.SchedulesAsync(ct)).FirstOrDefault(s => s.JobId == job)?.Cron;
        try
        {
            await scheduler.ChangeAsync(job, cron, () => store.SetScheduleAsync(job, cron, user.PrincipalId(), ct));
        }
        catch (ArgumentException)
        {
            return CronProblem("is not a valid cron expression that fires (minute hour day-of-month month day-of-week, UTC), e.g. \"0 3 * * *\" for 03:00 every day");
        }
        // The trail says what the schedule became (and was): a validated cron, which identifies no one.
        Audit.AuditDetails.Add(http, "cron", cron);
        Audit.AuditDetails.Add(http, "previousCron", previous);
        var schedule = (await store.SchedulesAsync(ct)).First(s => s.JobId == job);
        return TypedResults.Ok(View(schedule, scheduler));
    }

    public static Results<Ok<List<ModelView>>, ValidationProblem> ListModels(ModelRegistry registry, ModelServing serving, int? limit)
    {
        var (take, problem) = Errors.QueryValues.Take(limit, DefaultVersions, MaxVersions);
        if (problem is not null) return problem;
        return TypedResults.Ok(ModelNames.All.Select(name => ModelPage(registry, serving, name, take, null)).ToList());
    }

    public static Results<Ok<ModelView>, ValidationProblem, ProblemHttpResult> GetModel(string name, ModelRegistry registry, ModelServing serving, int? limit, string? before)
    {
        if (!ModelNames.All.Contains(name)) return TypedResults.Problem($"Known models: {string.Join(", ", ModelNames.All)}.", statusCode: 404, title: "Unknown model");
        var (take, problem) = Errors.QueryValues.Take(limit, DefaultVersions, MaxVersions);
        if (problem is not null) return problem;
        int? below = null;
        if (before is not null)
        {
            if (VersionNumber(before) is not { } number)
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["/before"] = ["a version as listed (v1, v2, …): the last one you have"] },
                    title: "Invalid model query; nothing was read.");
            below = number;
        }
        return TypedResults.Ok(ModelPage(registry, serving, name, take, below));
    }

    private const int DefaultVersions = 20;
    private const int MaxVersions = 200;

    // Versions are numbered v1, v2, … in the order they were registered.
    private static int? VersionNumber(string version) =>
        version.Length is > 1 and <= 10 && version[0] == 'v'
        && int.TryParse(version.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;

    // Only the cards of the versions on the page are read; a card that cannot be read is reported on its version, not as
    // a failure of the whole list (a version directory pruned by hand, a card written by another code version).
    private static ModelView ModelPage(ModelRegistry registry, ModelServing serving, string name, int take, int? below)
    {
        var table = registry.GetTable(name);
        var page = table.Versions.Reverse().Where(v => below is null || VersionNumber(v.Version) < below).Take(take + 1).ToList();
        var versions = page.Take(take).Select(v =>
        {
            var view = new ModelVersionView(v.Version, v.Status.ToString().ToLowerInvariant(), v.RegisteredAt, v.PrimaryMetric, v.PrimaryValue, null);
            try
            {
                return view with { Metrics = registry.ReadCard(name, v.Version).Metrics.Values };
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidDataException)
            {
                return view with { CardError = e is FileNotFoundException or DirectoryNotFoundException ? "model card missing" : "model card unreadable" };
            }
        }).ToList();
        return new ModelView(name, table.Active, ServingVersion(serving, name), versions, page.Count > take ? versions[^1].Version : null);
    }

    public static Results<Ok<ModelCard>, ProblemHttpResult> GetCard(string name, string version, ModelRegistry registry)
    {
        if (!ModelNames.All.Contains(name) || registry.GetTable(name).Versions.All(v => v.Version != version))
            return TypedResults.Problem("No such version of this model: GET /api/v1/models lists the versions.", statusCode: 404, title: "Model version not found");
        try
        {
            return TypedResults.Ok(registry.ReadCard(name, version));
        }
        // As the list reports it on the version's line: the version is registered, its card file is gone or damaged.
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return TypedResults.Problem("This version is registered but its model card file is gone; its registry line (GET /api/v1/models) still gives its primary metric.",
                statusCode: 404, title: "Model card missing");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidDataException)
        {
            return TypedResults.Problem("This version is registered but its model card file cannot be read; its registry line (GET /api/v1/models) still gives its primary metric.",
                statusCode: 500, title: "Model card unreadable");
        }
    }

    public static Results<Accepted<TrainingQueued>, ProblemHttpResult> Train(string name, TrainingRequests training)
    {
        if (name != TrainingRequests.All && !ModelNames.All.Contains(name))
            return TypedResults.Problem($"Known models: {string.Join(", ", ModelNames.All)} (or 'all').", statusCode: 404, title: "Unknown model");
        TrainingRequest request;
        try
        {
            request = training.Request(name);
        }
        catch (Hangfire.Storage.DistributedLockTimeoutException)
        {
            return TypedResults.Problem("Other training requests are being answered; nothing was queued. Try again shortly.",
                statusCode: 503, title: "Training requests busy");
        }
        // A request for a training already in flight is answered as the first one was (202, the job and its runs), not
        // refused: what the steward asked for will happen, once, and a script that retries needs no special case.
        return TypedResults.Accepted($"/api/v1/jobs/runs?job={request.Job}", new TrainingQueued(name, request.JobId, request.Job, request.AlreadyQueued));
    }

    public static Results<Ok<ActiveVersion>, ProblemHttpResult> Activate(string name, string version, ModelRegistry registry, ModelServing serving)
    {
        if (!ModelNames.All.Contains(name) || registry.GetTable(name).Versions.All(v => v.Version != version))
            return TypedResults.Problem("No such version of this model: GET /api/v1/models lists the versions.", statusCode: 404, title: "Model version not found");
        var (active, failure) = serving.Activate(name, version);
        if (failure is not null)
            return TypedResults.Problem($"The artefact of this version could not be loaded ({failure}); the active version is unchanged.",
                statusCode: 422, title: "Model version cannot be served");
        return TypedResults.Ok(new ActiveVersion(name, active!));
    }

    public static Results<Ok<ActiveVersion>, ProblemHttpResult> Rollback(string name, ModelServing serving)
    {
        if (!ModelNames.All.Contains(name)) return TypedResults.Problem($"Known models: {string.Join(", ", ModelNames.All)}.", statusCode: 404, title: "Unknown model");
        try
        {
            var (active, failure) = serving.Rollback(name);
            if (failure is not null)
                return TypedResults.Problem($"The artefact of the previously active version of model '{name}' could not be loaded ({failure}); the active version is unchanged.",
                    statusCode: 422, title: "Model version cannot be served");
            return TypedResults.Ok(new ActiveVersion(name, active!));
        }
        catch (InvalidOperationException e)
        {
            return TypedResults.Problem(e.Message, statusCode: 409, title: "Nothing to roll back to");
        }
    }

    public static async Task<Results<Ok<IReadOnlyList<JobRun>>, ValidationProblem>> RunsAsync(JobStore store, string? job, int? limit, string? before, CancellationToken ct)
    {
        // Start times are stored as round-trip UTC text (+00:00), so the cursor is compared as the same text: one written
        // with Z or another offset is the same instant, and is rewritten so before it is compared.
        // A time without Z or an offset is refused, not read in the server's zone.
        var (instant, invalid) = Errors.QueryValues.Instant(before, "before");
        if (invalid is not null) return invalid;
        if (instant is { } at) before = at.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture);
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

    private static ProblemHttpResult UnknownJob() =>
        TypedResults.Problem($"Known jobs: {string.Join(", ", JobScheduler.Jobs)}.", statusCode: 404, title: "Unknown job");

    private static ValidationProblem CronProblem(string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["/cron"] = [message] }, title: "The schedule is invalid; nothing was changed.");
}
