using System.Net;
using System.Text.Json;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;
using Analytics.Data.Jobs;
using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Analytics.Api.Tests.Learning;

/// <summary>
/// Training on a queue of its own, and train requests for a training already in flight. The trainings are held by taking
/// the training lock in the job storage, as a nightly train-all on another worker or node would hold it.
/// </summary>
public sealed class TrainingQueueTests(ITestOutputHelper output)
{
    private const string TrainingLock = "analytics:training";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task LinkRecompute_Completes_WhileTrainingsHoldTheirWorkers()
    {
        using var factory = new AnalyticsFactory();
        var steward = await factory.ClientForAsync(Roles.Steward);
        var storage = factory.Services.GetRequiredService<JobStorage>();
        using (var connection = storage.GetConnection())
        using (connection.AcquireDistributedLock(TrainingLock, TimeSpan.FromSeconds(5)))
        {
            // A steward's training of one model and a train-all: each waits for the lock on a worker, or for a worker.
            var patterns = await QueueTrainingAsync(steward, "patterns");
            var all = await QueueTrainingAsync(steward, "all");
            await WaitUntilAsync(() => State(storage, patterns.JobId) == ProcessingState.StateName, "the training is running (waiting for the training lock)");

            var since = DateTimeOffset.UtcNow.ToString("O");
            var recompute = await steward.PostAsync("/api/v1/links/recompute", null);
            Assert.Equal(HttpStatusCode.Accepted, recompute.StatusCode);
            var recomputeJob = JsonDocument.Parse(await recompute.Content.ReadAsStringAsync()).RootElement.GetProperty("jobId").GetString()!;

            await WaitUntilAsync(() => State(storage, recomputeJob) == SucceededState.StateName, "the link recomputation ran while the trainings waited");
            var runs = await factory.Services.GetRequiredService<JobStore>().RunsAsync("compute-links", 10, CancellationToken.None);
            Assert.Contains(runs, r => r.Outcome == "succeeded" && string.CompareOrdinal(r.StartedAt, since) >= 0);
            Assert.Equal(ProcessingState.StateName, State(storage, patterns.JobId));
            Assert.Equal("training", QueueOf(storage, patterns.JobId));
            Assert.Equal("training", QueueOf(storage, all.JobId));
        }
    }

    [Fact]
    public async Task RecurringTrainAll_AndTheModelsItQueuesAgain_LandOnTheTrainingQueue()
    {
        using var factory = new AnalyticsFactory();
        _ = factory.Server;
        var storage = factory.Services.GetRequiredService<JobStorage>();
        var recurring = factory.Services.GetRequiredService<IRecurringJobManagerV2>();

        var jobId = await TriggerScheduledTrainAllAsync(storage, recurring);

        Assert.NotNull(jobId);
        Assert.Equal("training", QueueOf(storage, jobId!));
        // No cases: every model fails inside train-all and is queued again as a job of its own, on the training queue too.
        await WaitUntilAsync(() => State(storage, jobId!) is "Failed" or "Succeeded", "train-all finished");
        var detail = (await factory.Services.GetRequiredService<JobStore>().RunsAsync("train-all", 1, CancellationToken.None)).Single().Detail!;
        var requeued = System.Text.RegularExpressions.Regex.Matches(detail, @"queued again as job ([^;\s]+)").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(3, requeued.Count);
        Assert.All(requeued, id => Assert.Equal("training", QueueOf(storage, id)));
    }

    [Fact]
    public async Task RecurringTrainAll_SkipsAndRecordsWhy_WhileATrainAllIsQueuedOrRunning()
    {
        using var factory = new AnalyticsFactory();
        await RecurringTrainAllSkipsWhileOneIsInFlightAsync(factory);
    }

    [Fact]
    public async Task RecurringTrainAll_SkipsAndRecordsWhy_WhileATrainAllIsQueuedOrRunning_OnPostgresJobStorage()
    {
        if (!TestDatabases.PostgresOrSkip(output)) return;
        using var factory = new PostgresAnalyticsFactory();
        await RecurringTrainAllSkipsWhileOneIsInFlightAsync(factory);
    }

