using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;

namespace Analytics.Api.Learning;

/// <summary>The job a train request got: <see cref="Job"/> is its name in job_runs, and <see cref="AlreadyQueued"/> says it was there before the request.</summary>
public sealed record TrainingRequest(string JobId, string Job, bool AlreadyQueued);

/// <summary>
/// Queues a training on the training queue unless the same training is already queued, running or waiting for a retry,
/// or a train-all is, which covers any one model: the request is then answered with that job, and a job waiting for a
/// retry is queued again now (a steward asking for training wants it now, and only once). A training of one model in
/// flight does not hold back a train-all: the training lock keeps the two from training that model at the same time.
/// The recurring train-all asks here too (<see cref="LearningJobs.ScheduledTrainAllAsync"/>).
/// </summary>
public sealed class TrainingRequests(JobStorage storage, IBackgroundJobClient client)
{
    public const string All = "all";

    // The look-up and the enqueue run under one lock in the job storage, so two requests at once, on one node or on two
    // sharing the storage, queue one job between them.
    private const string RequestLock = "analytics:training-requests";
    private static readonly TimeSpan RequestWait = TimeSpan.FromSeconds(30);

    // The last job each kind of request queued (field: its job_runs name). Its state is read from the job itself, which
    // stays Enqueued until a worker has it Processing: the queue listings miss a job a worker has just taken.
    private const string RequestedKey = "analytics:training-requested";

    // Far more than can be queued or running at once: a few trainings, the light jobs and their retries.
    private const int Listed = 500;

    /// <summary>
    /// The job that trains <paramref name="model"/> (a name of <see cref="ModelNames.All"/>, or <see cref="All"/>): the one
    /// already in flight, or a new one. Throws <see cref="DistributedLockTimeoutException"/> when another request holds the
    /// lock for too long.
    /// </summary>
    public TrainingRequest Request(string model)
    {
        var job = JobName(model);
        using var connection = storage.GetConnection();
        using var held = connection.AcquireDistributedLock(RequestLock, RequestWait);
        var inFlight = InFlight(connection);
        var existing = inFlight.FirstOrDefault(j => j.Job == job) ?? inFlight.FirstOrDefault(j => j.Job == LearningJobs.TrainAllJob);
        if (existing is not null)
        {
            // Only from Scheduled: had it been queued or taken by a worker meanwhile, it is in flight as it is.
            if (existing.State == ScheduledState.StateName)
                client.ChangeState(existing.Id, new EnqueuedState(), ScheduledState.StateName);
            return new TrainingRequest(existing.Id, existing.Job, AlreadyQueued: true);
        }
        var id = model == All
            ? client.Enqueue<LearningJobs>(j => j.TrainAllAsync(CancellationToken.None))
            : client.Enqueue<LearningJobs>(j => j.TrainAsync(model, CancellationToken.None));
        using var transaction = connection.CreateWriteTransaction();
        transaction.SetRangeInHash(RequestedKey, [new(job, id)]);
        transaction.Commit();
        return new TrainingRequest(id, job, AlreadyQueued: false);
    }

    /// <summary>The job_runs name of a training: train-all, or train:&lt;model&gt;.</summary>
    public static string JobName(string model) => model == All ? LearningJobs.TrainAllJob : "train:" + model;

    private static readonly HashSet<string> Waiting = [EnqueuedState.StateName, ProcessingState.StateName, ScheduledState.StateName];

    private sealed record InFlightJob(string Id, string Job, string State);

    // Trainings queued by a request (a steward's or the recurring train-all's), and those queued otherwise (a model
    // train-all queued again after it failed, a retry, a job another node queued), as the job storage lists them.
    private List<InFlightJob> InFlight(IStorageConnection connection)
    {
        var found = new Dictionary<string, InFlightJob>(StringComparer.Ordinal);
        void Add(string id, string? job, string? state)
        {
            if (job is not null && state is not null && Waiting.Contains(state))
                found.TryAdd(id, new InFlightJob(id, job, state));
        }

        foreach (var (job, id) in connection.GetAllEntriesFromHash(RequestedKey) ?? [])
            Add(id, job, connection.GetStateData(id)?.Name);
        var monitoring = storage.GetMonitoringApi();
        foreach (var (id, queued) in monitoring.EnqueuedJobs(LearningJobs.TrainingQueue, 0, Listed))
            Add(id, Training(queued.Job), queued.State);
        foreach (var (id, fetched) in monitoring.FetchedJobs(LearningJobs.TrainingQueue, 0, Listed))
            Add(id, Training(fetched.Job), fetched.State);
        foreach (var (id, processing) in monitoring.ProcessingJobs(0, Listed))
            Add(id, Training(processing.Job), processing.InProcessingState ? ProcessingState.StateName : null);
        foreach (var (id, scheduled) in monitoring.ScheduledJobs(0, Listed))
            Add(id, Training(scheduled.Job), scheduled.InScheduledState ? ScheduledState.StateName : null);
        return found.Values.ToList();
    }

    private static string? Training(Job? job) => job?.Type != typeof(LearningJobs) ? null : job.Method.Name switch
    {
        nameof(LearningJobs.TrainAllAsync) => LearningJobs.TrainAllJob,
        nameof(LearningJobs.TrainAsync) when job.Args is [string model, ..] => JobName(model),
        _ => null,
    };
}
