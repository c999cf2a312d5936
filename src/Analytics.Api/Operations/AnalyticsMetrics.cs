using System.Diagnostics.Metrics;
using Analytics.Api.Learning;
using Hangfire;

namespace Analytics.Api.Operations;

/// <summary>
/// The platform's own instruments (System.Diagnostics.Metrics), exposed at /metrics by <see cref="PrometheusExposition"/>.
/// The meter comes from the host's <see cref="IMeterFactory"/>, so each host (and each test server) counts only its own.
/// Labels are closed sets only (outcomes, route templates, job names, model names and versions): never an identifier,
/// a case id, an authority or a jurisdiction.
/// </summary>
public sealed class AnalyticsMetrics
{
    public const string MeterName = "Analytics";
    public const string JobDurationName = "analytics_job_duration_seconds";

    /// <summary>Seconds: request bounds from 5 ms to 60 s, job bounds from 0.1 s to one hour.</summary>
    public static readonly double[] RequestBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
    public static readonly double[] JobBuckets = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600];

    private readonly Counter<long> _casesIngested;
    private readonly Histogram<double> _requestDuration;
    private readonly Histogram<double> _jobDuration;

    public AnalyticsMetrics(IMeterFactory meters, ModelServing serving, JobStorage jobs)
    {
        Meter = meters.Create(MeterName);
        _casesIngested = Meter.CreateCounter<long>("analytics_cases_ingested_total",
            description: "Case records taken in through the API, by outcome (created, updated, unchanged, rejected) and mode (single, batch).");
        _requestDuration = Meter.CreateHistogram<double>("analytics_http_request_duration_seconds", unit: "s",
            description: "HTTP request duration by method, route template and status code.");
        _jobDuration = Meter.CreateHistogram<double>(JobDurationName, unit: "s",
            description: "Background job duration on this node, by job and outcome.");
        Meter.CreateObservableGauge("analytics_model_active", () => ActiveModels(serving),
            description: "1 for each model version this node serves, labelled by model and version.");
        Meter.CreateObservableGauge("analytics_jobs", () => JobStates(jobs),
            description: "Jobs in the shared Hangfire storage by state (enqueued, scheduled, processing, failed); the same on every node.");
    }

    public Meter Meter { get; }

    public void CountIngested(string outcome, string mode, long count = 1)
    {
        if (count > 0) _casesIngested.Add(count, new("outcome", outcome), new("mode", mode));
    }

    public void RecordRequest(string method, string route, int status, double seconds) =>
        _requestDuration.Record(seconds, new("method", method), new("route", route), new("status", status.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    public void RecordJob(string job, string outcome, double seconds) =>
        _jobDuration.Record(seconds, new("job", job), new("outcome", outcome));

    private static IEnumerable<Measurement<long>> ActiveModels(ModelServing serving)
    {
        foreach (var (model, version) in new[]
        {
            (ModelNames.Patterns, serving.Patterns.Current?.Version),
            (ModelNames.ExploitationType, serving.ExploitationType.Current?.Version),
            (ModelNames.ChildVictim, serving.ChildVictim.Current?.Version),
        })
        {
            if (version is not null) yield return new Measurement<long>(1, new("model", model), new("version", version));
        }
    }

    private static IEnumerable<Measurement<long>> JobStates(JobStorage storage)
    {
        Hangfire.Storage.Monitoring.StatisticsDto stats;
        try
        {
            stats = storage.GetMonitoringApi().GetStatistics();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Storage unreachable: readiness reports it; the scrape still answers with what this node knows.
            return [];
        }
        return
        [
            new(stats.Enqueued, new KeyValuePair<string, object?>("state", "enqueued")),
            new(stats.Scheduled, new KeyValuePair<string, object?>("state", "scheduled")),
            new(stats.Processing, new KeyValuePair<string, object?>("state", "processing")),
            new(stats.Failed, new KeyValuePair<string, object?>("state", "failed")),
        ];
    }
}
