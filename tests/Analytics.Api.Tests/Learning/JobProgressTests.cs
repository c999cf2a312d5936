using System.Net.Http.Json;
using Analytics.Api.Jobs;
using Analytics.Api.Learning;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;
using Analytics.Data.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Api.Tests.Learning;

/// <summary>A running job's detail tells a steward what it is doing; its outcome replaces it when it ends.</summary>
public sealed class JobProgressTests : IClassFixture<AnalyticsFactory>
{
    private readonly AnalyticsFactory _factory;

    public JobProgressTests(AnalyticsFactory factory) => _factory = factory;

    private sealed record RunView(string Id, string JobId, string Outcome, string? Detail, string? FinishedAt);

    [Fact]
    public async Task RunningJob_ShowsItsLatestProgress_OverTheApi_UntilItsOutcomeReplacesIt()
    {
        var jobs = _factory.Services.GetRequiredService<JobStore>();
        var job = $"progress-test-{Guid.NewGuid():N}";
        var runId = await jobs.StartRunAsync(job, CancellationToken.None);
        var progress = new JobProgress(jobs, runId, NullLogger.Instance);

        // Reports come faster than the database takes them: only the latest has to land, and none is lost at the end.
        for (var i = 1; i <= 200; i++)
            progress.Report($"fitting 10 class models on 80,000 cases: {i % 10 + 1} of 10 done (step {i})");
        await progress.FlushAsync();

        var steward = await _factory.ClientForAsync(Roles.Steward);
        var running = (await steward.GetFromJsonAsync<List<RunView>>($"/api/v1/jobs/runs?job={job}"))!.Single();
        Assert.Equal(("running", "fitting 10 class models on 80,000 cases: 1 of 10 done (step 200)", null), (running.Outcome, running.Detail, running.FinishedAt));
        Assert.InRange(progress.Written, 1, 200);

        await jobs.FinishRunAsync(runId, "succeeded", "version v3 on 80,000 cases", CancellationToken.None);
        // A report that arrives after the outcome changes nothing.
        Assert.False(await jobs.ReportProgressAsync(runId, "late", CancellationToken.None));
        progress.Report("later still");
        await progress.FlushAsync();

        var finished = (await steward.GetFromJsonAsync<List<RunView>>($"/api/v1/jobs/runs?job={job}"))!.Single();
        Assert.Equal(("succeeded", "version v3 on 80,000 cases"), (finished.Outcome, finished.Detail));
        Assert.NotNull(finished.FinishedAt);
    }

    [Fact]
    public async Task TrainJob_ShowsWhatItIsDoingWhileItRuns_ThenItsOutcome()
    {
        await _factory.SeedGeneratedAsync(1_500);
        var learning = _factory.Services.GetRequiredService<LearningJobs>();
        var jobs = _factory.Services.GetRequiredService<JobStore>();
        var job = $"train:{ModelNames.ExploitationType}";

        var training = Task.Run(() => learning.TrainAsync(ModelNames.ExploitationType, CancellationToken.None));
        var seen = new List<string>();
        while (!training.IsCompleted)
        {
            var latest = (await jobs.RunsAsync(job, 1, CancellationToken.None)).FirstOrDefault();
            if (latest is { Outcome: "running", Detail: { } detail } && (seen.Count == 0 || seen[^1] != detail)) seen.Add(detail);
            await Task.Delay(10);
        }
        await training;

        // A training of this size takes seconds; every phase it went through in that time was readable while it ran.
        Assert.NotEmpty(seen);
        string[] phases = ["reading the active cases", "building the features of", "fitting ", "evaluating on", "ranking the indicators on", "registering the new version"];
        Assert.All(seen, d => Assert.Contains(phases, p => d.StartsWith(p, StringComparison.Ordinal)));
        var run = (await jobs.RunsAsync(job, 1, CancellationToken.None)).Single();
        Assert.Equal("succeeded", run.Outcome);
        Assert.StartsWith("version v", run.Detail, StringComparison.Ordinal);
    }
}
