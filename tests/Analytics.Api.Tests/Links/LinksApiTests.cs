using System.Net;
using System.Net.Http.Json;
using Analytics.Api.Cases;
using Analytics.Api.Links;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Analytics.Api.Tests.Links;

/// <summary>
/// The service without a job server: the recurring link computation (every minute) and a queued one never run between
/// the computations a test starts itself and reads the outcome of.
/// </summary>
public sealed class LinksFactory : AnalyticsFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Jobs:RunServer", "false");
    }
}

public sealed class LinksApiTests : IClassFixture<LinksFactory>
{
    private readonly AnalyticsFactory _factory;
    private readonly ITestOutputHelper _output;

    public LinksApiTests(LinksFactory factory, ITestOutputHelper output)
    {
        _factory = factory;
        _output = output;
    }

    private Task ComputeAsync() => _factory.Services.GetRequiredService<LinkJobs>().ComputeLinksAsync(CancellationToken.None);

    private static string WithoutTraceId(string problem)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(problem)!.AsObject();
        node.Remove("traceId");
        return node.ToJsonString();
    }

    private static async Task<string> SubmitAsync(HttpClient client, string json)
    {
        var response = await client.SubmitCaseAsync(json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.ReadAsync<Receipt>()).CaseId;
    }

    // A Romanian and an Italian prosecutor (authorities RO-LINK-{tag} and IT-LINK-{tag}), each with one case that carries
    // the phone +40 721 555 {number}, written the Romanian way and as the Italian side gives it.
    private async Task<(HttpClient Ro, HttpClient It, string RoCase, string ItCase)> LinkedPairAsync(string tag, int number, string italianSpelling)
    {
        var ro = await _factory.ProsecutorAsync("RO", $"RO-LINK-{tag}");
        var it = await _factory.ProsecutorAsync("IT", $"IT-LINK-{tag}");
        var roCase = await SubmitAsync(ro, LinkTestData.CaseWithPhone("RO", $"RO-LINK-{tag}", $"DIICOT/2024/00{number}", $"+40 721 555 {number}"));
        var itCase = await SubmitAsync(it, LinkTestData.CaseWithPhone("IT", $"IT-LINK-{tag}", $"DDA-MI/2024/{number}", italianSpelling));
        return (ro, it, roCase, itCase);
    }

    [Fact]
    public async Task Cases_ShowsHitWithTypeAndAuthorities_ForPhoneInTwoNationalFormats()
    {
        var (ro, it, roCase, itCase) = await LinkedPairAsync("A", 101, "0040 721 555 101");
        var roAlone = await SubmitAsync(ro, LinkTestData.CaseWithPhone("RO", "RO-LINK-A", "DIICOT/2024/00102", "+40 721 555 102"));
        await ComputeAsync();

        var response = await ro.GetAsync("/api/v1/links/cases");
        var body = await response.Content.ReadAsStringAsync();
        _output.WriteLine(body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.ReadAsync<CaseLinksPage>();
        var hit = Assert.Single(page.Items);
        Assert.Equal(roCase, hit.CaseId);
        Assert.True(hit.Hit);
        Assert.True(hit.CrossBorder);
        Assert.Equal(["phone"], hit.MatchedTypes); // same names in both records: names never link
        var italy = Assert.Single(hit.Jurisdictions);
        Assert.Equal(("IT", 1, false), (italy.Jurisdiction, italy.Cases, italy.Domestic));
        Assert.Equal(["IT-LINK-A"], italy.Authorities);
        Assert.DoesNotContain(itCase, body);
        Assert.DoesNotContain("phone:", body);
        Assert.DoesNotContain("555 101", body);
        Assert.DoesNotContain("555101", body);

        var one = await ro.GetAsync($"/api/v1/links/cases/{roCase}");
        _output.WriteLine(await one.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.True((await one.ReadAsync<CaseLinks>()).Hit);
        var none = await (await ro.GetAsync($"/api/v1/links/cases/{roAlone}")).ReadAsync<CaseLinks>();
        Assert.False(none.Hit);
        Assert.Empty(none.Jurisdictions);

        var fromItaly = await (await it.GetAsync($"/api/v1/links/cases/{itCase}")).ReadAsync<CaseLinks>();
        Assert.Equal(["RO-LINK-A"], Assert.Single(fromItaly.Jurisdictions).Authorities);
    }

    [Fact]
    public async Task GetCase_Returns404_ForAnotherAuthoritysCaseLikeAMissingOne()
    {
        var (_, it, roCase, _) = await LinkedPairAsync("B", 201, "0040721555201");
        await ComputeAsync();

        var foreign = await it.GetAsync($"/api/v1/links/cases/{roCase}");
        var missing = await it.GetAsync($"/api/v1/links/cases/{Guid.CreateVersion7()}");
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var foreignProblem = await foreign.Content.ReadAsStringAsync();
        Assert.Equal(WithoutTraceId(await missing.Content.ReadAsStringAsync()), WithoutTraceId(foreignProblem));
        Assert.DoesNotContain(roCase, foreignProblem);
    }

    [Fact]
    public async Task Recompute_IsSkipped_WhenNoCaseChanged_AndRunsAfterAnyChange()
    {
        var ro = await _factory.ProsecutorAsync("RO", "RO-LINK-S");
        var it = await _factory.ProsecutorAsync("IT", "IT-LINK-S");
        var jobs = _factory.Services.GetRequiredService<LinkJobs>();
        await SubmitAsync(ro, LinkTestData.CaseWithPhone("RO", "RO-LINK-S", "DIICOT/2024/00601", "+40 721 555 601"));
        var computed = await jobs.ComputeLinksAsync(CancellationToken.None);

        var again = await jobs.ComputeLinksAsync(CancellationToken.None);
        await SubmitAsync(it, LinkTestData.CaseWithPhone("IT", "IT-LINK-S", "DDA-MI/2024/601", "0040 721 555 601"));
        var afterSubmit = await jobs.ComputeLinksAsync(CancellationToken.None);

        Assert.False(computed.Skipped);
        Assert.True(again.Skipped);
        Assert.Equal((computed.Groups, computed.LinkedCases, 0), (again.Groups, again.LinkedCases, again.NewAlerts));
        Assert.False(afterSubmit.Skipped);
        Assert.Equal(computed.Groups + 1, afterSubmit.Groups);
    }

    [Fact]
    public async Task Alerts_ListEachNewHitOnce_AndCanBeMarkedRead()
    {
        var ro = await _factory.ProsecutorAsync("RO", "RO-LINK-C");
        var it = await _factory.ProsecutorAsync("IT", "IT-LINK-C");
        var de = await _factory.ProsecutorAsync("DE", "DE-LINK-C");
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var roCase = await SubmitAsync(ro, LinkTestData.CaseWithPhone("RO", "RO-LINK-C", "DIICOT/2024/00301", "+40 721 555 301"));
        await SubmitAsync(it, LinkTestData.CaseWithPhone("IT", "IT-LINK-C", "DDA-MI/2024/301", "+40721555301"));
        await ComputeAsync();
        await ComputeAsync();

        var url = $"/api/v1/links/alerts?since={Uri.EscapeDataString(since.ToString("O"))}";
        var response = await ro.GetAsync(url);
        _output.WriteLine(await response.Content.ReadAsStringAsync());
        var first = await response.ReadAsync<LinkAlertPage>();
        var alert = Assert.Single(first.Items);
        Assert.Equal((roCase, "IT", "IT-LINK-C", false), (alert.CaseId, Assert.Single(alert.NewJurisdictions), Assert.Single(alert.NewAuthorities), alert.Read));
        Assert.Equal(["phone"], alert.MatchedTypes);

        // A third authority joins the group: one more alert naming only the newcomer.
        await SubmitAsync(de, LinkTestData.CaseWithPhone("DE", "DE-LINK-C", "STA-B/2024/301", "0040 721 555301"));
        await ComputeAsync();
        var second = await (await ro.GetAsync(url)).ReadAsync<LinkAlertPage>();
        Assert.Equal(2, second.Items.Count);
        Assert.Equal(["DE-LINK-C"], second.Items[1].NewAuthorities);

        var marked = await (await ro.PostAsJsonAsync("/api/v1/links/alerts/read", new MarkAlertsRead(second.Items[1].Id))).ReadAsync<AlertsMarked>();
        Assert.Equal(2, marked.Marked);
        Assert.Empty((await (await ro.GetAsync(url + "&unread=true")).ReadAsync<LinkAlertPage>()).Items);
        Assert.Empty((await (await ro.GetAsync("/api/v1/links/alerts?since=2999-01-01T00:00:00Z")).ReadAsync<LinkAlertPage>()).Items);
    }

    [Fact]
    public async Task WithdrawnCase_LeavesEveryLink_AfterRecompute()
    {
        var (ro, it, roCase, itCase) = await LinkedPairAsync("D", 401, "0040721555401");
        await ComputeAsync();
        Assert.True((await (await it.GetAsync($"/api/v1/links/cases/{itCase}")).ReadAsync<CaseLinks>()).Hit);

        Assert.Equal(HttpStatusCode.NoContent, (await ro.DeleteAsync($"/api/v1/cases/{roCase}")).StatusCode);
        await ComputeAsync();

        Assert.False((await (await it.GetAsync($"/api/v1/links/cases/{itCase}")).ReadAsync<CaseLinks>()).Hit);
        Assert.Empty((await (await it.GetAsync("/api/v1/links/cases")).ReadAsync<CaseLinksPage>()).Items);
        Assert.Empty((await (await ro.GetAsync("/api/v1/links/cases")).ReadAsync<CaseLinksPage>()).Items);
        Assert.Empty((await (await ro.GetAsync("/api/v1/links/alerts")).ReadAsync<LinkAlertPage>()).Items);
    }

    [Fact]
    public async Task Alerts_OfTheOtherSide_AreKeptAsEnded_WhenItsCounterpartIsWithdrawn_AndARelinkAlertsAgain()
    {
        var it = await _factory.ProsecutorAsync("IT", "IT-LINK-W");
        var ro = await _factory.ProsecutorAsync("RO", "RO-LINK-W");
        var b = await SubmitAsync(it, LinkTestData.CaseWithIdentifiers("IT", "IT-LINK-W", "DDA-MI/2024/901", ("phone", "+39 347 900 1001")));
        var p = await SubmitAsync(ro, LinkTestData.CaseWithIdentifiers("RO", "RO-LINK-W", "DIICOT/2024/00901", ("phone", "0039 347 900 1001")));
        var b2 = await SubmitAsync(it, LinkTestData.CaseWithIdentifiers("IT", "IT-LINK-W", "DDA-MI/2024/902",
            ("phone", "+39 347 900 1002"), ("email", "w.link.902@example.com")));
        var b3 = await SubmitAsync(it, LinkTestData.CaseWithIdentifiers("IT", "IT-LINK-W", "DDA-MI/2024/903", ("email", "W.Link.902@example.com")));
        var p2Record = LinkTestData.CaseWithIdentifiers("RO", "RO-LINK-W", "DIICOT/2024/00902", ("phone", "0039 347 900 1002"));
        var p2 = await SubmitAsync(ro, p2Record);
        await ComputeAsync();
        var raised = await (await it.GetAsync("/api/v1/links/alerts")).ReadAsync<LinkAlertPage>();
        Assert.Equal(new[] { b, b2, b3 }.Order(), raised.Items.Select(a => a.CaseId).Order());
        Assert.All(raised.Items, a => Assert.False(a.Ended));

        // The Romanian side withdraws both of its cases: the Italian cases are linked to nobody else any more.
        Assert.Equal(HttpStatusCode.NoContent, (await ro.DeleteAsync($"/api/v1/cases/{p}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await ro.DeleteAsync($"/api/v1/cases/{p2}")).StatusCode);
        await ComputeAsync();
        var afterWithdrawal = await (await it.GetAsync("/api/v1/links/alerts")).ReadAsync<LinkAlertPage>();
        _output.WriteLine(System.Text.Json.JsonSerializer.Serialize(afterWithdrawal));
        Assert.Equal(raised.Items.Select(a => a.Id), afterWithdrawal.Items.Select(a => a.Id));
        Assert.All(afterWithdrawal.Items, a => Assert.True(a.Ended, $"alert of {a.CaseId} still current"));
        Assert.False((await (await it.GetAsync($"/api/v1/links/cases/{b2}")).ReadAsync<CaseLinks>()).Hit);
        Assert.Empty((await (await ro.GetAsync("/api/v1/links/alerts")).ReadAsync<LinkAlertPage>()).Items);

        // The Romanian side submits P2 again: B2 and B3 are linked to it anew, and that is news again.
        await SubmitAsync(ro, p2Record);
        await ComputeAsync();
        var relinked = await (await it.GetAsync("/api/v1/links/alerts?unread=true")).ReadAsync<LinkAlertPage>();
        var fresh = relinked.Items.Where(a => !raised.Items.Any(r => r.Id == a.Id)).ToList();
        Assert.Equal(new[] { b2, b3 }.Order(), fresh.Select(a => a.CaseId).Order());
        Assert.All(fresh, a => Assert.Equal(["RO-LINK-W"], a.NewAuthorities));
        Assert.All(fresh, a => Assert.False(a.Ended));
        Assert.True(relinked.Items.Single(a => a.CaseId == b).Ended);
    }

    [Fact]
    public async Task Alerts_AreNumberedWithinTheAuthority_AndPageNewestFirst_WithoutReusingANumber()
    {
        var ro = await _factory.ProsecutorAsync("RO", "RO-LINK-N");
        var it = await _factory.ProsecutorAsync("IT", "IT-LINK-N");
        var roCases = new List<string>();
        // Each run raises an alert for both sides (and the other tests' runs for other authorities): the Romanian numbers
        // must still run 1, 2, 3 with no gap that would count the alerts of others.
        for (var i = 1; i <= 3; i++)
        {
            roCases.Add(await SubmitAsync(ro, LinkTestData.CaseWithPhone("RO", "RO-LINK-N", $"DIICOT/2024/0080{i}", $"+40 721 555 80{i}")));
            await SubmitAsync(it, LinkTestData.CaseWithPhone("IT", "IT-LINK-N", $"DDA-MI/2024/80{i}", $"0040 721 555 80{i}"));
            await ComputeAsync();
        }

        var oldestFirst = await (await ro.GetAsync("/api/v1/links/alerts")).ReadAsync<LinkAlertPage>();
        var newest = await (await ro.GetAsync("/api/v1/links/alerts?order=newest&limit=2")).ReadAsync<LinkAlertPage>();
        var older = await (await ro.GetAsync($"/api/v1/links/alerts?order=newest&limit=2&after={newest.Next}")).ReadAsync<LinkAlertPage>();
        Assert.Equal([1L, 2, 3], oldestFirst.Items.Select(a => a.Id));
        Assert.Equal(roCases, oldestFirst.Items.Select(a => a.CaseId));
        Assert.Equal([3L, 2], newest.Items.Select(a => a.Id));
        Assert.Equal(2, newest.Next);
        Assert.Equal([1L], older.Items.Select(a => a.Id));
        Assert.Null(older.Next);
        Assert.Equal(HttpStatusCode.BadRequest, (await ro.GetAsync("/api/v1/links/alerts?order=random")).StatusCode);

        // The newest alert goes with its withdrawn case; the next alert still gets a new number.
        Assert.Equal(HttpStatusCode.NoContent, (await ro.DeleteAsync($"/api/v1/cases/{roCases[2]}")).StatusCode);
        await ComputeAsync();
        await SubmitAsync(ro, LinkTestData.CaseWithPhone("RO", "RO-LINK-N", "DIICOT/2024/00804", "+40 721 555 804"));
        await SubmitAsync(it, LinkTestData.CaseWithPhone("IT", "IT-LINK-N", "DDA-MI/2024/804", "0040 721 555 804"));
        await ComputeAsync();
        var afterWithdrawal = await (await ro.GetAsync("/api/v1/links/alerts")).ReadAsync<LinkAlertPage>();
        Assert.Equal([1L, 2, 4], afterWithdrawal.Items.Select(a => a.Id));

        var marked = await (await ro.PostAsJsonAsync("/api/v1/links/alerts/read", new MarkAlertsRead(2))).ReadAsync<AlertsMarked>();
        Assert.Equal(2, marked.Marked);
        Assert.Equal([4L], (await (await ro.GetAsync("/api/v1/links/alerts?unread=true")).ReadAsync<LinkAlertPage>()).Items.Select(a => a.Id));
        Assert.Equal([1L, 2, 3], (await (await it.GetAsync("/api/v1/links/alerts")).ReadAsync<LinkAlertPage>()).Items.Select(a => a.Id).Take(3));
    }

    [Fact]
    public async Task Cases_ArePagedWithNext_ForManyHits()
    {
        var ro = await _factory.ProsecutorAsync("RO", "RO-LINK-E");
        var it = await _factory.ProsecutorAsync("IT", "IT-LINK-E");
        for (var i = 0; i < 3; i++)
        {
            await SubmitAsync(ro, LinkTestData.CaseWithPhone("RO", "RO-LINK-E", $"DIICOT/2024/0050{i}", $"+40 721 555 50{i}"));
            await SubmitAsync(it, LinkTestData.CaseWithPhone("IT", "IT-LINK-E", $"DDA-MI/2024/50{i}", $"0040 721 555 50{i}"));
        }
        await ComputeAsync();

        var first = await (await ro.GetAsync("/api/v1/links/cases?limit=2")).ReadAsync<CaseLinksPage>();
        Assert.Equal(2, first.Items.Count);
        Assert.NotNull(first.Next);
        var second = await (await ro.GetAsync($"/api/v1/links/cases?limit=2&after={first.Next}")).ReadAsync<CaseLinksPage>();
        Assert.Single(second.Items);
        Assert.Null(second.Next);
    }

    [Fact]
    public async Task ComputationsStartedTogether_RunOneAfterTheOther_AndRaiseEachAlertOnce()
    {
        var (ro, _, roCase, _) = await LinkedPairAsync("G", 700, "0040 721 555 700");

        // What the recurring job, a steward's run and a direct call can do at once: each must finish, none twice over.
        // The write gate is held while they start, so that any of them that gets past reading the link tables and the
        // alerts already raised waits there with what it read.
        var gate = _factory.Services.GetRequiredService<Analytics.Data.Database.Db>().WriteGate;
        await gate.WaitAsync(CancellationToken.None);
        Task all;
        try
        {
            all = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(ComputeAsync)));
            await Task.Delay(1_000);
        }
        finally
        {
            gate.Release();
        }
        await all;

        var alerts = await (await ro.GetAsync("/api/v1/links/alerts")).ReadAsync<LinkAlertPage>();
        Assert.Single(alerts.Items, a => a.CaseId == roCase);
    }

    [Fact]
    public async Task Alerts_OfARunThatWaitedForTheWriteGate_AreListedSinceAPollMadeWhileItWaited()
    {
        var (ro, _, roCase, _) = await LinkedPairAsync("H", 750, "0040 721 555 750");

        // Ingestion holds the write gate while the run has built its graph: the run waits there with its alerts.
        var gate = _factory.Services.GetRequiredService<Analytics.Data.Database.Db>().WriteGate;
        await gate.WaitAsync(CancellationToken.None);
        Task run;
        DateTimeOffset polled;
        try
        {
            run = Task.Run(ComputeAsync);
            await Task.Delay(1_000);
            polled = DateTimeOffset.UtcNow;
            var meanwhile = await (await ro.GetAsync("/api/v1/links/alerts")).ReadAsync<LinkAlertPage>();
            Assert.DoesNotContain(meanwhile.Items, a => a.CaseId == roCase);
        }
        finally
        {
            gate.Release();
        }
        await run;

        // The next poll asks for what was raised since the last one.
        var since = await (await ro.GetAsync($"/api/v1/links/alerts?since={Uri.EscapeDataString(polled.ToString("O"))}")).ReadAsync<LinkAlertPage>();
        Assert.Single(since.Items, a => a.CaseId == roCase);
    }

    [Fact]
    public async Task GetCase_FindsAnOwnCase_ByItsIdInUpperCase()
    {
        var (ro, _, roCase, _) = await LinkedPairAsync("U", 760, "0040 721 555 760");
        await ComputeAsync();

        var response = await ro.GetAsync($"/api/v1/links/cases/{roCase.ToUpperInvariant()}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var links = await response.ReadAsync<CaseLinks>();
        Assert.Equal(roCase, links.CaseId);
        Assert.True(links.Hit);
    }

    [Fact]
    public async Task Endpoints_AreForbidden_ToTheWrongRoles()
    {
        var prosecutor = await _factory.ProsecutorAsync("RO", "RO-LINK-F");
        var analyst = await _factory.ClientForAsync(Roles.Analyst);
        var steward = await _factory.ClientForAsync(Roles.Steward);
        var anonymous = _factory.CreateClient();

        Assert.Equal(HttpStatusCode.Forbidden, (await prosecutor.GetAsync("/api/v1/links/summary")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await prosecutor.PostAsync("/api/v1/links/recompute", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync("/api/v1/links/cases")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync($"/api/v1/links/cases/{Guid.CreateVersion7()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync("/api/v1/links/alerts")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.PostAsync("/api/v1/links/recompute", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await steward.GetAsync("/api/v1/links/cases")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/links/summary")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await analyst.GetAsync("/api/v1/links/summary")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await steward.GetAsync("/api/v1/links/summary")).StatusCode);
        var queued = await steward.PostAsync("/api/v1/links/recompute", null);
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        Assert.False(string.IsNullOrEmpty((await queued.ReadAsync<LinkRecomputeQueued>()).JobId));
    }
}
