using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Analytics.Api.Audit;
using Analytics.Api.Jobs;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Api.Tests.Learning;

/// <summary>Every recurring job's schedule is listed, read, changed and audited alike, and its cron is stored in one form.</summary>
public sealed class ScheduledJobsTests(AnalyticsFactory factory) : IClassFixture<AnalyticsFactory>
{
    // Every recurring job, as README lists them.
    private static readonly string[] AllJobs = ["train-all", "assign-patterns", "refresh-aggregates", "compute-links", "rekey-tokens", "apply-retention"];

    public static TheoryData<string> Jobs => new(AllJobs);

    [Theory]
    [MemberData(nameof(Jobs))]
    public async Task PutSchedule_TakesEffect_ForEveryListedJob(string job)
    {
        var steward = await factory.ClientForAsync(Roles.Steward);
        var scheduler = factory.Services.GetRequiredService<JobScheduler>();
        var previous = scheduler.Effective(job).Cron!;

        var response = await steward.PutAsJsonAsync($"/api/v1/schedules/{job}", new { cron = "23 4 * * 2" });

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var view = await response.ReadAsync<ScheduleView>();
        Assert.Equal((job, "23 4 * * 2"), (view.Job, view.Cron));
        Assert.Equal(DayOfWeek.Tuesday, view.NextExecutionUtc!.Value.DayOfWeek);
        Assert.Equal("23 4 * * 2", scheduler.Effective(job).Cron);
        Assert.Equal("23 4 * * 2", (await (await steward.GetAsync($"/api/v1/schedules/{job}")).ReadAsync<ScheduleView>()).Cron);

        Assert.Equal(HttpStatusCode.OK, (await steward.PutAsJsonAsync($"/api/v1/schedules/{job}", new { cron = previous })).StatusCode);
    }

    [Fact]
    public async Task TheList_TheUnknownJobProblem_AndTheAuditTrail_NameEveryJob()
    {
        var steward = await factory.ClientForAsync(Roles.Steward);
        var jobs = AllJobs.Order(StringComparer.Ordinal).ToList();

        var listed = await (await steward.GetAsync("/api/v1/schedules")).ReadAsync<List<ScheduleView>>();
        var unknown = await steward.PutAsJsonAsync("/api/v1/schedules/train-everything", new { cron = "0 3 * * *" });

        Assert.Equal(jobs, listed.Select(s => s.Job).Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var detail = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;
        Assert.All(jobs, job => Assert.Contains(job, detail, StringComparison.Ordinal));

        foreach (var job in jobs)
            await steward.PutAsJsonAsync($"/api/v1/schedules/{job}", new { cron = "every day" });
        await factory.FlushAuditAsync();
        var page = await (await steward.GetAsync($"/api/v1/audit?principal={steward.KeyId()}&action=PutSchedule&limit=100")).ReadAsync<AuditPage>();
        var audited = page.Items.Where(e => e.Status == 400).Select(e => e.Parameters.GetProperty("route").GetProperty("job").GetString()).ToList();
        Assert.Equal(jobs, audited.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("  */20   *  * * *  ", "*/20 * * * *")]
    [InlineData("0 3 * * *", "0 3 * * *")]
    [InlineData(" 5  4 * *  1 ", "5 4 * * 1")]
    public async Task ACron_IsStored_WithItsFieldsSeparatedBySingleSpaces(string sent, string stored)
    {
        var steward = await factory.ClientForAsync(Roles.Steward);

        var response = await steward.PutAsJsonAsync("/api/v1/schedules/assign-patterns", new { cron = sent });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(stored, (await response.ReadAsync<ScheduleView>()).Cron);
        Assert.Equal(stored, (await (await steward.GetAsync("/api/v1/schedules/assign-patterns")).ReadAsync<ScheduleView>()).Cron);
        Assert.Equal(stored, factory.Services.GetRequiredService<JobScheduler>().Effective("assign-patterns").Cron);
    }

    [Theory]
    [InlineData("*/5 * * * *\n")]
    [InlineData("*/5 * * * *\r\n")]
    [InlineData("*/5\t* * * *")]
    [InlineData("*/5 * * * *\u0000")]
    [InlineData("\u001b*/5 * * * *")]
    public async Task ACronWithAControlCharacter_IsRefusedOnCron_AndNothingChanges(string sent)
    {
        var steward = await factory.ClientForAsync(Roles.Steward);
        var before = factory.Services.GetRequiredService<JobScheduler>().Effective("refresh-aggregates").Cron;

        var response = await steward.PutAsync("/api/v1/schedules/refresh-aggregates",
            new StringContent(JsonSerializer.Serialize(new { cron = sent }), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.Equal(["/cron"], errors.EnumerateObject().Select(p => p.Name));
        Assert.Contains("control character", errors.GetProperty("/cron")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(before, factory.Services.GetRequiredService<JobScheduler>().Effective("refresh-aggregates").Cron);
    }
}
