using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Analytics.Api.Audit;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;
using Analytics.Data.Audit;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Analytics.Api.Tests.Audit;

public sealed class AuditTests : IClassFixture<AnalyticsFactory>
{
    private readonly AnalyticsFactory _factory;
    private readonly ITestOutputHelper _output;

    public AuditTests(AnalyticsFactory factory, ITestOutputHelper output) => (_factory, _output) = (factory, output);

    [Fact]
    public async Task Requests_AreAudited_WithPrincipalRoleActionStatusAndSize()
    {
        var prosecutor = await _factory.ProsecutorAsync("RO");
        var steward = await _factory.ClientForAsync(Roles.Steward);
        var anonymous = _factory.CreateClient();

        var submitted = await prosecutor.SubmitCaseAsync(SampleCases.Json(reference: "AUDIT/1"));
        var submittedBytes = (await submitted.Content.ReadAsByteArrayAsync()).Length;
        var listed = await prosecutor.GetAsync("/api/v1/cases?limit=5");
        var refused = await anonymous.GetAsync("/api/v1/patterns");
        await _factory.FlushAuditAsync();

        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var principal = prosecutor.KeyId();
        var submit = Assert.Single((await PageAsync(steward, $"/api/v1/audit?principal={principal}&action=SubmitCase")).Items);
        Assert.Equal(principal, submit.Principal);
        Assert.Equal("prosecutor", submit.Role);
        Assert.Equal("RO", submit.Jurisdiction);
        Assert.Equal("POST /api/v1/cases", submit.Route);
        Assert.Equal(201, submit.Status);
        Assert.Equal(submittedBytes, submit.ResultSize);
        Assert.True(submit.ResultSize > 0);

        var list = Assert.Single((await PageAsync(steward, $"/api/v1/audit?principal={principal}&action=ListCases")).Items);
        Assert.Equal(200, list.Status);
        Assert.Equal((await listed.Content.ReadAsByteArrayAsync()).Length, list.ResultSize);
        Assert.Equal("5", list.Parameters.GetProperty("query").GetProperty("limit").GetString());

        var anonymousEntry = (await PageAsync(steward, "/api/v1/audit?principal=anonymous&action=ListPatterns")).Items[^1];
        Assert.Null(anonymousEntry.Role);
        Assert.Equal(401, anonymousEntry.Status);
        _output.WriteLine(JsonSerializer.Serialize(submit, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
    }

    [Fact]
    public async Task AuditList_PagesBySeq_WithNextCursor()
    {
        var prosecutor = await _factory.ProsecutorAsync("IT");
        var steward = await _factory.ClientForAsync(Roles.Steward);
        for (var i = 0; i < 3; i++) await prosecutor.GetAsync("/api/v1/cases");
        await _factory.FlushAuditAsync();

        var first = await PageAsync(steward, "/api/v1/audit?limit=2");
        var second = await PageAsync(steward, $"/api/v1/audit?limit=2&after={first.Next}");

        Assert.Equal(2, first.Items.Count);
        Assert.NotNull(first.Next);
        Assert.True(second.Items[0].Seq > first.Items[^1].Seq);
        Assert.Equal(first.Items[0].Hash, first.Items[1].PrevHash);
    }

    [Fact]
    public async Task AuditList_ReturnsProblemNamingAfter_ForNegativeCursor()
    {
        var steward = await _factory.ClientForAsync(Roles.Steward);

        var response = await steward.GetAsync("/api/v1/audit?after=-1");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("/after", out _), errors.ToString());
    }

    [Fact]
    public async Task ARequestThatFailsToBind_IsAuditedUnderItsRoute()
    {
        var analyst = await _factory.ClientForAsync(Roles.Analyst);
        var steward = await _factory.ClientForAsync(Roles.Steward);

        Assert.Equal(HttpStatusCode.BadRequest, (await analyst.GetAsync("/api/v1/insights/routes?limit=abc")).StatusCode);
        await _factory.FlushAuditAsync();

        var entry = (await PageAsync(steward, $"/api/v1/audit?principal={analyst.KeyId()}")).Items.Last();
        Assert.Equal("GET /api/v1/insights/routes", entry.Route);
        Assert.Equal(400, entry.Status);
    }

    [Fact]
    public async Task ARequestThatFailsToBind_IsAuditedWithItsRouteValues()
    {
        var steward = await _factory.ClientForAsync(Roles.Steward);

        var response = await steward.PutAsync("/api/v1/schedules/train-all",
            new StringContent("""{"cron": 5}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await _factory.FlushAuditAsync();

        var entry = (await PageAsync(steward, $"/api/v1/audit?principal={steward.KeyId()}&action=PutSchedule")).Items.Single();
        Assert.Equal(400, entry.Status);
        Assert.Equal("train-all", entry.Parameters.GetProperty("route").GetProperty("job").GetString());
    }

    [Fact]
    public async Task PutSchedule_IsAudited_WithTheNewAndPreviousCron_AndARejectedCronIsNotRecorded()
    {
        var steward = await _factory.ClientForAsync(Roles.Steward);

        var changed = await steward.PutAsJsonAsync("/api/v1/schedules/train-all", new { cron = "17 4 * * *" });
        var rejected = await steward.PutAsJsonAsync("/api/v1/schedules/train-all", new { cron = "Ioana Marginean +40721234567" });
        await _factory.FlushAuditAsync();

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.BadRequest), (changed.StatusCode, rejected.StatusCode));
        var entries = (await PageAsync(steward, $"/api/v1/audit?principal={steward.KeyId()}&action=PutSchedule")).Items;
        Assert.Equal([200, 400], entries.Select(e => e.Status));
        var details = entries[0].Parameters.GetProperty("details");
        Assert.Equal("17 4 * * *", details.GetProperty("cron").GetString());
        Assert.Equal(Analytics.Api.Learning.LearningJobs.DefaultSchedules["train-all"], details.GetProperty("previousCron").GetString());
        Assert.Equal("train-all", entries[0].Parameters.GetProperty("route").GetProperty("job").GetString());
        Assert.False(entries[1].Parameters.TryGetProperty("details", out _));
        Assert.DoesNotContain("Marginean", string.Join('\n', await _factory.AuditRowsAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task JobDashboardCommands_AreAudited_WithTheJobsTheyName()
    {
        var steward = await _factory.ClientForAsync(Roles.Steward);

        var triggered = await steward.PostAsync("/hangfire/recurring/trigger",
            new FormUrlEncodedContent([new("jobs[]", "refresh-aggregates")]));
        var byName = await steward.PostAsync("/hangfire/jobs/actions/delete/" + Uri.EscapeDataString(SampleCases.VictimName), null);
        Assert.Equal(HttpStatusCode.NoContent, triggered.StatusCode);
        await _factory.FlushAuditAsync();

        var entries = (await PageAsync(steward, $"/api/v1/audit?principal={steward.KeyId()}&action=JobDashboard")).Items;
        Assert.Equal(2, entries.Count);
        Assert.Equal("POST /hangfire/recurring/trigger", entries[0].Route);
        Assert.Equal("steward", entries[0].Role);
        Assert.Equal(204, entries[0].Status);
        Assert.Equal("refresh-aggregates", entries[0].Parameters.GetProperty("form").GetProperty("jobs")[0].GetString());
        Assert.Equal("POST /hangfire/jobs/actions/delete/{id}", entries[1].Route);
        Assert.Equal(AuditParameters.Redacted, entries[1].Parameters.GetProperty("route").GetProperty("id").GetString());
        Assert.Equal((int)byName.StatusCode, entries[1].Status);
        Assert.All(await _factory.AuditRowsAsync(without: ["at", "prev_hash", "hash"]),
            row => Assert.DoesNotContain("Ioana", row, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task IssuingAKey_IsAudited_WithTheIdOfTheKeyIssued()
    {
        var steward = await _factory.ClientForAsync(Roles.Steward);

        var created = await steward.PostAsJsonAsync("/api/v1/keys", new { name = "audited issue", role = "prosecutor", jurisdiction = "RO", authority = "RO-DIICOT" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var issued = await created.ReadAsync<IssuedApiKey>();
        await _factory.FlushAuditAsync();

        var entry = Assert.Single((await PageAsync(steward, $"/api/v1/audit?principal={steward.KeyId()}&action=CreateKey")).Items);
        Assert.Equal(issued.Id, entry.Parameters.GetProperty("created").GetString());
        Assert.DoesNotContain(issued.Key, entry.Parameters.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmittedValues_NeverAppearInAuditLog_EvenInPathAndQuery()
    {
        var prosecutor = await _factory.ProsecutorAsync("RO");
        var steward = await _factory.ClientForAsync(Roles.Steward);

        Assert.Equal(HttpStatusCode.Created, (await prosecutor.SubmitCaseAsync(SampleCases.Json(reference: "DIICOT/2024/00017"))).StatusCode);
        await prosecutor.GetAsync("/api/v1/cases/" + Uri.EscapeDataString(SampleCases.VictimName));
        await prosecutor.GetAsync("/api/v1/cases/cristian.dobrescu");
        await prosecutor.GetAsync("/api/v1/cases?limit=3&name=" + Uri.EscapeDataString(SampleCases.SuspectName) + "&after=" + Uri.EscapeDataString(SampleCases.Email));
        await steward.GetAsync("/api/v1/audit?principal=" + Uri.EscapeDataString(SampleCases.Phone));
        await steward.GetAsync("/api/v1/models/" + Uri.EscapeDataString("Ioana") + "/v1");
        await _factory.FlushAuditAsync();

        // The time and the chain's SHA-256 hex hashes are the service's own, and can hold "00017" by chance.
        var rows = await _factory.AuditRowsAsync(without: ["at", "prev_hash", "hash"]);
        string[] secrets =
        [
            SampleCases.VictimName, "Ioana", "Mărginean", "Marginean", SampleCases.SuspectName, "Cristian", "Dobrescu", "dobrescu",
            SampleCases.Email, "example.com", "721234567", "721 234 567", SampleCases.Iban, "DIICOT/2024/00017", "00017", "Instagram",
        ];
        foreach (var row in rows)
            foreach (var secret in secrets)
                Assert.DoesNotContain(secret, row, StringComparison.OrdinalIgnoreCase);

        var byName = (await PageAsync(steward, $"/api/v1/audit?principal={prosecutor.KeyId()}&action=GetCase")).Items;
        Assert.Equal(2, byName.Count);
        Assert.All(byName, e => Assert.Equal(AuditParameters.Redacted, e.Parameters.GetProperty("route").GetProperty("id").GetString()));
        var listed = Assert.Single((await PageAsync(steward, $"/api/v1/audit?principal={prosecutor.KeyId()}&action=ListCases")).Items);
        Assert.Equal(1, listed.Parameters.GetProperty("unlistedQueryKeys").GetInt32());
        Assert.Equal(AuditParameters.Redacted, listed.Parameters.GetProperty("query").GetProperty("after").GetString());
    }

    [Fact]
    public async Task AggregateFiltersAndWindows_AreRecorded_SoASeriesOfOverlappingQueriesShows()
    {
        var analyst = await _factory.ClientForAsync(Roles.Analyst);
        var steward = await _factory.ClientForAsync(Roles.Steward);

        await analyst.GetAsync("/api/v1/patterns?from=2023-01&to=2023-06&jurisdiction=RO");
        await analyst.GetAsync("/api/v1/insights/routes?from=2019&to=2023&origin=RO&destination=IT&offset=0");
        await _factory.FlushAuditAsync();

        var principal = analyst.KeyId();
        var patterns = Assert.Single((await PageAsync(steward, $"/api/v1/audit?principal={principal}&action=ListPatterns")).Items);
        var routes = Assert.Single((await PageAsync(steward, $"/api/v1/audit?principal={principal}&action=Routes")).Items);
        var query = patterns.Parameters.GetProperty("query");
        Assert.Equal(("2023-01", "2023-06", "RO"), (query.GetProperty("from").GetString(), query.GetProperty("to").GetString(), query.GetProperty("jurisdiction").GetString()));
        query = routes.Parameters.GetProperty("query");
        Assert.Equal(("2019", "2023", "RO", "IT"), (query.GetProperty("from").GetString(), query.GetProperty("to").GetString(),
            query.GetProperty("origin").GetString(), query.GetProperty("destination").GetString()));
    }

    [Fact]
    public async Task Verify_IsValid_OnUntouchedChain()
    {
        var steward = await _factory.ClientForAsync(Roles.Steward);
        await steward.GetAsync("/api/v1/audit");
        await _factory.CreateClient().GetAsync("/api/v1/cases");
        await _factory.FlushAuditAsync();

        var verification = await (await steward.GetAsync("/api/v1/audit/verify")).ReadAsync<ChainVerification>();

        Assert.True(verification.Valid);
        Assert.Null(verification.FirstBrokenSeq);
        Assert.True(verification.Entries >= 2);
        _output.WriteLine(JsonSerializer.Serialize(verification, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
    }

    [Fact]
    public async Task AuditEndpoints_AreForbidden_ToAnalystsAndProsecutors()
    {
        var analyst = await _factory.ClientForAsync(Roles.Analyst);
        var prosecutor = await _factory.ProsecutorAsync();
        foreach (var client in new[] { analyst, prosecutor })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/audit")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/audit/verify")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/privacy/report")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await _factory.CreateClient().GetAsync("/api/v1/audit")).StatusCode);
    }

    internal static async Task<AuditPage> PageAsync(HttpClient steward, string url)
    {
        var response = await steward.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadAsync<AuditPage>();
    }
}

/// <summary>Tampering tests each get a fresh service, so sequence numbers are known.</summary>
public sealed class AuditTamperingTests
{
    [Fact]
    public async Task Verify_FindsAlteredEntry_WhenStatusIsChangedInTheDatabase()
    {
        using var factory = new AnalyticsFactory();
        var steward = await AnonymousRequestsAsync(factory, 8);

        Assert.Equal(1, await factory.ExecuteSqlAsync("UPDATE audit_log SET status = 200 WHERE seq = 5"));
        var verification = await (await steward.GetAsync("/api/v1/audit/verify")).ReadAsync<ChainVerification>();

        Assert.False(verification.Valid);
        Assert.Equal(5, verification.FirstBrokenSeq);
        Assert.Equal(8, verification.Entries);
    }

    [Fact]
    public async Task Verify_FindsDeletedEntry()
    {
        using var factory = new AnalyticsFactory();
        var steward = await AnonymousRequestsAsync(factory, 8);

        Assert.Equal(1, await factory.ExecuteSqlAsync("DELETE FROM audit_log WHERE seq = 5"));
        var verification = await (await steward.GetAsync("/api/v1/audit/verify")).ReadAsync<ChainVerification>();

        Assert.False(verification.Valid);
        Assert.Equal(5, verification.FirstBrokenSeq);
    }

    [Fact]
    public async Task Verify_FindsTruncatedTail_AgainstTheWritersHead()
    {
        using var factory = new AnalyticsFactory();
        var steward = await AnonymousRequestsAsync(factory, 6);

        Assert.Equal(2, await factory.ExecuteSqlAsync("DELETE FROM audit_log WHERE seq >= 5"));
        var verification = await (await steward.GetAsync("/api/v1/audit/verify")).ReadAsync<ChainVerification>();

        Assert.False(verification.Valid);
        Assert.Equal(5, verification.FirstBrokenSeq);
    }

    [Fact]
    public async Task Verify_FindsRecomputedEntry_WhenItsHashNoLongerLinks()
    {
        using var factory = new AnalyticsFactory();
        var steward = await AnonymousRequestsAsync(factory, 6);

        // Rewriting an entry and its own hash still breaks the link from the next entry.
        var rows = await factory.AuditRowsAsync();
        Assert.Equal(1, await factory.ExecuteSqlAsync("UPDATE audit_log SET principal = 'someone-else', hash = '" + new string('a', 64) + "' WHERE seq = 3"));
        var verification = await (await steward.GetAsync("/api/v1/audit/verify")).ReadAsync<ChainVerification>();

        Assert.Equal(6, rows.Count);
        Assert.False(verification.Valid);
        Assert.Equal(3, verification.FirstBrokenSeq);
    }

    [Fact]
    public async Task Verify_AfterACheckpoint_ChecksOnlyTheNewEntries()
    {
        using var factory = new AnalyticsFactory();
        var steward = await AnonymousRequestsAsync(factory, 6);

        var first = await VerifyAsync(factory, steward, "");
        await MoreAnonymousRequestsAsync(factory, 3);
        var second = await VerifyAsync(factory, steward, "");

        Assert.Equal((true, 0L, 6L, 6L, 6L), (first.Valid, first.After, first.Checked, first.Entries, first.Checkpoint));
        // Entries 7 (the first verification's own request) to 10.
        Assert.Equal((true, 6L, 4L, 10L, 10L, 10L), (second.Valid, second.After, second.Checked, second.To!.Value, second.Entries, second.Checkpoint));
        Assert.Equal(10, await factory.ScalarAsync("SELECT seq FROM audit_checkpoint"));
    }

    [Fact]
    public async Task Verify_FindsAnEntryTamperedAfterTheCheckpoint()
    {
        using var factory = new AnalyticsFactory();
        var steward = await AnonymousRequestsAsync(factory, 6);
        Assert.Equal(6, (await VerifyAsync(factory, steward, "")).Checkpoint);
        await MoreAnonymousRequestsAsync(factory, 3);

        Assert.Equal(1, await factory.ExecuteSqlAsync("UPDATE audit_log SET status = 200 WHERE seq = 9"));
        var verification = await VerifyAsync(factory, steward, "");

        Assert.Equal((false, 9L, 6L), (verification.Valid, verification.FirstBrokenSeq!.Value, verification.After));
        // The checkpoint moves only up to the last intact entry, so the next call reports the break again.
        Assert.Equal(8, verification.Checkpoint);
        Assert.Equal(9, (await VerifyAsync(factory, steward, "")).FirstBrokenSeq);
    }

    [Fact]
    public async Task Verify_TamperingBeforeTheCheckpoint_IsFoundByAFullWalk_AndThenByEveryCall()
    {
        using var factory = new AnalyticsFactory();
        var steward = await AnonymousRequestsAsync(factory, 8);
        Assert.Equal(8, (await VerifyAsync(factory, steward, "")).Checkpoint);

        Assert.Equal(1, await factory.ExecuteSqlAsync("UPDATE audit_log SET status = 200 WHERE seq = 3"));
        var incremental = await VerifyAsync(factory, steward, "");
        var full = await VerifyAsync(factory, steward, "?full=true");
        var after = await VerifyAsync(factory, steward, "");

        // A normal call reads only what follows the checkpoint: the change before it is for a full walk to find.
        Assert.Equal((true, 8L, 1L), (incremental.Valid, incremental.After, incremental.Checked));
        Assert.Equal((false, 3L, 0L), (full.Valid, full.FirstBrokenSeq!.Value, full.After));
        Assert.True(full.Checked >= 10);
        Assert.Equal(2, full.Checkpoint);
        Assert.Equal((false, 3L, 2L), (after.Valid, after.FirstBrokenSeq!.Value, after.After));
    }

    [Fact]
    public async Task Verify_FindsTheCheckpointsOwnEntryChanged()
    {
        using var factory = new AnalyticsFactory();
        var steward = await AnonymousRequestsAsync(factory, 6);
        Assert.Equal(6, (await VerifyAsync(factory, steward, "")).Checkpoint);

        // Rewritten with a hash that matches its new content: only the hash kept with the checkpoint tells.
        var rows = await factory.AuditRowsAsync();
        Assert.Equal(1, await factory.ExecuteSqlAsync("UPDATE audit_log SET status = 200 WHERE seq = 6"));
        var entry = (await new Analytics.Data.Audit.AuditStore(factory.Services.GetRequiredService<Analytics.Data.Database.Db>())
            .ListAsync(5, 1, null, null, CancellationToken.None)).Single();
        Assert.Equal(1, await factory.ExecuteSqlAsync($"UPDATE audit_log SET hash = '{AuditChain.HashOf(entry)}' WHERE seq = 6"));
        var verification = await VerifyAsync(factory, steward, "");

        Assert.Equal(6, rows.Count);
        Assert.Equal((false, 6L), (verification.Valid, verification.FirstBrokenSeq!.Value));
    }

    [Fact]
    public async Task Verify_ReadsAtMostItsLimit_AndGoesOnFromWhereItStopped()
    {
        using var factory = new AnalyticsFactory();
        var steward = await AnonymousRequestsAsync(factory, 8);

        var first = await VerifyAsync(factory, steward, "?limit=3");
        var second = await VerifyAsync(factory, steward, "?limit=3");
        var fullStart = await VerifyAsync(factory, steward, "?full=true&limit=5");
        var fullRest = await VerifyAsync(factory, steward, $"?full=true&after={fullStart.Next}");
        var tooSmall = await steward.GetAsync("/api/v1/audit/verify?limit=0");

        Assert.Equal((3L, false, 3L, 3L), (first.Checked, first.Complete, first.Next!.Value, first.Checkpoint));
        Assert.Equal((3L, 3L, 6L, false, 6L), (second.After, second.Checked, second.To!.Value, second.Complete, second.Checkpoint));
        Assert.Equal((0L, 5L, false, 5L), (fullStart.After, fullStart.Checked, fullStart.Complete, fullStart.Next!.Value));
        Assert.Equal((5L, true, true, (long?)null), (fullRest.After, fullRest.Valid, fullRest.Complete, fullRest.Next));
        Assert.Equal(fullRest.To, fullRest.Entries);
        // A walk from a given entry leaves the checkpoint where the normal calls put it.
        Assert.Equal(6, fullRest.Checkpoint);
        Assert.Equal(HttpStatusCode.BadRequest, tooSmall.StatusCode);
    }

    private static async Task<ChainVerification> VerifyAsync(AnalyticsFactory factory, HttpClient steward, string query)
    {
        await factory.FlushAuditAsync();
        var response = await steward.GetAsync("/api/v1/audit/verify" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadAsync<ChainVerification>();
    }

    private static async Task MoreAnonymousRequestsAsync(AnalyticsFactory factory, int count)
    {
        var anonymous = factory.CreateClient();
        for (var i = 0; i < count; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/cases")).StatusCode);
        await factory.FlushAuditAsync();
    }

    // Unauthenticated requests answer 401, so no stored status is 200 before the test changes one.
    private static async Task<HttpClient> AnonymousRequestsAsync(AnalyticsFactory factory, int count)
    {
        var steward = await factory.ClientForAsync(Roles.Steward);
        var anonymous = factory.CreateClient();
        for (var i = 0; i < count; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/cases")).StatusCode);
        await factory.FlushAuditAsync();
        Assert.Equal(count, await factory.ScalarAsync("SELECT COUNT(*) FROM audit_log"));
        return steward;
    }
}
