using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Analytics.Api.Jobs;
using Analytics.Data.Cases;
using Analytics.Data.Jobs;
using Hangfire;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Cases;

public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>
    /// Days a withdrawn case is kept before the <c>apply-retention</c> job erases it (its row, record and everything held
    /// of it); 0 keeps withdrawn cases. Kept a while so that a withdrawal made in error can be undone by submitting the
    /// case again, which restores it under the same id.
    /// </summary>
    [Range(0, 36_500)]
    public int WithdrawnDays { get; set; } = 90;
}

/// <summary>
/// The <c>apply-retention</c> job: erases cases withdrawn more than <see cref="RetentionOptions.WithdrawnDays"/> days ago, in
/// batches, each in its own transaction. Idempotent; its outcome is in <c>job_runs</c>.
/// </summary>
public sealed class RetentionJobs(CaseStore cases, JobStore jobs, IOptions<RetentionOptions> options, TimeProvider time, ILogger<RetentionJobs> logger)
{
    public const string RetentionJob = "apply-retention";

    public const int BatchSize = 500;

    public static readonly IReadOnlyDictionary<string, string> DefaultSchedules = new Dictionary<string, string>
    {
        [RetentionJob] = "40 2 * * *",
    };

    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    [AutomaticRetry(Attempts = 3)]
    public Task<string> ApplyRetentionAsync(CancellationToken ct) => RecordedRun.RunAsync(jobs, logger, RetentionJob, async _ =>
    {
        var days = options.Value.WithdrawnDays;
        if (days == 0) return "withdrawn cases are kept (Retention:WithdrawnDays 0)";
        var before = time.GetUtcNow().AddDays(-days);
        var erased = 0;
        int batch;
        do
        {
            batch = await cases.EraseWithdrawnAsync(before, BatchSize, ct);
            erased += batch;
        }
        while (batch > 0);
        return string.Create(CultureInfo.InvariantCulture,
            $"{erased} withdrawn cases erased (withdrawn before {before:yyyy-MM-dd HH:mm} UTC; Retention:WithdrawnDays {days})");
    });
}
