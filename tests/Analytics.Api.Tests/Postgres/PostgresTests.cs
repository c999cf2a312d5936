using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Analytics.Api.Cases;
using Analytics.Api.Jobs;
using Analytics.Api.Learning;
using Analytics.Api.Links;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Api.Tests.Links;
using Analytics.Data.ApiKeys;
using Analytics.Data.Database;
using Analytics.Data.Jobs;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Analytics.Api.Tests.Postgres;

/// <summary>
/// A representative set of the API's database work on PostgreSQL, with Hangfire's storage there too. Runs when
/// ANALYTICS_TEST_POSTGRES holds a server connection string (each test class gets a fresh database); otherwise each test
/// says it is skipped, and in CI it fails.
/// </summary>
public sealed class PostgresTests : IClassFixture<PostgresAnalyticsFactory>
{
    private readonly PostgresAnalyticsFactory _factory;
    private readonly ITestOutputHelper _output;

    public PostgresTests(PostgresAnalyticsFactory factory, ITestOutputHelper output)
    {
        _factory = factory;
        _output = output;
    }

    private PostgresTestDatabase Database => _factory.Postgres!;

    [Fact]
    public async Task Migrations_AreRecordedUnderTheSqliteIds_OnPostgres()
    {
        if (!TestDatabases.PostgresOrSkip(_output)) return;
        _ = _factory.Server;

        var recorded = await Database.ScalarAsync<string>("SELECT string_agg(id, ',' ORDER BY id) FROM schema_migrations");

        var postgres = MigrationRunner.Scripts("postgres").Select(s => s.Id).ToList();
        Assert.Equal(MigrationRunner.Scripts("sqlite").Select(s => s.Id), postgres);
        Assert.Equal(string.Join(',', postgres), recorded);
        Assert.Equal("postgres", _factory.Services.GetRequiredService<Db>().Dialect.Name);
        Assert.IsType<Hangfire.PostgreSql.PostgreSqlStorage>(_factory.Services.GetRequiredService<JobStorage>());
        Assert.Equal(1L, await Database.ScalarAsync<long>("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = 'hangfire'"));
    }

    [Fact]
    public async Task SubmitReadCorrectWithdraw_KeepOneCaseWithVersions_OnPostgres()
    {
        if (!TestDatabases.PostgresOrSkip(_output)) return;
        var client = await _factory.ProsecutorAsync("RO", "RO-PG-CRUD");

        var created = await client.SubmitCaseAsync(SampleCases.Json(authority: "RO-PG-CRUD", age: 14));
        var receipt = await created.ReadAsync<Receipt>();
        var replay = await (await client.SubmitCaseAsync(SampleCases.Json(authority: "RO-PG-CRUD", age: 14))).ReadAsync<Receipt>();
        var put = await client.PutAsync($"/api/v1/cases/{receipt.CaseId}",
            new StringContent(SampleCases.Json(authority: "RO-PG-CRUD", age: 9), Encoding.UTF8, "application/json"));
        var corrected = await put.ReadAsync<Receipt>();
        var stored = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/cases/{receipt.CaseId}")).RootElement;
        var deleted = await client.DeleteAsync($"/api/v1/cases/{receipt.CaseId}");
        var withdrawn = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/cases/{receipt.CaseId}")).RootElement;
        var list = await (await client.GetAsync("/api/v1/cases")).ReadAsync<CaseList>();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(1, receipt.Tokens["phone"]);
        Assert.Equal(("unchanged", receipt.CaseId), (replay.Status, replay.CaseId));
        Assert.Equal(("updated", 2), (corrected.Status, corrected.Version));
        Assert.Equal("9-11", stored.GetProperty("record").GetProperty("victims")[0].GetProperty("ageBand").GetString());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal("withdrawn", withdrawn.GetProperty("status").GetString());
        Assert.Equal(receipt.CaseId, Assert.Single(list.Items).CaseId);
        Assert.Equal(0L, await Database.ScalarAsync<long>($"SELECT COUNT(*) FROM case_tokens WHERE case_id = '{receipt.CaseId}'"));
    }

