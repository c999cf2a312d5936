using Analytics.Data.Jobs;
using Hangfire;

namespace Analytics.Api.Jobs;

/// <summary>
/// The frame of a job whose runs a steward reads in <c>job_runs</c>: the run is recorded as running, its work reports what
/// it is doing into the run's detail as it goes (<see cref="JobProgress"/>), and the outcome replaces that detail once
/// every progress write has landed; a failure is recorded with its exception's type and message, then rethrown for
/// Hangfire to retry.
/// </summary>
public static class RecordedRun
{
    public static async Task<string> RunAsync(JobStore jobs, ILogger logger, string jobId, Func<IProgress<string>, Task<string>> work)
    {
        var runId = await jobs.StartRunAsync(jobId, CancellationToken.None);
        var progress = new JobProgress(jobs, runId, logger);
        try
        {
            var detail = await work(progress);
            await progress.FlushAsync();
            await jobs.FinishRunAsync(runId, "succeeded", detail, CancellationToken.None);
            logger.LogInformation("Job {Job} succeeded: {Detail}", jobId, detail);
            return detail;
        }
        catch (Exception e)
        {
            // Messages of the jobs' own exceptions name counts, settings and key ids only; nothing here can hold an identifier.
            await progress.FlushAsync();
            await jobs.FinishRunAsync(runId, "failed", $"{e.GetType().Name}: {e.Message}", CancellationToken.None);
            logger.LogWarning("Job {Job} failed: {Error}", jobId, e.GetType().Name);
            throw;
        }
    }

    /// <summary>
    /// The same, holding a lock in the job storage (waiting up to <paramref name="wait"/> for it; a timeout fails the job,
    /// which is then retried), so the work never overlaps itself, on any node.
    /// </summary>
    public static async Task<string> RunLockedAsync(JobStorage storage, string lockName, TimeSpan wait, JobStore jobs, ILogger logger, string jobId,
        Func<IProgress<string>, Task<string>> work)
    {
        using var connection = storage.GetConnection();
        using var held = connection.AcquireDistributedLock(lockName, wait);
        return await RunAsync(jobs, logger, jobId, work);
    }
}
