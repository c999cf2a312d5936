using Analytics.Api.Jobs;
using Analytics.Data.Insights;
using Analytics.Data.Jobs;
using Analytics.Data.Patterns;
using Analytics.Learning.Classification;
using Analytics.Learning.Patterns;
using Analytics.Learning.Registry;
using Hangfire;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Learning;

/// <summary>
/// Background jobs of the learning room. Plain methods with ids as arguments; each is safe to run twice, retried on
/// failure, and records its outcome in job_runs. Overlap is guarded by locks in the job storage (so across nodes too)
/// around the work itself, not around the job methods: train-all takes the same locks as the jobs it runs, so a
/// steward's training during the nightly one waits for it instead of training the same model at the same time.
/// </summary>
public sealed class LearningJobs(
    PatternStore patterns,
    InsightStore insights,
    CellKeys cellKeys,
    JobStore jobs,
    ModelRegistry registry,
    ModelServing serving,
    JobStorage storage,
    IBackgroundJobClient background,
    TrainingRequests training,
    IOptions<LearningOptions> options,
    ILogger<LearningJobs> logger)
{
    public const string TrainAllJob = "train-all";
    public const string AssignJob = "assign-patterns";
    public const string AggregatesJob = "refresh-aggregates";

    /// <summary>
    /// The Hangfire queue of the training jobs, served by workers of its own (Jobs:TrainingWorkerCount), so a training
    /// never holds up the light jobs on the default queue. Lower case letters only: a valid queue name on every storage.
    /// </summary>
    public const string TrainingQueue = "training";

    /// <summary>Recurring jobs and their default schedules (a steward's edits in job_schedules win).</summary>
    public static readonly IReadOnlyDictionary<string, string> DefaultSchedules = new Dictionary<string, string>
    {
        [TrainAllJob] = "0 3 * * *",
        [AssignJob] = "*/5 * * * *",
        [AggregatesJob] = "*/15 * * * *",
    };

    // One training at a time anywhere (each holds a feature matrix in memory); assignment and refresh each one at a time.
    private const string TrainingLock = "analytics:training";
    private const string AssignLock = "analytics:assign-patterns";
    private const string AggregatesLock = "analytics:refresh-aggregates";
    private static readonly TimeSpan TrainingWait = TimeSpan.FromHours(1);
    private static readonly TimeSpan RefreshWait = TimeSpan.FromMinutes(10);

    /// <summary>
    /// What the recurring train-all runs (a light job on the default queue): it queues a train-all through
    /// <see cref="TrainingRequests"/>, under the same lock in the job storage as a steward's train request, so across nodes
    /// too, unless a train-all is already queued, running or waiting. Then nothing is queued, and a run of train-all is
    /// recorded as skipped, naming the job in flight: a second one would only wait for the first to finish and train the
    /// same models again on the same cases. A training of one model in flight does not hold it back, as it does not hold
    /// back a steward's train-all (the training lock keeps the two from training that model at the same time).
    /// </summary>
    /// <returns>What was done, which the job dashboard shows as the job's result.</returns>
    [AutomaticRetry(Attempts = 3)]
    public async Task<string> ScheduledTrainAllAsync(CancellationToken ct)
    {
        var request = training.Request(TrainingRequests.All);
        if (!request.AlreadyQueued)
        {
            logger.LogInformation("Scheduled {Job} queued as job {JobId}", TrainAllJob, request.JobId);
            return $"queued {TrainAllJob} as job {request.JobId}";
        }
        var detail = $"skipped: {TrainAllJob} job {request.JobId} was already queued or running; nothing new was queued";
        var runId = await jobs.StartRunAsync(TrainAllJob, CancellationToken.None);
        await jobs.FinishRunAsync(runId, "skipped", detail, CancellationToken.None);
        logger.LogInformation("Scheduled {Job} skipped: job {JobId} is already queued or running", TrainAllJob, request.JobId);
        return detail;
    }

    /// <summary>
    /// Trains every model, then assigns patterns and refreshes the aggregates. A model whose training fails does not stop
    /// the others and is not trained again with them: it is queued as a job of its own (which has its own retries), and the
    /// run's outcome says so. Not retried as a whole, so a retry never retrains and re-promotes the models that succeeded.
    /// </summary>
    [Queue(TrainingQueue)]
    [DisableConcurrentExecution(timeoutInSeconds: 3600)]
    [AutomaticRetry(Attempts = 0)]
    public Task TrainAllAsync(CancellationToken ct) => RecordAsync(TrainAllJob, async progress =>
    {
        var outcomes = new List<string>();
        var failed = 0;
        foreach (var name in ModelNames.All)
        {
            progress.Report($"training {name}");
            try
            {
                await TrainAsync(name, ct);
                outcomes.Add($"{name} trained");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed++;
                var retry = background.Enqueue<LearningJobs>(j => j.TrainAsync(name, CancellationToken.None));
                outcomes.Add($"{name} failed ({e.GetType().Name}, see the runs of train:{name}) and was queued again as job {retry}");
            }
        }
        progress.Report("assigning patterns");
        await AssignPatternsAsync(ct);
        progress.Report("refreshing aggregates");
        await RefreshAggregatesAsync(ct);
        var summary = string.Join("; ", outcomes) + "; patterns assigned and aggregates refreshed";
        // Recorded as failed, so a steward sees it, but not retried: the failed models are already queued on their own.
        return failed == 0 ? summary : throw new InvalidOperationException(summary);
    });

    /// <summary>Trains one model on every active case and registers it; the promotion policy decides whether it goes live.</summary>
    [Queue(TrainingQueue)]
    [AutomaticRetry(Attempts = 2)]
    public Task TrainAsync(string model, CancellationToken ct) => RecordAsync($"train:{model}", TrainingLock, TrainingWait, async progress =>
    {
        if (!ModelNames.All.Contains(model)) throw new ArgumentException($"Unknown model '{model}'. Known: {string.Join(", ", ModelNames.All)}.");
        var o = options.Value;
        progress.Report("reading the active cases");
        // Streamed from the database into a compact form (a few integers per case): the memory of training is the feature
        // matrix's, not that of a profile object graph and its stored JSON per case.
        var profiles = await patterns.ActiveCompactProfilesAsync(ct);
        if (profiles.Count < o.MinimumCases)
            throw new InvalidOperationException($"Training {model} needs at least {o.MinimumCases} active cases; {profiles.Count} are stored.");
        var snapshot = DataSnapshot.FromProfiles(profiles);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        RegistrationResult result;
        if (model == ModelNames.Patterns)
        {
            var discovered = PatternDiscovery.Discover(profiles, new PatternDiscoveryOptions { Seed = o.Seed, SuppressionThreshold = o.DisclosureThreshold }, progress);
            var m = discovered.Model;
            progress.Report("registering the new version");
            result = registry.Register(model, new ModelCardDraft(snapshot, m.Schema, m.Parameters, new ModelMetrics("silhouette", m.Metrics), DateTimeOffset.UtcNow),
                m.Save, o.PromotionTolerance);
        }
        else
        {
            var classifier = model == ModelNames.ExploitationType
                ? ClassifierTraining.TrainExploitationType(profiles, new ClassifierOptions { Seed = o.Seed }, progress)
                : ClassifierTraining.TrainChildVictim(profiles, new ClassifierOptions { Seed = o.Seed }, progress);
            progress.Report("registering the new version");
            result = registry.Register(model, new ModelCardDraft(snapshot, classifier.Schema, classifier.Parameters,
                new ModelMetrics("macroF1", classifier.Metrics.ToDictionary()), DateTimeOffset.UtcNow), classifier.Save, o.PromotionTolerance);
        }
        serving.Refresh();
        return $"version {result.Version} on {profiles.Count} cases in {watch.Elapsed.TotalSeconds:F1} s: {(result.Decision.Promote ? "promoted" : "candidate")} ({result.Decision.Reason})";
    });

    /// <summary>
    /// Assigns active cases that have no pattern under the active pattern model, in batches. A pass pages through the cases
    /// in id order; passes repeat until one finds nothing, which picks up the cases a pass left behind (corrected between
    /// their read and their save, or stored behind its position meanwhile).
    /// </summary>
    [AutomaticRetry(Attempts = 3)]
    public Task AssignPatternsAsync(CancellationToken ct) => RecordAsync(AssignJob, AssignLock, RefreshWait, async progress =>
    {
        serving.Refresh();
        var current = serving.Patterns.Current;
        if (current is null) return "no active pattern model yet";
        var total = 0;
        var vector = new float[current.Model.Schema.Count];
        var after = "";
        var passRead = 0;
        while (true)
        {
            // Each case's pattern is worked out as it is read; only the assignments are kept until the batch is saved.
            var assignments = new List<PatternAssignment>(options.Value.AssignmentBatchSize);
            await foreach (var r in patterns.StreamUnassignedAsync(current.Version, after, options.Value.AssignmentBatchSize, ct))
            {
                var (pattern, distance) = current.Model.NearestPattern(r.Profile, vector);
                assignments.Add(new PatternAssignment(r.CaseId, pattern, distance, r.RecordHash));
            }
            if (assignments.Count == 0)
            {
                if (passRead == 0) break;
                (after, passRead) = ("", 0);
                continue;
            }
            await patterns.SaveAssignmentsAsync(current.Version, assignments, ct);
            after = assignments[^1].CaseId;
            passRead += assignments.Count;
            total += assignments.Count;
            progress.Report(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{total:N0} cases assigned so far under patterns version {current.Version}"));
        }
        return $"{total} cases assigned under patterns version {current.Version}";
    });

    /// <summary>
    /// Rewrites the insight aggregates and, under the active pattern model, the pattern aggregates, from one pass over the
    /// active cases: each case is read, counted and dropped, so the job holds the counts and nothing per case.
    /// </summary>
    [AutomaticRetry(Attempts = 3)]
    public Task RefreshAggregatesAsync(CancellationToken ct) => RecordAsync(AggregatesJob, AggregatesLock, RefreshWait, async progress =>
    {
        var current = serving.Patterns.Current;
        progress.Report("reading the active cases");
        var insightCounts = new InsightAggregates();
        var patternCounts = new PatternAggregates();
        var cases = 0;
        // Each case's record key, from which every perturbed count's noise follows (CellKeyPerturbation).
        using (var keys = cellKeys.Keyer())
        {
            await foreach (var c in patterns.StreamForAggregatesAsync(current?.Version, ct))
            {
                var key = keys.Of(c.CaseId);
                insightCounts.Add(c.Profile, key);
                patternCounts.Add(c, key);
                cases++;
            }
        }
        progress.Report(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"writing the aggregates of {cases:N0} cases"));
        var (summary, routes) = await insights.ReplaceAsync(insightCounts, ct);
        var (monthly, cells) = current is null ? (0, 0) : await patterns.ReplaceAggregatesAsync(current.Version, patternCounts, ct);
        return $"{cases} cases: {summary} summary cells, {routes} route cells, {monthly} pattern-month cells, {cells} pattern filter cells" +
            (current is null ? " (no active pattern model yet)" : $" for patterns version {current.Version}");
    });

    // Each job holds its lock in the job storage, so it never overlaps itself, whether it runs alone or inside train-all.
    private Task RecordAsync(string jobId, string lockName, TimeSpan wait, Func<IProgress<string>, Task<string>> work) =>
        RecordedRun.RunLockedAsync(storage, lockName, wait, jobs, logger, jobId, work);

    private Task RecordAsync(string jobId, Func<IProgress<string>, Task<string>> work) => RecordedRun.RunAsync(jobs, logger, jobId, work);
}