    // The scheduled train-all asks for its training as a steward's request does, under the same lock in the job storage.
    private static async Task RecurringTrainAllSkipsWhileOneIsInFlightAsync(AnalyticsFactory factory)
    {
        var steward = await factory.ClientForAsync(Roles.Steward);
        var storage = factory.Services.GetRequiredService<JobStorage>();
        var recurring = factory.Services.GetRequiredService<IRecurringJobManagerV2>();
        var runs = factory.Services.GetRequiredService<JobStore>();
        using (var connection = storage.GetConnection())
        using (connection.AcquireDistributedLock(TrainingLock, TimeSpan.FromSeconds(5)))
        {
            // A training of one model in flight does not hold the scheduled train-all back, as it does not hold back a steward's.
            var patterns = await QueueTrainingAsync(steward, "patterns");
            var queued = await TriggerScheduledTrainAllAsync(storage, recurring);
            Assert.NotNull(queued);
            Assert.NotEqual(patterns.JobId, queued);
            await WaitUntilAsync(() => State(storage, queued) == ProcessingState.StateName || State(storage, patterns.JobId) == ProcessingState.StateName,
                "a training is running (waiting for the training lock)");

            // While it is queued or running, the next occurrence queues nothing and says why; a steward's request gets the same job.
            Assert.Null(await TriggerScheduledTrainAllAsync(storage, recurring));
            var asked = await QueueTrainingAsync(steward, "all");

            Assert.Equal((queued, true), (asked.JobId, asked.AlreadyQueued));
            Assert.Equal(new[] { patterns.JobId, queued }.Order(), TrainingJobs(storage).Order());
            var skipped = Assert.Single(await runs.RunsAsync("train-all", 10, CancellationToken.None), r => r.Outcome == "skipped");
            Assert.Contains($"train-all job {queued} was already queued or running", skipped.Detail, StringComparison.Ordinal);
            Assert.NotNull(skipped.FinishedAt);
        }
    }

    [Fact]
    public async Task TrainRequest_AnswersTheJobInFlight_ForTheSameTrainingOrAnyModelUnderTrainAll()
    {
        using var factory = new AnalyticsFactory();
        var steward = await factory.ClientForAsync(Roles.Steward);
        var storage = factory.Services.GetRequiredService<JobStorage>();
        using (var connection = storage.GetConnection())
        using (connection.AcquireDistributedLock(TrainingLock, TimeSpan.FromSeconds(5)))
        {
            var first = await QueueTrainingAsync(steward, "patterns");
            Assert.False(first.AlreadyQueued);

            // Queued (or already waiting on its worker for the lock): two more requests at once get the same job.
            var again = await Task.WhenAll(QueueTrainingAsync(steward, "patterns"), QueueTrainingAsync(steward, "patterns"));
            Assert.All(again, a => Assert.Equal((first.JobId, true, first.Location), (a.JobId, a.AlreadyQueued, a.Location)));
            await WaitUntilAsync(() => State(storage, first.JobId) == ProcessingState.StateName, "the first training is running (waiting for the training lock)");
            var running = await QueueTrainingAsync(steward, "patterns");
            Assert.Equal((first.JobId, true), (running.JobId, running.AlreadyQueued));

            // A training of one model does not hold back a train-all; a train-all in flight covers every model.
            var all = await QueueTrainingAsync(steward, "all");
            Assert.False(all.AlreadyQueued);
            Assert.NotEqual(first.JobId, all.JobId);
            var covered = await QueueTrainingAsync(steward, "child-victim");
            Assert.Equal((all.JobId, true, "train-all", all.Location), (covered.JobId, covered.AlreadyQueued, covered.Job, covered.Location));
            var allAgain = await QueueTrainingAsync(steward, "all");
            Assert.Equal((all.JobId, true), (allAgain.JobId, allAgain.AlreadyQueued));

            Assert.Equal(new[] { first.JobId, all.JobId }.Order(), TrainingJobs(storage).Order());
        }
    }

    [Fact]
    public async Task TrainRequest_QueuesANewRun_AfterThePreviousRunFinished()
    {
        using var factory = new AnalyticsFactory();
        await factory.SeedGeneratedAsync(200);
        var steward = await factory.ClientForAsync(Roles.Steward);
        var storage = factory.Services.GetRequiredService<JobStorage>();

        var first = await QueueTrainingAsync(steward, "child-victim");
        await WaitUntilAsync(() => State(storage, first.JobId) == SucceededState.StateName, "the first training succeeded");
        var second = await QueueTrainingAsync(steward, "child-victim");
        await WaitUntilAsync(() => State(storage, second.JobId) == SucceededState.StateName, "the second training succeeded");

        Assert.False(second.AlreadyQueued);
        Assert.NotEqual(first.JobId, second.JobId);
        var runs = await factory.Services.GetRequiredService<JobStore>().RunsAsync("train:child-victim", 10, CancellationToken.None);
        Assert.Equal(["succeeded", "succeeded"], runs.Select(r => r.Outcome));
    }