    [Fact]
    public async Task BatchAndReplay_StoreValidLinesOnce_OnPostgres()
    {
        if (!TestDatabases.PostgresOrSkip(_output)) return;
        var client = await _factory.ProsecutorAsync("RO", "RO-PG-BATCH");
        var ndjson = string.Join('\n',
            SampleCases.Json(authority: "RO-PG-BATCH", reference: "B/1"),
            SampleCases.Json(authority: "RO-PG-BATCH", reference: "B/2", age: 200),
            SampleCases.Json(authority: "RO-PG-BATCH", reference: "B/3"),
            SampleCases.Json(authority: "RO-PG-BATCH", reference: "B/1"));

        var first = await client.SubmitBatchAsync(ndjson, "pg-batch-1");
        var second = await client.SubmitBatchAsync(ndjson, "pg-batch-1");
        var reused = await client.SubmitBatchAsync(SampleCases.Json(authority: "RO-PG-BATCH", reference: "B/9"), "pg-batch-1");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var result = await first.ReadAsync<BatchResult>();
        Assert.Equal((4, 2, 1, 1), (result.Lines, result.Created, result.Unchanged, result.Rejected));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.True(second.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Equal(2L, await Database.ScalarAsync<long>("SELECT COUNT(*) FROM cases WHERE authority = 'RO-PG-BATCH'"));
    }

    [Fact]
    public async Task ConcurrentSubmissions_StoreEachCaseOnce_WithoutWriteGate_OnPostgres()
    {
        if (!TestDatabases.PostgresOrSkip(_output)) return;
        var client = await _factory.ProsecutorAsync("RO", "RO-PG-CONCURRENT");
        // 12 distinct cases, each sent twice at the same time: concurrent writers of the same (authority, reference).
        var bodies = Enumerable.Range(0, 12)
            .SelectMany(i => Enumerable.Repeat(SampleCases.Json(authority: "RO-PG-CONCURRENT", reference: $"DIICOT/2024/{i:D5}"), 2))
            .ToList();

        var responses = await Task.WhenAll(bodies.Select(b => client.SubmitCaseAsync(b)));
        var receipts = await Task.WhenAll(responses.Select(r => r.ReadAsync<Receipt>()));

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, r.StatusCode.ToString()));
        Assert.Equal(12, receipts.Count(r => r.Status == "created"));
        Assert.Equal(12, receipts.Count(r => r.Status == "unchanged"));
        Assert.All(receipts.GroupBy(r => r.CaseId), g => Assert.Equal(2, g.Count()));
        Assert.Equal(12L, await Database.ScalarAsync<long>("SELECT COUNT(*) FROM cases WHERE authority = 'RO-PG-CONCURRENT'"));
        Assert.Equal(12L, await Database.ScalarAsync<long>(
            "SELECT COUNT(*) FROM case_documents d JOIN cases c ON c.id = d.case_id WHERE c.authority = 'RO-PG-CONCURRENT'"));
    }

    [Fact]
    public async Task TrainingAndPatternAssignment_RunAsHangfireJobs_OnPostgres()
    {
        if (!TestDatabases.PostgresOrSkip(_output)) return;
        await _factory.SeedGeneratedAsync(300, seed: 11);
        var steward = await _factory.ClientForAsync(Roles.Steward);

        var since = DateTimeOffset.UtcNow.ToString("O");
        var queued = await steward.PostAsync("/api/v1/models/patterns/train", null);
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        await WaitForRunAsync("train:patterns", since);
        since = DateTimeOffset.UtcNow.ToString("O");
        _factory.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<LearningJobs>(j => j.AssignPatternsAsync(CancellationToken.None));
        await WaitForRunAsync(LearningJobs.AssignJob, since);

        var models = await steward.GetFromJsonAsync<List<ModelView>>("/api/v1/models");
        Assert.NotNull(models!.Single(m => m.Name == ModelNames.Patterns).Active);
        var active = await Database.ScalarAsync<long>("SELECT COUNT(*) FROM cases WHERE status = 'active'");
        Assert.Equal(active, await Database.ScalarAsync<long>("SELECT COUNT(*) FROM case_patterns"));
        var analyst = await _factory.ClientForAsync(Roles.Analyst);
        Assert.Equal(HttpStatusCode.OK, (await analyst.GetAsync("/api/v1/patterns")).StatusCode);
    }

    [Fact]
    public async Task LinksRecompute_FindsCrossBorderHit_OnPostgres()
    {
        if (!TestDatabases.PostgresOrSkip(_output)) return;
        var ro = await _factory.ProsecutorAsync("RO", "RO-PG-LINK");
        var it = await _factory.ProsecutorAsync("IT", "IT-PG-LINK");
        var steward = await _factory.ClientForAsync(Roles.Steward);
        var roCase = (await (await ro.SubmitCaseAsync(LinkTestData.CaseWithPhone("RO", "RO-PG-LINK", "DIICOT/2024/00901", "+40 721 555 901"))).ReadAsync<Receipt>()).CaseId;
        await it.SubmitCaseAsync(LinkTestData.CaseWithPhone("IT", "IT-PG-LINK", "DDA-MI/2024/901", "0040 721 555 901"));

        Assert.Equal(HttpStatusCode.Accepted, (await steward.PostAsync("/api/v1/links/recompute", null)).StatusCode);
        var hit = await WaitForHitAsync(ro, roCase);

        Assert.True(hit.CrossBorder);
        Assert.Equal(["phone"], hit.MatchedTypes);
        Assert.Equal(["IT-PG-LINK"], Assert.Single(hit.Jurisdictions).Authorities);
        var alerts = await ro.GetStringAsync("/api/v1/links/alerts");
        Assert.Contains(roCase, alerts);
    }

    [Fact]
    public async Task AggregatesAndAuditChain_ReadBack_OnPostgres()
    {
        if (!TestDatabases.PostgresOrSkip(_output)) return;
        await _factory.SeedGeneratedAsync(200, seed: 12);
        await _factory.Services.GetRequiredService<LearningJobs>().RefreshAggregatesAsync(CancellationToken.None);
        var analyst = await _factory.ClientForAsync(Roles.Analyst);
        var steward = await _factory.ClientForAsync(Roles.Steward);

        var summary = await analyst.GetFromJsonAsync<Analytics.Api.Insights.SummaryReport>("/api/v1/insights/summary");
        var routes = await analyst.GetAsync("/api/v1/insights/routes");
        await _factory.FlushAuditAsync();
        var verification = await (await steward.GetAsync("/api/v1/audit/verify")).ReadAsync<Analytics.Data.Audit.ChainVerification>();

        Assert.True(summary!.Dimensions["year"].Count > 0);
        Assert.Equal(HttpStatusCode.OK, routes.StatusCode);
        Assert.True(await Database.ScalarAsync<long>("SELECT COALESCE(SUM(cases), 0) FROM route_counts") > 0);
        Assert.True(verification.Valid);
        Assert.True(verification.Entries >= 2);
    }

    private async Task<CaseLinks> WaitForHitAsync(HttpClient client, string caseId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var links = await (await client.GetAsync($"/api/v1/links/cases/{caseId}")).ReadAsync<CaseLinks>();
            if (links.Hit) return links;
            await Task.Delay(250);
        }
        throw new TimeoutException("compute-links did not link the case");
    }

    /// <summary>Waits for a run of the job that started after <paramref name="since"/> to finish, and requires it to succeed.</summary>
    private async Task WaitForRunAsync(string job, string since)
    {
        var store = _factory.Services.GetRequiredService<JobStore>();
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            var runs = await store.RunsAsync(job, 5, CancellationToken.None);
            if (runs.FirstOrDefault(r => r.Outcome != "running" && string.CompareOrdinal(r.StartedAt, since) >= 0) is { } done)
            {
                _output.WriteLine($"{job}: {done.Outcome} {done.Detail}");
                Assert.Equal("succeeded", done.Outcome);
                return;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"{job} did not finish");
    }
}
