using Analytics.Api.Auth;
using Hangfire.Common;
using Hangfire.Server;

namespace Analytics.Api.Operations;

public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>
    /// Serve /metrics without a key, for a scraper on a private network. Off by default: then a steward key is required
    /// (Prometheus sends it with <c>authorization: { type: ApiKey, credentials: "ak_…" }</c>).
    /// </summary>
    public bool AllowAnonymous { get; set; }
}

/// <summary>Metrics in the Prometheus text format, request durations for every endpoint, job durations for every job run here.</summary>
public static class MetricsApi
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static IServiceCollection AddOperations(this IServiceCollection services)
    {
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section);
        services.AddSingleton<AnalyticsMetrics>();
        services.AddSingleton<PrometheusExposition>();
        services.AddSingleton<JobMetricsFilter>();
        return services;
    }

    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app, IConfiguration configuration)
    {
        // The listener must exist before the first request, or what happens before the first scrape is not counted.
        _ = app.ServiceProvider.GetRequiredService<PrometheusExposition>();
        var endpoint = app.MapGet("/metrics", (PrometheusExposition exposition) => TypedResults.Text(exposition.Scrape(), ContentType))
            .WithName("Metrics").WithTags("Operations").WithSummary("Prometheus metrics of this node: ingestion, request and job durations, active models, job states.");
        if (configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>()?.AllowAnonymous == true) endpoint.AllowAnonymous();
        else endpoint.RequireAuthorization(Policies.Steward);
        return app;
    }

    /// <summary>Times every request by its route template (never the raw path, which can carry ids).</summary>
    public static IApplicationBuilder UseRequestMetrics(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        // Taken before the exception handler, which clears it for a failed request.
        var endpoint = context.GetEndpoint();
        try
        {
            await next(context);
        }
        finally
        {
            var template = ((endpoint ?? context.GetEndpoint()) as RouteEndpoint)?.RoutePattern.RawText;
            var route = template is null ? "(unmatched)" : template.Length > 1 ? template.TrimEnd('/') : template;
            context.RequestServices.GetRequiredService<AnalyticsMetrics>()
                .RecordRequest(Startup.HeadRequests.MethodOf(context), route, context.Response.StatusCode, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    });
}

/// <summary>
/// Times each job this node's Hangfire server performs. Registered on the server only (not as a global filter),
/// so several hosts in one process keep separate figures.
/// </summary>
public sealed class JobMetricsFilter(AnalyticsMetrics metrics) : IServerFilter
{
    private const string StartedKey = "analytics:started";

    public void OnPerforming(PerformingContext context) => context.Items[StartedKey] = System.Diagnostics.Stopwatch.GetTimestamp();

    public void OnPerformed(PerformedContext context)
    {
        if (context.Items.TryGetValue(StartedKey, out var started) && started is long timestamp)
            metrics.RecordJob(JobName(context.BackgroundJob.Job), context.Exception is null || context.ExceptionHandled ? "succeeded" : "failed",
                System.Diagnostics.Stopwatch.GetElapsedTime(timestamp).TotalSeconds);
    }

    /// <summary>The job's name as job_runs records it; arguments appear only when they come from a closed set (model names).</summary>
    public static string JobName(Job job) => job.Method.Name switch
    {
        "TrainAllAsync" => Learning.LearningJobs.TrainAllJob,
        // Timed apart from the training it queues, which takes minutes where this takes milliseconds.
        "ScheduledTrainAllAsync" => "schedule-" + Learning.LearningJobs.TrainAllJob,
        "TrainAsync" when job.Args.FirstOrDefault() is string model && Learning.ModelNames.All.Contains(model) => $"train:{model}",
        "AssignPatternsAsync" => Learning.LearningJobs.AssignJob,
        "RefreshAggregatesAsync" => Learning.LearningJobs.AggregatesJob,
        "ComputeLinksAsync" => Links.LinkJobs.ComputeJob,
        _ => $"{job.Type.Name}.{job.Method.Name}",
    };
}