    [Fact]
    public async Task TrainRequest_QueuesTheRetryNow_InsteadOfASecondJob_WhileTheTrainingWaitsForARetry()
    {
        using var factory = new AnalyticsFactory();
        var steward = await factory.ClientForAsync(Roles.Steward);
        var storage = factory.Services.GetRequiredService<JobStorage>();
        var monitoring = storage.GetMonitoringApi();

        // No cases: the training fails and waits for its retry (15 s or more away).
        var first = await QueueTrainingAsync(steward, "child-victim");
        await WaitUntilAsync(() => State(storage, first.JobId) == ScheduledState.StateName, "the training failed and waits for a retry");
        // Hangfire writes the time as milliseconds since the Unix epoch.
        var retryAt = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(
            monitoring.JobDetails(first.JobId).History.First(h => h.StateName == ScheduledState.StateName).Data["EnqueueAt"], System.Globalization.CultureInfo.InvariantCulture)).UtcDateTime;

        var again = await QueueTrainingAsync(steward, "child-victim");

        Assert.Equal((first.JobId, true), (again.JobId, again.AlreadyQueued));
        await WaitUntilAsync(() => monitoring.JobDetails(first.JobId).History.Count(h => h.StateName == ProcessingState.StateName) >= 2, "the retry ran");
        var retried = monitoring.JobDetails(first.JobId).History.Where(h => h.StateName == ProcessingState.StateName).Max(h => h.CreatedAt);
        Assert.True(retried < retryAt, $"the retry ran at once ({retried:O}), not at its time ({retryAt:O})");
        Assert.Single(TrainingJobs(storage).Append(first.JobId).Distinct());
    }

    private sealed record Queued(string JobId, bool AlreadyQueued, string? Job, string? Location);

    // Runs the recurring train-all now and waits for it: the id of the train-all it queued, or null when it queued none.
    private static async Task<string?> TriggerScheduledTrainAllAsync(JobStorage storage, IRecurringJobManagerV2 recurring)
    {
        var scheduled = recurring.TriggerJob("train-all");
        Assert.NotNull(scheduled);
        await WaitUntilAsync(() => State(storage, scheduled) == SucceededState.StateName, "the recurring train-all ran");
        // Its result, as the job dashboard shows it: "queued train-all as job <id>", or why it queued none.
        var result = storage.GetMonitoringApi().JobDetails(scheduled).History.First(h => h.StateName == SucceededState.StateName).Data["Result"];
        var queued = System.Text.RegularExpressions.Regex.Match(result, @"^""queued train-all as job ([^""]+)""$");
        return queued.Success ? queued.Groups[1].Value : null;
    }

    private static async Task<Queued> QueueTrainingAsync(HttpClient steward, string model)
    {
        var response = await steward.PostAsync($"/api/v1/models/{model}/train", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return new Queued(body.GetProperty("jobId").GetString()!,
            body.TryGetProperty("alreadyQueued", out var already) && already.GetBoolean(),
            body.TryGetProperty("job", out var job) ? job.GetString() : null,
            response.Headers.Location?.ToString());
    }

    private static string? State(JobStorage storage, string jobId)
    {
        using var connection = storage.GetConnection();
        return connection.GetStateData(jobId)?.Name;
    }

    private static string? QueueOf(JobStorage storage, string jobId) =>
        storage.GetMonitoringApi().JobDetails(jobId).History.Where(h => h.StateName == EnqueuedState.StateName)
            .Select(h => h.Data.TryGetValue("Queue", out var queue) ? queue : null).FirstOrDefault();

    // Training jobs queued or running anywhere, by id.
    private static List<string> TrainingJobs(JobStorage storage)
    {
        var monitoring = storage.GetMonitoringApi();
        return monitoring.ProcessingJobs(0, 100).Select(j => (j.Key, j.Value.Job))
            .Concat(monitoring.Queues().SelectMany(q => monitoring.EnqueuedJobs(q.Name, 0, 100)).Select(j => (j.Key, j.Value.Job)))
            .Where(j => j.Job.Method.Name is "TrainAsync" or "TrainAllAsync")
            .Select(j => j.Key).Distinct().ToList();
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Not within {Patience.TotalSeconds} s: {what}.");
            await Task.Delay(100);
        }
    }
}
