using Analytics.Learning.Registry;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Analytics.Api.Jobs;
using Analytics.Api.Learning;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;
using Analytics.Data.Cases;
using Analytics.Data.Jobs;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Api.Tests.Learning;

public sealed class SchedulesApiTests : IClassFixture<AnalyticsFactory>
{
    private readonly AnalyticsFactory _factory;

    public SchedulesApiTests(AnalyticsFactory factory) => _factory = factory;

    [Fact]
    public async Task PutSchedule_TakesEffectInHangfire_ForValidCron()
    {
        var steward = await _factory.ClientForAsync(Roles.Steward);

        var response = await steward.PutAsJsonAsync("/api/v1/schedules/train-all", new { cron = "30 4 * * 1" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var view = await response.ReadAsync<ScheduleView>();
        Assert.Equal("30 4 * * 1", view.Cron);
        Assert.NotNull(view.NextExecutionUtc);
        Assert.Equal(DayOfWeek.Monday, view.NextExecutionUtc!.Value.DayOfWeek);
        Assert.Equal(4, view.NextExecutionUtc.Value.Hour);
        var effective = _factory.Services.GetRequiredService<JobScheduler>().Effective("train-all");
        Assert.Equal("30 4 * * 1", effective.Cron);
    }

    [Fact]
    public async Task ScheduleChange_WhoseSaveFails_LeavesHangfireOnTheStoredCron()
    {
        var scheduler = _factory.Services.GetRequiredService<JobScheduler>();
        var stored = (await _factory.Services.GetRequiredService<JobStore>().SchedulesAsync(CancellationToken.None)).Single(s => s.JobId == "refresh-aggregates").Cron;
        Assert.Equal(stored, scheduler.Effective("refresh-aggregates").Cron);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            scheduler.ChangeAsync("refresh-aggregates", "7 7 * * *", () => throw new InvalidOperationException("the database is unreachable")));

        Assert.Equal(stored, scheduler.Effective("refresh-aggregates").Cron);
        // And a save that works leaves the new cron in effect.
        await scheduler.ChangeAsync("refresh-aggregates", "7 7 * * *", () => Task.CompletedTask);
        Assert.Equal("7 7 * * *", scheduler.Effective("refresh-aggregates").Cron);
        await scheduler.ChangeAsync("refresh-aggregates", stored, () => Task.CompletedTask);
    }

    [Fact]
    public async Task PutSchedule_ReturnsProblemAndKeepsOldCron_ForInvalidCron()
    {
        var steward = await _factory.ClientForAsync(Roles.Steward);
        var before = await (await steward.GetAsync("/api/v1/schedules/assign-patterns")).ReadAsync<ScheduleView>();

        var response = await steward.PutAsJsonAsync("/api/v1/schedules/assign-patterns", new { cron = "every tuesday" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty("/cron", out _));
        var after = await (await steward.GetAsync("/api/v1/schedules/assign-patterns")).ReadAsync<ScheduleView>();
        Assert.Equal(before.Cron, after.Cron);
        Assert.Equal(before.Cron, _factory.Services.GetRequiredService<JobScheduler>().Effective("assign-patterns").Cron);
    }

    [Theory]
    [InlineData("assign-patterns", "* * * * * *", "five fields")]
    [InlineData("assign-patterns", "@daily", "five fields")]
    [InlineData("assign-patterns", "0 0 30 2 *", "fires")]
    [InlineData("train-all", "*/5 * * * *", "once an hour")]
    [InlineData("train-all", "0,30 3 * * *", "once an hour")]
    public async Task PutSchedule_RefusesSecondsNeverFiringAndTrainingMoreThanHourly(string job, string cron, string reason)
    {
        var steward = await _factory.ClientForAsync(Roles.Steward);
        var before = _factory.Services.GetRequiredService<JobScheduler>().Effective(job);

        var response = await steward.PutAsJsonAsync($"/api/v1/schedules/{job}", new { cron });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains(reason, problem.GetProperty("errors").GetProperty("/cron")[0].GetString());
        var after = _factory.Services.GetRequiredService<JobScheduler>().Effective(job);
        Assert.Equal(before.Cron, after.Cron);
        Assert.NotNull(after.NextExecution);
        Assert.Equal(before.Cron, (await (await steward.GetAsync($"/api/v1/schedules/{job}")).ReadAsync<ScheduleView>()).Cron);
    }

    [Fact]
    public async Task Schedules_AreForbidden_ToAnalystsAndProsecutors()
    {
        var analyst = await _factory.ClientForAsync(Roles.Analyst);
        var prosecutor = await _factory.ProsecutorAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync("/api/v1/schedules")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await prosecutor.PutAsJsonAsync("/api/v1/schedules/train-all", new { cron = "0 1 * * *" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.PostAsync("/api/v1/models/patterns/train", null)).StatusCode);
    }

    [Fact]
    public async Task JobDashboard_RefusesToRemoveARecurringJob_WhoseScheduleTheDatabaseHolds()
    {
        var steward = await _factory.ClientForAsync(Roles.Steward);

        var response = await steward.PostAsync("/hangfire/recurring/remove", new FormUrlEncodedContent([new("jobs[]", "compute-links")]));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("/api/v1/schedules", await response.Content.ReadAsStringAsync());
        var effective = _factory.Services.GetRequiredService<JobScheduler>().Effective("compute-links");
        Assert.NotNull(effective.Cron);
        Assert.NotNull(effective.NextExecution);
        Assert.NotNull((await (await steward.GetAsync("/api/v1/schedules/compute-links")).ReadAsync<ScheduleView>()).NextExecutionUtc);
    }

    [Fact]
    public async Task JobRuns_PageTheSame_WhateverOffsetTheBeforeCursorIsWrittenIn()
    {
        var steward = await _factory.ClientForAsync(Roles.Steward);
        var store = _factory.Services.GetRequiredService<JobStore>();
        for (var i = 0; i < 3; i++)
        {
            await store.StartRunAsync("cursor-probe", CancellationToken.None);
            await Task.Delay(20);
        }
        var runs = await steward.GetFromJsonAsync<List<JobRun>>("/api/v1/jobs/runs?job=cursor-probe");
        Assert.Equal(3, runs!.Count);
        var cursor = DateTimeOffset.ParseExact(runs[1].StartedAt, "O", System.Globalization.CultureInfo.InvariantCulture);

        foreach (var written in new[] { runs[1].StartedAt, cursor.UtcDateTime.ToString("O"), cursor.ToOffset(TimeSpan.FromHours(2)).ToString("O") })
        {
            var page = await steward.GetFromJsonAsync<List<JobRun>>($"/api/v1/jobs/runs?job=cursor-probe&before={Uri.EscapeDataString(written)}");
            Assert.Equal([runs[2].Id], page!.Select(r => r.Id));
        }
    }

    [Fact]
    public async Task HangfireDashboard_IsForStewardsOnly()
    {
        var analyst = await _factory.ClientForAsync(Roles.Analyst);
        var steward = await _factory.ClientForAsync(Roles.Steward);
        Assert.NotEqual(HttpStatusCode.OK, (await analyst.GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await steward.GetAsync("/hangfire")).StatusCode);
    }
}

public sealed class ModelsApiTests : IClassFixture<AnalyticsFactory>
{
    private readonly AnalyticsFactory _factory;

    public ModelsApiTests(AnalyticsFactory factory) => _factory = factory;

    [Fact]
    public async Task TrainActivateRollback_SwapServedModel_AndFailedTrainingKeepsActive()
    {
        await _factory.SeedGeneratedAsync(400);
        var steward = await _factory.ClientForAsync(Roles.Steward);

        // Train through the API: the job runs on the Hangfire server of the real service.
        var queued = await steward.PostAsync("/api/v1/models/patterns/train", null);
        Assert.True(queued.StatusCode == HttpStatusCode.Accepted, string.Join("\n", _factory.Logs.Where(l => l.Contains("Unhandled"))));
        var first = await WaitForActiveAsync(steward, ModelNames.Patterns, expectedVersions: 1);
        Assert.Equal(first.Active, first.Serving);
        Assert.True(first.Versions[0].Metrics!["k"] >= 4);
        // A request while the first job is still in flight would be answered with it: wait until Hangfire has it done.
        await WaitForJobSucceededAsync((await queued.ReadAsync<TrainingQueued>()).JobId);

        // Same data, same seed: not worse, so the second version is promoted automatically.
        var again = await (await steward.PostAsync("/api/v1/models/patterns/train", null)).ReadAsync<TrainingQueued>();
        Assert.False(again.AlreadyQueued);
        var second = await WaitForActiveAsync(steward, ModelNames.Patterns, expectedVersions: 2);
        Assert.NotEqual(first.Active, second.Active);
        Assert.Equal(first.Versions[0].Metrics!["silhouette"], second.Versions[0].Metrics!["silhouette"], 6);

        var rolledBack = await (await steward.PostAsync("/api/v1/models/patterns/rollback", null)).ReadAsync<ActiveVersion>();
        Assert.Equal(first.Active, rolledBack.Active);
        Assert.Equal(first.Active, _factory.Services.GetRequiredService<ModelServing>().Patterns.Current!.Version);

        var activated = await (await steward.PostAsync($"/api/v1/models/patterns/{second.Active}/activate", null)).ReadAsync<ActiveVersion>();
        Assert.Equal(second.Active, activated.Active);
        Assert.Equal(second.Active, _factory.Services.GetRequiredService<ModelServing>().Patterns.Current!.Version);

        // A version whose artefact no longer loads is refused before the registry changes: the active version and the
        // served model stay as they were.
        var registry = _factory.Services.GetRequiredService<ModelRegistry>();
        await File.WriteAllBytesAsync(registry.ModelPath(ModelNames.Patterns, first.Active!), "not a model"u8.ToArray());
        var refused = await steward.PostAsync($"/api/v1/models/patterns/{first.Active}/activate", null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal(second.Active, registry.GetActiveVersion(ModelNames.Patterns));
        Assert.Equal(second.Active, _factory.Services.GetRequiredService<ModelServing>().Patterns.Current!.Version);

        // So is a rollback to it (the version active before the current one), and so is an artefact that is a valid zip
        // but whose contents no longer read (written by another code version): 422, not 500, and nothing changes.
        var rollbackRefused = await steward.PostAsync("/api/v1/models/patterns/rollback", null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, rollbackRefused.StatusCode);
        Assert.Contains("unchanged", await rollbackRefused.Content.ReadAsStringAsync());
        Assert.Equal(second.Active, registry.GetActiveVersion(ModelNames.Patterns));
        Assert.Equal(second.Active, _factory.Services.GetRequiredService<ModelServing>().Patterns.Current!.Version);
        File.Copy(registry.ModelPath(ModelNames.Patterns, second.Active!), registry.ModelPath(ModelNames.Patterns, first.Active!), overwrite: true);
        using (var zip = System.IO.Compression.ZipFile.Open(registry.ModelPath(ModelNames.Patterns, first.Active!), System.IO.Compression.ZipArchiveMode.Update))
        {
            zip.GetEntry("patterns.json")!.Delete();
            await using var meta = zip.CreateEntry("patterns.json").Open();
            await meta.WriteAsync("{\"countries\": 7"u8.ToArray());
        }
        var unreadable = await steward.PostAsync($"/api/v1/models/patterns/{first.Active}/activate", null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unreadable.StatusCode);
        Assert.Contains("JsonException", await unreadable.Content.ReadAsStringAsync());
        Assert.Equal(second.Active, registry.GetActiveVersion(ModelNames.Patterns));
        Assert.Equal(second.Active, _factory.Services.GetRequiredService<ModelServing>().Patterns.Current!.Version);

        // Too few cases left: the job fails, records why, and the active version stays.
        var store = _factory.Services.GetRequiredService<CaseStore>();
        var patterns = _factory.Services.GetRequiredService<Data.Patterns.PatternStore>();
        foreach (var row in (await patterns.ActiveProfilesAsync(CancellationToken.None)).Skip(20))
            await store.WithdrawAsync(row.CaseId, CancellationToken.None);
        var jobs = _factory.Services.GetRequiredService<LearningJobs>();
        await Assert.ThrowsAsync<InvalidOperationException>(() => jobs.TrainAsync(ModelNames.Patterns, CancellationToken.None));
        var runs = await _factory.Services.GetRequiredService<JobStore>().RunsAsync("train:patterns", 10, CancellationToken.None);
        Assert.Equal("failed", runs[0].Outcome);
        Assert.Contains("at least", runs[0].Detail);
        var models = await steward.GetFromJsonAsync<List<ModelView>>("/api/v1/models");
        Assert.Equal(second.Active, models!.Single(m => m.Name == ModelNames.Patterns).Active);

        // Versions come a page at a time, newest first; a version whose card is gone is reported on its own line.
        var newest = (await steward.GetFromJsonAsync<List<ModelView>>("/api/v1/models?limit=1"))!.Single(m => m.Name == ModelNames.Patterns);
        Assert.Equal([second.Active], newest.Versions.Select(v => v.Version));
        Assert.Equal(second.Active, newest.NextBefore);
        File.Delete(Path.Combine(Path.GetDirectoryName(registry.ModelPath(ModelNames.Patterns, first.Active!))!, "model-card.json"));
        var older = (await steward.GetFromJsonAsync<ModelView>($"/api/v1/models/patterns?limit=1&before={newest.NextBefore}"))!;
        Assert.Equal([first.Active], older.Versions.Select(v => v.Version));
        Assert.Null(older.NextBefore);
        Assert.Null(older.Versions[0].Metrics);
        Assert.Equal("model card missing", older.Versions[0].CardError);
        Assert.Equal(HttpStatusCode.OK, (await steward.GetAsync("/api/v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await steward.GetAsync("/api/v1/models/patterns?before=latest")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await steward.GetAsync("/api/v1/models/nonsense")).StatusCode);
    }

    [Fact]
    public async Task GetCard_ReturnsProblem_WhenTheVersionsCardIsMissingOrUnreadable()
    {
        using var factory = new AnalyticsFactory();
        var steward = await factory.ClientForAsync(Roles.Steward);
        var registry = factory.Services.GetRequiredService<ModelRegistry>();
        var draft = new ModelCardDraft(DataSnapshot.FromCaseIds(["a", "b"]), new Analytics.Learning.Features.FeatureSchema(["RO"]),
            new Dictionary<string, double>(), new ModelMetrics("macroF1", new Dictionary<string, double> { ["macroF1"] = 0.5 }), DateTimeOffset.UnixEpoch);
        var version = registry.Register(ModelNames.ChildVictim, draft, s => s.Write([1, 2, 3])).Version;
        var card = Path.Combine(Path.GetDirectoryName(registry.ModelPath(ModelNames.ChildVictim, version))!, "model-card.json");
        Assert.Equal(HttpStatusCode.OK, (await steward.GetAsync($"/api/v1/models/child-victim/{version}")).StatusCode);

        await File.WriteAllTextAsync(card, "not json");
        var unreadable = await steward.GetAsync($"/api/v1/models/child-victim/{version}");
        File.Delete(card);
        var gone = await steward.GetAsync($"/api/v1/models/child-victim/{version}");

        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("Model card missing", JsonDocument.Parse(await gone.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString());
        Assert.Equal("Model card unreadable", JsonDocument.Parse(await unreadable.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString());
        Assert.DoesNotContain(factory.Logs, l => l.Contains("Unhandled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TrainUnknownModel_Returns404()
    {
        var steward = await _factory.ClientForAsync(Roles.Steward);
        Assert.Equal(HttpStatusCode.NotFound, (await steward.PostAsync("/api/v1/models/nonsense/train", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await steward.PostAsync("/api/v1/models/patterns/v999/activate", null)).StatusCode);
    }

    private async Task WaitForJobSucceededAsync(string jobId)
    {
        var storage = _factory.Services.GetRequiredService<JobStorage>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using (var connection = storage.GetConnection())
                if (connection.GetStateData(jobId)?.Name == Hangfire.States.SucceededState.StateName) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"job {jobId} did not succeed");
            await Task.Delay(100);
        }
    }

    private static async Task<ModelView> WaitForActiveAsync(HttpClient steward, string name, int expectedVersions)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            var models = await steward.GetFromJsonAsync<List<ModelView>>("/api/v1/models");
            var model = models!.Single(m => m.Name == name);
            if (model.Versions.Count >= expectedVersions && model.Active == model.Versions[0].Version && model.Serving == model.Active) return model;
            var runs = await steward.GetStringAsync($"/api/v1/jobs/runs?job=train:{name}");
            if (runs.Contains("\"failed\"", StringComparison.Ordinal)) Assert.Fail("training failed: " + runs);
            await Task.Delay(250);
        }
        throw new TimeoutException($"{name} did not reach {expectedVersions} active version(s)");
    }
}

public sealed class LearningJobsTests : IClassFixture<AnalyticsFactory>
{
    private readonly AnalyticsFactory _factory;

    public LearningJobsTests(AnalyticsFactory factory) => _factory = factory;

    [Fact]
    public async Task Training_WaitsForTheTrainingLock_HeldElsewhere()
    {
        var storage = _factory.Services.GetRequiredService<JobStorage>();
        var jobs = _factory.Services.GetRequiredService<LearningJobs>();
        var store = _factory.Services.GetRequiredService<JobStore>();
        var runsBefore = (await store.RunsAsync("train:child-victim", 100, CancellationToken.None)).Count;
        Task training;
        using (var connection = storage.GetConnection())
        using (connection.AcquireDistributedLock("analytics:training", TimeSpan.FromSeconds(5)))
        {
            // As a train-all on another worker or node would hold it.
            training = Task.Run(() => jobs.TrainAsync(ModelNames.ChildVictim, CancellationToken.None));
            await Task.Delay(700);
            Assert.False(training.IsCompleted);
            Assert.Equal(runsBefore, (await store.RunsAsync("train:child-victim", 100, CancellationToken.None)).Count);
        }
        // No cases here: once it has the lock, it runs and fails for want of data.
        await Assert.ThrowsAsync<InvalidOperationException>(() => training);
        Assert.Equal("failed", (await store.RunsAsync("train:child-victim", 10, CancellationToken.None))[0].Outcome);
    }

    [Fact]
    public async Task TrainAll_WhenModelsFail_StillAssignsAndRefreshes_AndQueuesEachFailedModelOnItsOwn()
    {
        var jobs = _factory.Services.GetRequiredService<LearningJobs>();
        var store = _factory.Services.GetRequiredService<JobStore>();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => jobs.TrainAllAsync(CancellationToken.None));

        var run = (await store.RunsAsync(LearningJobs.TrainAllJob, 1, CancellationToken.None)).Single();
        Assert.Equal("failed", run.Outcome);
        foreach (var name in ModelNames.All)
            Assert.Contains($"{name} failed (InvalidOperationException, see the runs of train:{name}) and was queued again as job", run.Detail);
        Assert.Contains("patterns assigned and aggregates refreshed", failure.Message);
        Assert.Equal("succeeded", (await store.RunsAsync(LearningJobs.AssignJob, 1, CancellationToken.None)).Single().Outcome);
        Assert.Equal("succeeded", (await store.RunsAsync(LearningJobs.AggregatesJob, 1, CancellationToken.None)).Single().Outcome);
    }
}
