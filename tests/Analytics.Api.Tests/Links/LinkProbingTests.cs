using System.Net;
using Analytics.Api.Cases;
using Analytics.Api.Links;
using Analytics.Api.Tests.Audit;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Analytics.Api.Tests.Links;

/// <summary><see cref="LinksFactory"/> with a probing limit of two lost hits.</summary>
public sealed class ProbingFactory : AnalyticsFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Jobs:RunServer", "false");
        builder.UseSetting("Links:Probing:Limit", "2");
    }
}

public sealed class LinkProbingTests(ProbingFactory factory, ITestOutputHelper output) : IClassFixture<ProbingFactory>
{
    private Task<Analytics.Data.Links.LinkRecomputeResult> ComputeAsync() =>
        factory.Services.GetRequiredService<LinkJobs>().ComputeLinksAsync(CancellationToken.None);

    private static async Task<string> SubmitAsync(HttpClient client, string json)
    {
        var response = await client.SubmitCaseAsync(json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.ReadAsync<Receipt>()).CaseId;
    }

    private static async Task<CaseLinks> HitAsync(HttpClient client, string caseId) =>
        await (await client.GetAsync($"/api/v1/links/cases/{caseId}")).ReadAsync<CaseLinks>();

    private async Task<AuthorityProbing?> StandingAsync(HttpClient steward, string authority)
    {
        var response = await steward.GetAsync("/api/v1/links/probing");
        output.WriteLine(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadAsync<LinkProbing>()).Authorities.SingleOrDefault(a => a.Authority == authority);
    }

