using System.Net;
using Analytics.Api.Cases;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.Database;
using Analytics.Data.Jobs;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Api.Tests.Cases;

/// <summary>The apply-retention job through the service: a case withdrawn long enough ago is erased, a recent one is kept.</summary>
public sealed class RetentionJobTests(AnalyticsFactory factory) : IClassFixture<AnalyticsFactory>
{
    [Fact]
    public async Task ApplyRetention_ErasesCasesWithdrawnLongAgo_AndKeepsTheRest()
    {
        var client = await factory.ProsecutorAsync("RO", "RO-RETAIN");
        async Task<string> SubmitAsync(string reference) =>
            (await (await client.SubmitCaseAsync(SampleCases.Json(authority: "RO-RETAIN", reference: reference))).ReadAsync<Receipt>()).CaseId;
        var old = await SubmitAsync("RET/2020/1");
        var recent = await SubmitAsync("RET/2026/2");
        var active = await SubmitAsync("RET/2026/3");
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/cases/{old}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/cases/{recent}")).StatusCode);
        var db = factory.Services.GetRequiredService<Db>();
        await using (var connection = await db.OpenAsync(CancellationToken.None))
            await connection.ExecuteAsync(new CommandDefinition("UPDATE cases SET updated_at = '2025-01-01T00:00:00.0000000+00:00' WHERE id = @Id", new { Id = old }));

        var detail = await factory.Services.GetRequiredService<RetentionJobs>().ApplyRetentionAsync(CancellationToken.None);

        Assert.StartsWith("1 withdrawn cases erased", detail);
        Assert.Contains("Retention:WithdrawnDays 90", detail);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/cases/{old}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/cases/{recent}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/cases/{active}")).StatusCode);
        var run = (await factory.Services.GetRequiredService<JobStore>().RunsAsync(RetentionJobs.RetentionJob, 1, CancellationToken.None)).Single();
        Assert.Equal(("succeeded", detail), (run.Outcome, run.Detail));
        var schedules = await factory.Services.GetRequiredService<JobStore>().SchedulesAsync(CancellationToken.None);
        Assert.Contains(schedules, s => s.JobId == RetentionJobs.RetentionJob && s.Cron == "40 2 * * *");
    }
}
