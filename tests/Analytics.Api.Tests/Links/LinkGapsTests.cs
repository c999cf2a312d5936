using System.Net;
using System.Text.Json;
using Analytics.Api.Cases;
using Analytics.Api.Links;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.Links;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Analytics.Api.Tests.Links;

/// <summary>What an alert says it matched, how <c>?since=</c> is read, and a withdrawal that lands while a run is under way.</summary>
public sealed class LinkGapsTests : IClassFixture<LinksFactory>
{
    private readonly AnalyticsFactory _factory;
    private readonly ITestOutputHelper _output;

    public LinkGapsTests(LinksFactory factory, ITestOutputHelper output)
    {
        _factory = factory;
        _output = output;
    }

    private Task ComputeAsync() => _factory.Services.GetRequiredService<LinkJobs>().ComputeLinksAsync(CancellationToken.None);

    /// <summary>A link run, with <paramref name="duringRead"/> done after it has read the graph and before it writes.</summary>
    private async Task ComputeWhileAsync(Func<Task> duringRead)
    {
        var store = _factory.Services.GetRequiredService<LinkStore>();
        store.AfterGraphRead = _ => duringRead();
        try
        {
            await ComputeAsync();
        }
        finally
        {
            store.AfterGraphRead = null;
        }
    }

    /// <summary>Corrects a case through the API, which must accept it.</summary>
    private static async Task CorrectAsync(HttpClient client, string caseId, string json)
    {
        using var put = await client.PutAsync($"/api/v1/cases/{caseId}", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
    }

    private static async Task<string> SubmitAsync(HttpClient client, string json)
    {
        var response = await client.SubmitCaseAsync(json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.ReadAsync<Receipt>()).CaseId;
    }

    private async Task<List<LinkAlert>> AlertsAsync(HttpClient client)
    {
        var body = await (await client.GetAsync("/api/v1/links/alerts")).Content.ReadAsStringAsync();
        _output.WriteLine(body);
        return JsonSerializer.Deserialize<LinkAlertPage>(body, new JsonSerializerOptions(JsonSerializerDefaults.Web))!.Items.ToList();
    }

    [Fact]
    public async Task Alerts_NameOnlyTypesSharedWithTheNamedAuthorities_NotOnesSharedWithinTheOwnAuthority()
    {
        var ro = await _factory.ProsecutorAsync("RO", "RO-LINK-T");
        var it = await _factory.ProsecutorAsync("IT", "IT-LINK-T");
        var de = await _factory.ProsecutorAsync("DE", "DE-LINK-T");
        // R1 shares a phone with Italy and an e-mail with R2, another Romanian case; R2 reaches Italy only through R1.
        var r1 = await SubmitAsync(ro, LinkTestData.CaseWithIdentifiers("RO", "RO-LINK-T", "DIICOT/2024/00911",
            ("phone", "+40 721 555 911"), ("email", "t.link.911@example.com")));
        var r2 = await SubmitAsync(ro, LinkTestData.CaseWithIdentifiers("RO", "RO-LINK-T", "DIICOT/2024/00912", ("email", "T.Link.911@example.com")));
        await SubmitAsync(it, LinkTestData.CaseWithIdentifiers("IT", "IT-LINK-T", "DDA-MI/2024/911",
            ("phone", "0040 721 555 911"), ("email", "i.link.911@example.com")));
        await ComputeAsync();

        var first = await AlertsAsync(ro);
        Assert.Equal(["phone"], first.Single(a => a.CaseId == r1).MatchedTypes);
        Assert.Empty(first.Single(a => a.CaseId == r2).MatchedTypes);
        var hit = await (await ro.GetAsync($"/api/v1/links/cases/{r1}")).ReadAsync<CaseLinks>();
        Assert.Equal(["phone"], hit.MatchedTypes);
        var chained = await (await ro.GetAsync($"/api/v1/links/cases/{r2}")).ReadAsync<CaseLinks>();
        Assert.True(chained.Hit);
        Assert.Empty(chained.MatchedTypes);

        // Germany joins through an e-mail of the Italian case: R1 shares nothing with the German case, so its alert about
        // Germany claims no type, though R1 holds an e-mail (shared with R2 only).
        await SubmitAsync(de, LinkTestData.CaseWithIdentifiers("DE", "DE-LINK-T", "STA-B/2024/911", ("email", "I.Link.911@example.com")));
        await ComputeAsync();
        var aboutGermany = (await AlertsAsync(ro)).Single(a => a.CaseId == r1 && a.NewAuthorities.SequenceEqual(["DE-LINK-T"]));
        Assert.Empty(aboutGermany.MatchedTypes);
        var german = Assert.Single(await AlertsAsync(de));
        Assert.Equal(["email"], german.MatchedTypes);
    }

    [Theory]
    [InlineData("2025-03-01T08:30:00")]
    [InlineData("2025-03-01T08:30:00.1234567")]
    [InlineData("2025-03-01")]
    [InlineData("03/01/2025 08:30")]
    [InlineData("yesterday")]
    public async Task Alerts_ReturnsProblemNamingSince_ForAnInstantWithoutOffset(string since)
    {
        var ro = await _factory.ProsecutorAsync("RO", "RO-LINK-Z");

        var response = await ro.GetAsync($"/api/v1/links/alerts?since={Uri.EscapeDataString(since)}");

        var body = await response.Content.ReadAsStringAsync();
        _output.WriteLine(body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("/since", out _), errors.ToString());
        Assert.DoesNotContain(since, body);
    }

    [Theory]
    [InlineData("2026-11-24T09:00:00Z")]
    [InlineData("2026-11-24T10:00:00+01:00")]
    [InlineData("2026-11-24T09:00:00.1234567+00:00")]
    public async Task Alerts_AcceptsSince_WithZOrAnOffset(string since)
    {
        var ro = await _factory.ProsecutorAsync("RO", "RO-LINK-Z");

        var response = await ro.GetAsync($"/api/v1/links/alerts?since={Uri.EscapeDataString(since)}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ACaseWithdrawnWhileARunReads_IsInNoLinkOrAlertTheRunWrites()
    {
        var ro = await _factory.ProsecutorAsync("RO", "RO-LINK-V");
        var it = await _factory.ProsecutorAsync("IT", "IT-LINK-V");
        var de = await _factory.ProsecutorAsync("DE", "DE-LINK-V");
        // The Romanian case alone joins the Italian case (phone) and the German case (e-mail).
        var r = await SubmitAsync(ro, LinkTestData.CaseWithIdentifiers("RO", "RO-LINK-V", "DIICOT/2024/00921",
            ("phone", "+40 721 555 921"), ("email", "v.link.921@example.com")));
        var i = await SubmitAsync(it, LinkTestData.CaseWithIdentifiers("IT", "IT-LINK-V", "DDA-MI/2024/921", ("phone", "0040 721 555 921")));
        var d = await SubmitAsync(de, LinkTestData.CaseWithIdentifiers("DE", "DE-LINK-V", "STA-B/2024/921", ("email", "V.Link.921@example.com")));

        // Withdrawn after the run has read the graph, before it writes: withdrawal waits for the write gate as the run does.
        var store = _factory.Services.GetRequiredService<LinkStore>();
        await ComputeWhileAsync(async () => Assert.Equal(HttpStatusCode.NoContent, (await ro.DeleteAsync($"/api/v1/cases/{r}")).StatusCode));

        var members = await store.GroupMembersAsync(CancellationToken.None);
        Assert.DoesNotContain(members.Values, m => m.Contains(r) || m.Contains(i) || m.Contains(d));
        Assert.False((await (await it.GetAsync($"/api/v1/links/cases/{i}")).ReadAsync<CaseLinks>()).Hit);
        Assert.False((await (await de.GetAsync($"/api/v1/links/cases/{d}")).ReadAsync<CaseLinks>()).Hit);
        Assert.Empty(await AlertsAsync(it));
        Assert.Empty(await AlertsAsync(de));
        Assert.Empty(await AlertsAsync(ro));
    }

    [Fact]
    public async Task ACaseCorrectedWhileARunReads_IsNotLinkedByItsOldTokens_AndIsLinkedByItsNewOnesInTheNextRun()
    {
        var ro = await _factory.ProsecutorAsync("RO", "RO-LINK-K");
        var it = await _factory.ProsecutorAsync("IT", "IT-LINK-K");
        var de = await _factory.ProsecutorAsync("DE", "DE-LINK-K");
        // The Romanian case holds the Italian case's phone until it is corrected to the German case's phone.
        var before = LinkTestData.CaseWithIdentifiers("RO", "RO-LINK-K", "DIICOT/2024/00931", ("phone", "+40 721 555 931"));
        var after = LinkTestData.CaseWithIdentifiers("RO", "RO-LINK-K", "DIICOT/2024/00931", ("phone", "+49 151 2345 9310"));
        var r = await SubmitAsync(ro, before);
        var i = await SubmitAsync(it, LinkTestData.CaseWithIdentifiers("IT", "IT-LINK-K", "DDA-MI/2024/931", ("phone", "0040 721 555 931")));
        var d = await SubmitAsync(de, LinkTestData.CaseWithIdentifiers("DE", "DE-LINK-K", "STA-B/2024/931", ("phone", "+49 151 2345 9310")));

        // Corrected after the run has read the graph (with the old phone), before it writes.
        var store = _factory.Services.GetRequiredService<LinkStore>();
        await ComputeWhileAsync(() => CorrectAsync(ro, r, after));

        Assert.DoesNotContain((await store.GroupMembersAsync(CancellationToken.None)).Values, m => m.Contains(r));
        Assert.False((await (await it.GetAsync($"/api/v1/links/cases/{i}")).ReadAsync<CaseLinks>()).Hit);
        Assert.False((await (await ro.GetAsync($"/api/v1/links/cases/{r}")).ReadAsync<CaseLinks>()).Hit);
        Assert.Empty(await AlertsAsync(it));
        Assert.Empty(await AlertsAsync(ro));

        await ComputeAsync();

        Assert.Contains((await store.GroupMembersAsync(CancellationToken.None)).Values, m => m.Order().SequenceEqual(new[] { r, d }.Order()));
        var hit = await (await ro.GetAsync($"/api/v1/links/cases/{r}")).ReadAsync<CaseLinks>();
        Assert.Equal(["DE"], hit.Jurisdictions.Select(j => j.Jurisdiction));
        Assert.False((await (await it.GetAsync($"/api/v1/links/cases/{i}")).ReadAsync<CaseLinks>()).Hit);
        Assert.Empty(await AlertsAsync(it));
        Assert.Equal(["DE-LINK-K"], Assert.Single(await AlertsAsync(ro)).NewAuthorities);
        Assert.Equal(["RO-LINK-K"], Assert.Single(await AlertsAsync(de)).NewAuthorities);
    }

    [Fact]
    public async Task ACaseCorrectedWhileARunReads_KeepingItsIdentifiers_RaisesNoAlertAgain_OnEitherSide()
    {
        var ro = await _factory.ProsecutorAsync("RO", "RO-LINK-X");
        var it = await _factory.ProsecutorAsync("IT", "IT-LINK-X");
        var r = await SubmitAsync(ro, LinkTestData.CaseWithIdentifiers("RO", "RO-LINK-X", "DIICOT/2024/00961", ("phone", "+40 721 555 961")));
        var i = await SubmitAsync(it, LinkTestData.CaseWithIdentifiers("IT", "IT-LINK-X", "DDA-MI/2024/961", ("phone", "0040 721 555 961")));
        await ComputeAsync();
        Assert.Single(await AlertsAsync(ro));
        Assert.Single(await AlertsAsync(it));
        // A correction of the stage only, made while the next run reads (another case first, or nothing changed before it).
        await SubmitAsync(ro, LinkTestData.CaseWithIdentifiers("RO", "RO-LINK-X", "DIICOT/2024/00962", ("phone", "+40 721 555 962")));
        var corrected = LinkTestData.CaseWithIdentifiers("RO", "RO-LINK-X", "DIICOT/2024/00961", ("phone", "+40 721 555 961"))
            .Replace("\"investigation\"", "\"prosecution\"", StringComparison.Ordinal);
        Assert.Contains("\"prosecution\"", corrected, StringComparison.Ordinal);
        await ComputeWhileAsync(() => CorrectAsync(ro, r, corrected));
        Assert.False((await (await ro.GetAsync($"/api/v1/links/cases/{r}")).ReadAsync<CaseLinks>()).Hit);

        await ComputeAsync();

        // Linked again as before, and neither side is told again about a link it already had.
        Assert.True((await (await ro.GetAsync($"/api/v1/links/cases/{r}")).ReadAsync<CaseLinks>()).Hit);
        Assert.True((await (await it.GetAsync($"/api/v1/links/cases/{i}")).ReadAsync<CaseLinks>()).Hit);
        Assert.Single(await AlertsAsync(ro));
        Assert.Single(await AlertsAsync(it));
    }

    [Fact]
    public async Task ACaseCorrectedWhileARunReads_LosesAHit_OnlyWhenTheCorrectionDropsTheSharedIdentifier()
    {
        var ro = await _factory.ProsecutorAsync("RO", "RO-LINK-Q");
        var it = await _factory.ProsecutorAsync("IT", "IT-LINK-Q");
        string Ro(string email, params (string, string)[] more) => LinkTestData.CaseWithIdentifiers("RO", "RO-LINK-Q", "DIICOT/2024/00971",
            [("email", email), .. more]);
        var r = await SubmitAsync(ro, Ro("q.link.971@example.com", ("phone", "+40 721 555 971")));
        await SubmitAsync(it, LinkTestData.CaseWithIdentifiers("IT", "IT-LINK-Q", "DDA-MI/2024/971", ("phone", "0040 721 555 971")));
        await ComputeAsync();
        var store = _factory.Services.GetRequiredService<LinkStore>();
        var quota = new ProbeQuota(10, TimeSpan.FromDays(30));

        async Task CorrectDuringARunAsync(string json, int filler)
        {
            // Another case first, or the run would be skipped as nothing changed before it read.
            await SubmitAsync(it, LinkTestData.CaseWithIdentifiers("IT", "IT-LINK-Q", $"DDA-MI/2024/98{filler}", ("phone", $"+39 347 555 97{filler}")));
            await ComputeWhileAsync(() => CorrectAsync(ro, r, json));
            Assert.DoesNotContain((await store.GroupMembersAsync(CancellationToken.None)).Values, m => m.Contains(r));
        }

        // The e-mail corrected, the phone kept: the case is out of this run's links, but it lost nothing.
        await CorrectDuringARunAsync(Ro("q.link.972@example.com", ("phone", "+40 721 555 971")), 1);
        Assert.Empty(await store.ProbeStandingsAsync(quota, "RO-LINK-Q", CancellationToken.None));
        await ComputeAsync();
        Assert.True((await (await ro.GetAsync($"/api/v1/links/cases/{r}")).ReadAsync<CaseLinks>()).Hit);

        // The phone corrected away: a hit lost by its own authority's change, counted in the run that left it out.
        await CorrectDuringARunAsync(Ro("q.link.972@example.com"), 2);
        Assert.Equal(1, Assert.Single(await store.ProbeStandingsAsync(quota, "RO-LINK-Q", CancellationToken.None)).LostHits);
    }
}