    [Fact]
    public async Task HitsLostByTheAuthoritysOwnChanges_AreCounted_AndAtTheLimitItsRecentCasesHitsAreHeldFromItAlone()
    {
        var it = await factory.ProsecutorAsync("IT", "IT-PROBE-T");
        var ro = await factory.ProsecutorAsync("RO", "RO-PROBE-P");
        var steward = await factory.ClientForAsync(Roles.Steward);
        var target = await SubmitAsync(it, LinkTestData.CaseWithIdentifiers("IT", "IT-PROBE-T", "DDA-MI/2024/951", ("phone", "+39 347 555 0951")));
        string Guess(string reference, string phone) => LinkTestData.CaseWithIdentifiers("RO", "RO-PROBE-P", reference, ("phone", phone));

        // A case without a hit taken back is no probe.
        var lone = await SubmitAsync(ro, Guess("DIICOT/2024/00950", "+40 721 555 950"));
        await ComputeAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await ro.DeleteAsync($"/api/v1/cases/{lone}")).StatusCode);
        await ComputeAsync();
        Assert.Null(await StandingAsync(steward, "RO-PROBE-P"));

        // First probe: a guessed phone hits, the case is withdrawn.
        var p1 = await SubmitAsync(ro, Guess("DIICOT/2024/00951", "0039 347 555 0951"));
        await ComputeAsync();
        Assert.True((await HitAsync(ro, p1)).Hit);
        Assert.Equal(HttpStatusCode.NoContent, (await ro.DeleteAsync($"/api/v1/cases/{p1}")).StatusCode);
        Assert.Equal(1, (await ComputeAsync()).LostHits);
        Assert.Equal((1, false), (await StandingAsync(steward, "RO-PROBE-P")) is { } one ? (one.LostHits, one.Held) : default);

        // Second probe: the guess hits, and a correction swaps it for another.
        var p2 = await SubmitAsync(ro, Guess("DIICOT/2024/00952", "+39 347 555 0951"));
        await ComputeAsync();
        Assert.True((await HitAsync(ro, p2)).Hit);
        Assert.Equal(p2, await SubmitAsync(ro, Guess("DIICOT/2024/00952", "+39 347 555 0999")));
        Assert.Equal(1, (await ComputeAsync()).LostHits);
        var held = await StandingAsync(steward, "RO-PROBE-P");
        Assert.NotNull(held);
        Assert.Equal((2, true), (held.LostHits, held.Held));
        Assert.NotNull(held.HeldUntil);

        // Held: a new case that hits is told nothing, exactly like one that does not.
        var p3 = await SubmitAsync(ro, Guess("DIICOT/2024/00953", "+39 347 555 0951"));
        var p4 = await SubmitAsync(ro, Guess("DIICOT/2024/00954", "+40 721 555 954"));
        await ComputeAsync();
        var hit = await HitAsync(ro, p3);
        var none = await HitAsync(ro, p4);
        Assert.Equal((false, true), (hit.Hit, hit.Held));
        Assert.Equal(none with { CaseId = p3 }, hit with { MatchedTypes = none.MatchedTypes, Jurisdictions = none.Jurisdictions });
        Assert.Empty(hit.MatchedTypes);
        Assert.Empty(hit.Jurisdictions);
        var list = await (await ro.GetAsync("/api/v1/links/cases")).ReadAsync<CaseLinksPage>();
        Assert.DoesNotContain(list.Items, c => c.CaseId == p3);
        Assert.NotNull(list.HeldFrom);
        var alerts = await (await ro.GetAsync("/api/v1/links/alerts")).ReadAsync<LinkAlertPage>();
        Assert.DoesNotContain(alerts.Items, a => a.CaseId == p3);
        Assert.NotNull(alerts.HeldFrom);

        // The other side is told as ever.
        var theirs = await HitAsync(it, target);
        Assert.True(theirs.Hit);
        Assert.Equal(["RO-PROBE-P"], Assert.Single(theirs.Jurisdictions).Authorities);
        var theirAlerts = await (await it.GetAsync("/api/v1/links/alerts?unread=true")).ReadAsync<LinkAlertPage>();
        Assert.Null(theirAlerts.HeldFrom);
        Assert.Contains(theirAlerts.Items, a => a.CaseId == target && !a.Ended);
    }

    /// <summary>
    /// Makes the authority lose <paramref name="probes"/> hits by its own withdrawals: each time a guessed phone that the
    /// other authority's case holds is submitted, shown as a hit, and withdrawn.
    /// </summary>
    private async Task ProbeAsync(HttpClient prosecutor, string jurisdiction, string authority, string phone, string referencePrefix, int probes)
    {
        for (var i = 0; i < probes; i++)
        {
            var probe = await SubmitAsync(prosecutor, LinkTestData.CaseWithIdentifiers(jurisdiction, authority, $"{referencePrefix}/{i}", ("phone", phone)));
            await ComputeAsync();
            Assert.True((await HitAsync(prosecutor, probe)).Hit);
            Assert.Equal(HttpStatusCode.NoContent, (await prosecutor.DeleteAsync($"/api/v1/cases/{probe}")).StatusCode);
            Assert.Equal(1, (await ComputeAsync()).LostHits);
        }
    }

    private static Task<HttpResponseMessage> ReleaseAsync(HttpClient client, string authority) =>
        client.PostAsync($"/api/v1/links/probing/{Uri.EscapeDataString(authority)}/release", null);

    [Fact]
    public async Task ReleaseProbing_LiftsTheHoldNow_IsShownAndAudited_AndOnlyLaterLossesCountAgain()
    {
        var it = await factory.ProsecutorAsync("IT", "IT-PROBE-RT");
        var ro = await factory.ProsecutorAsync("RO", "RO-PROBE-R");
        var steward = await factory.ClientForAsync(Roles.Steward);
        await SubmitAsync(it, LinkTestData.CaseWithIdentifiers("IT", "IT-PROBE-RT", "DDA-MI/2024/961", ("phone", "+39 347 555 0961")));
        await ProbeAsync(ro, "RO", "RO-PROBE-R", "0039 347 555 0961", "DIICOT/2024/0096", 2);
        var waiting = await SubmitAsync(ro, LinkTestData.CaseWithIdentifiers("RO", "RO-PROBE-R", "DIICOT/2024/00969", ("phone", "+39 347 555 0961")));
        await ComputeAsync();
        Assert.True((await HitAsync(ro, waiting)).Held);

        var released = await ReleaseAsync(steward, "RO-PROBE-R");
        output.WriteLine(await released.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        var view = await released.ReadAsync<AuthorityProbing>();
        Assert.Equal(("RO-PROBE-R", 0, false, steward.KeyId()), (view.Authority, view.LostHits, view.Held, view.ReleasedBy));
        Assert.Null(view.HeldFrom);
        Assert.NotNull(view.ReleasedAt);
        var listed = await StandingAsync(steward, "RO-PROBE-R");
        Assert.Equal(view, listed);
        // The case that was held is told its hit at once, and the lists are whole again.
        var hit = await HitAsync(ro, waiting);
        Assert.Equal((true, false), (hit.Hit, hit.Held));
        Assert.Null((await (await ro.GetAsync("/api/v1/links/cases")).ReadAsync<CaseLinksPage>()).HeldFrom);
        Assert.Null((await (await ro.GetAsync("/api/v1/links/alerts")).ReadAsync<LinkAlertPage>()).HeldFrom);
        // Who released which authority is in the audit trail.
        await factory.FlushAuditAsync();
        var entry = Assert.Single((await AuditTests.PageAsync(steward, $"/api/v1/audit?principal={steward.KeyId()}&action=ReleaseLinkProbing")).Items);
        Assert.Equal((200, "steward"), (entry.Status, entry.Role));
        Assert.Equal("RO-PROBE-R", entry.Parameters.GetProperty("details").GetProperty("authority").GetString());

        // Two more losses after the release hold it again, from the release on: the case released above keeps its hit.
        await ProbeAsync(ro, "RO", "RO-PROBE-R", "+39 347 555 0961", "DIICOT/2024/0097", 2);
        var again = await StandingAsync(steward, "RO-PROBE-R");
        Assert.NotNull(again);
        Assert.Equal((2, true, view.ReleasedAt), (again.LostHits, again.Held, again.HeldFrom));
        Assert.True((await HitAsync(ro, waiting)).Hit);
    }

    [Fact]
    public async Task ReleaseProbing_OfAnAuthorityNotHeld_IsNotFound_AsAProblem_AndReleasesNothing()
    {
        var it = await factory.ProsecutorAsync("IT", "IT-PROBE-NT");
        var ro = await factory.ProsecutorAsync("RO", "RO-PROBE-N");
        var steward = await factory.ClientForAsync(Roles.Steward);
        await SubmitAsync(it, LinkTestData.CaseWithIdentifiers("IT", "IT-PROBE-NT", "DDA-MI/2024/971", ("phone", "+39 347 555 0971")));
        await ProbeAsync(ro, "RO", "RO-PROBE-N", "+39 347 555 0971", "DIICOT/2024/0098", 1);

        var notHeld = await ReleaseAsync(steward, "RO-PROBE-N");
        var unknown = await ReleaseAsync(steward, "XX-NO-SUCH-AUTHORITY");

        foreach (var response in new[] { notHeld, unknown })
        {
            var body = await response.Content.ReadAsStringAsync();
            output.WriteLine(body);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = System.Text.Json.JsonDocument.Parse(body).RootElement;
            Assert.Equal(("Authority not held", 404), (problem.GetProperty("title").GetString(), problem.GetProperty("status").GetInt32()));
        }
        var standing = await StandingAsync(steward, "RO-PROBE-N");
        Assert.NotNull(standing);
        Assert.Equal((1, false), (standing.LostHits, standing.Held));
        Assert.Null(standing.ReleasedAt);
    }

    [Fact]
    public async Task Probing_IsForStewardsOnly()
    {
        var prosecutor = await factory.ProsecutorAsync("RO", "RO-PROBE-F");
        var analyst = await factory.ClientForAsync(Roles.Analyst);

        Assert.Equal(HttpStatusCode.Forbidden, (await prosecutor.GetAsync("/api/v1/links/probing")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync("/api/v1/links/probing")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ReleaseAsync(prosecutor, "RO-PROBE-F")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ReleaseAsync(analyst, "RO-PROBE-F")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ReleaseAsync(factory.CreateClient(), "RO-PROBE-F")).StatusCode);
    }
}
