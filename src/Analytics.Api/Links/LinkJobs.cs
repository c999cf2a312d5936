using System.ComponentModel.DataAnnotations;
using Analytics.Data.Jobs;
using Analytics.Data.Links;
using Hangfire;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Links;

public sealed class LinkOptions
{
    public const string Section = "Links";

    /// <summary>Groups written per statement batch while the link tables are replaced.</summary>
    [Range(100, 100_000)]
    public int WriteBatchSize { get; set; } = 5_000;

    /// <summary>
    /// Largest share of wall time the link computation may take on a node (0.05–1). A scheduled run that comes too
    /// soon after an expensive one is skipped and recorded as throttled; 1 turns throttling off.
    /// </summary>
    [Range(0.05, 1.0)]
    public double MaxBusyShare { get; set; } = 0.25;
}

/// <summary>
/// Recomputes cross-border link groups from the stored tokens and rewrites the groups that changed in one transaction.
/// It is idempotent, so a retry or a second run changes nothing; alerts are raised once per new counterpart.
/// </summary>
public sealed class LinkJobs(LinkStore links, JobStore jobs, IOptions<LinkOptions> options, ILogger<LinkJobs> logger)
{
    public const string ComputeJob = "compute-links";

    /// <summary>The recurring job and its default schedule (a steward's edit in job_schedules wins).</summary>
    public static readonly IReadOnlyDictionary<string, string> DefaultSchedules = new Dictionary<string, string>
    {
        // Links are cheap to recompute and prosecutors wait for hits after a batch: every minute.
        [ComputeJob] = "* * * * *",
    };

    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    [AutomaticRetry(Attempts = 3)]
    /// <param name="scheduled">A recurring run, which <see cref="LinkOptions.MaxBusyShare"/> may throttle; a run a steward asked for never is.</param>
    public async Task<LinkRecomputeResult> ComputeLinksAsync(CancellationToken ct, bool scheduled = false)
    {
        var runId = await jobs.StartRunAsync(ComputeJob, CancellationToken.None);
        try
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var result = await links.RecomputeAsync(options.Value.WriteBatchSize, ct, scheduled ? options.Value.MaxBusyShare : 1.0);
            var detail = result.Deferred
                ? $"deferred: stored cases are being moved to a new pseudonymisation key (rekey-tokens); {result.Groups} link groups stand until every case is moved"
                : result.Throttled
                ? $"throttled: the last computation took long for its interval (Links:MaxBusyShare {options.Value.MaxBusyShare}); {result.Groups} link groups stand until the next run"
                : result.Skipped
                ? $"no case stored, corrected or withdrawn since the last computation: {result.Groups} link groups stand"
                : $"{result.Groups} link groups over {result.LinkedCases} cases ({result.CrossBorderGroups} cross-border), {result.Rewritten} new or changed, {result.NewAlerts} new alerts, {result.LostHits} hits lost by their own authority's change in {watch.Elapsed.TotalSeconds:F1} s";
            await jobs.FinishRunAsync(runId, "succeeded", detail, CancellationToken.None);
            logger.LogInformation("Job {Job} succeeded: {Detail}", ComputeJob, detail);
            return result;
        }
        catch (Exception e)
        {
            await jobs.FinishRunAsync(runId, "failed", $"{e.GetType().Name}: {e.Message}", CancellationToken.None);
            logger.LogWarning("Job {Job} failed: {Error}", ComputeJob, e.GetType().Name);
            throw;
        }
    }
}

public static class LinksSetup
{
    public static IServiceCollection AddLinks(this IServiceCollection services)
    {
        services.AddOptions<LinkOptions>().BindConfiguration(LinkOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LinkProbingOptions>().BindConfiguration(LinkProbingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddTransient<LinkJobs>();
        return services;
    }
}
