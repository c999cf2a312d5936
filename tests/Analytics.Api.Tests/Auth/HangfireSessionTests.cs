using System.Net;
using System.Net.Http.Headers;
using Analytics.Api.Auth;
using Analytics.Api.Tests.Audit;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;
using Analytics.Data.Sessions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Analytics.Api.Tests.Auth;

/// <summary>
/// The steward's browser session for Hangfire's dashboard: opened with the key header at /api/v1/hangfire-session, held
/// in a cookie that only /hangfire accepts. Clients here do not keep cookies: each test sends the cookie where it means to.
/// </summary>
public sealed class HangfireSessionTests(AnalyticsFactory factory) : IClassFixture<AnalyticsFactory>
{
    private const string SessionPath = "/api/v1/hangfire-session";
    private const string Trigger = "/hangfire/recurring/trigger";

    private HttpClient Bare(string baseAddress = "http://localhost") =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, BaseAddress = new Uri(baseAddress) });

    /// <summary>A steward's key and the cookie (name=value) its session was opened with.</summary>
    private async Task<(HttpClient Steward, string Cookie, HttpResponseMessage Opened)> OpenSessionAsync()
    {
        var steward = await factory.ClientForAsync(Roles.Steward);
        var opened = await steward.PostAsync(SessionPath, null);
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        return (steward, CookieOf(opened), opened);
    }

    private static string SetCookieOf(HttpResponseMessage response) =>
        Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(HangfireSession.CookieName + "=", StringComparison.Ordinal));

    private static string CookieOf(HttpResponseMessage response) => SetCookieOf(response).Split(';')[0];

    private static HttpRequestMessage WithCookie(HttpMethod method, string path, string cookie, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("Cookie", cookie);
        return request;
    }

    private static FormUrlEncodedContent TriggerForm() => new([new("jobs[]", "refresh-aggregates")]);

    [Fact]
    public async Task OpenSession_IsForStewardsOnly_AnalystForbiddenAnonymousUnauthorized()
    {
        var analyst = await factory.ClientForAsync(Roles.Analyst);

        var byAnalyst = await analyst.PostAsync(SessionPath, null);
        var anonymous = await Bare().PostAsync(SessionPath, null);

        Assert.Equal(HttpStatusCode.Forbidden, byAnalyst.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.False(byAnalyst.Headers.Contains("Set-Cookie"));
        Assert.False(anonymous.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task OpenSession_SetsAnHttpOnlyStrictCookieForHangfireOnly_HoldingNeitherKeyNorId()
    {
        var (steward, _, opened) = await OpenSessionAsync();
        var key = steward.DefaultRequestHeaders.GetValues("X-Api-Key").Single();
        var overHttps = await factory.ClientForAsync(Roles.Steward);
        var secure = await Bare("https://localhost").SendAsync(new HttpRequestMessage(HttpMethod.Post, SessionPath)
        {
            Headers = { { "X-Api-Key", overHttps.DefaultRequestHeaders.GetValues("X-Api-Key").Single() } },
        });

        var attributes = SetCookieOf(opened).Split(';', StringSplitOptions.TrimEntries).Skip(1).ToList();
        var view = await opened.ReadAsync<HangfireSessionView>();
        var value = CookieOf(opened)[(HangfireSession.CookieName.Length + 1)..];
        Assert.Contains("httponly", attributes, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", attributes, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("path=/hangfire", attributes, StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", attributes, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("secure", SetCookieOf(secure).Split(';', StringSplitOptions.TrimEntries), StringComparer.OrdinalIgnoreCase);
        var expires = DateTimeOffset.Parse(attributes.Single(a => a.StartsWith("expires=", StringComparison.OrdinalIgnoreCase))["expires=".Length..],
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(29), TimeSpan.FromMinutes(30));
        Assert.Equal("/hangfire", view.Path);
        Assert.InRange(view.ExpiresAt - expires, TimeSpan.FromSeconds(-1), TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(key[(key.IndexOf('.') + 1)..], value, StringComparison.Ordinal);
        Assert.DoesNotContain(steward.KeyId(), value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cookie_OpensHangfire_WhereNoCookieIsUnauthorized()
    {
        var (_, cookie, _) = await OpenSessionAsync();

        var withCookie = await Bare().SendAsync(WithCookie(HttpMethod.Get, "/hangfire", cookie));
        var recurring = await Bare().SendAsync(WithCookie(HttpMethod.Get, "/hangfire/recurring", cookie));
        var without = await Bare().GetAsync("/hangfire");
        var forged = await Bare().SendAsync(WithCookie(HttpMethod.Get, "/hangfire", HangfireSession.CookieName + "=CfDJ8forged"));

        Assert.Equal(HttpStatusCode.OK, withCookie.StatusCode);
        Assert.Contains("Analytics jobs", await withCookie.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, recurring.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
    }

    [Fact]
    public async Task Cookie_DoesNotAuthenticateTheApi()
    {
        var (_, cookie, _) = await OpenSessionAsync();

        foreach (var (method, path) in new[] { (HttpMethod.Get, "/api/v1/me"), (HttpMethod.Get, "/api/v1/schedules"), (HttpMethod.Post, "/api/v1/models/patterns/train"), (HttpMethod.Post, SessionPath) })
        {
            var response = await Bare().SendAsync(WithCookie(method, path, cookie));
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Cookie_StopsWorking_WhenItsKeyIsRevoked()
    {
        var (steward, cookie, _) = await OpenSessionAsync();
        var other = await factory.ClientForAsync(Roles.Steward);
        Assert.Equal(HttpStatusCode.OK, (await Bare().SendAsync(WithCookie(HttpMethod.Get, "/hangfire", cookie))).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await other.DeleteAsync($"/api/v1/keys/{steward.KeyId()}")).StatusCode);
        var after = await Bare().SendAsync(WithCookie(HttpMethod.Get, "/hangfire", cookie));

        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        // The browser is told to drop it.
        Assert.Contains("expires=Thu, 01 Jan 1970", SetCookieOf(after), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Cookie_StopsWorking_AfterSignOut_AndSignOutClearsIt()
    {
        var (steward, cookie, _) = await OpenSessionAsync();
        var (_, otherCookie, _) = await OpenSessionAsync();

        var signedOut = await steward.DeleteAsync(SessionPath);
        var after = await Bare().SendAsync(WithCookie(HttpMethod.Get, "/hangfire", cookie));
        var othersStill = await Bare().SendAsync(WithCookie(HttpMethod.Get, "/hangfire", otherCookie));
        var reopened = await steward.PostAsync(SessionPath, null);
        var afterReopening = await Bare().SendAsync(WithCookie(HttpMethod.Get, "/hangfire", CookieOf(reopened)));

        Assert.Equal(HttpStatusCode.NoContent, signedOut.StatusCode);
        var cleared = SetCookieOf(signedOut);
        Assert.Contains("expires=Thu, 01 Jan 1970", cleared, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/hangfire", cleared, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal(HttpStatusCode.OK, othersStill.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterReopening.StatusCode);
    }

    [Fact]
    public async Task Cookie_IsRefused_WhenItsSessionIsNotRecorded()
    {
        var (steward, _, _) = await OpenSessionAsync();
        var sessions = factory.Services.GetRequiredService<HangfireSessions>();
        // Sealed with the service's own keys, for a real steward key, but never opened through the endpoint (as a cookie
        // from before the database kept sessions, or one whose row was purged, would be).
        var unrecorded = sessions.Seal(new HangfireSessions.Session(HangfireSessions.KeyKind, steward.KeyId(), sessions.Now, "0123456789abcdef0123456789abcdef"),
            sessions.Now.AddMinutes(10));

        var response = await Bare().SendAsync(WithCookie(HttpMethod.Get, "/hangfire", $"{HangfireSession.CookieName}={unrecorded}"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task SessionRows_ArePurged_OnceTheirCookieHasExpired()
    {
        _ = factory.Server;
        var store = factory.Services.GetRequiredService<HangfireSessionStore>();
        var now = DateTimeOffset.UtcNow;
        await store.OpenAsync("expired-purge-test", HangfireSessions.KeyKind, "purge-test", now.AddHours(-2), now.AddHours(-1), CancellationToken.None);
        Assert.False(await store.IsOpenAsync("expired-purge-test", HangfireSessions.KeyKind, "purge-test", now, CancellationToken.None));
        var before = await factory.ScalarAsync("SELECT COUNT(*) FROM hangfire_sessions WHERE id = 'expired-purge-test'");

        await store.EndAllAsync(HangfireSessions.KeyKind, "someone-else", now, CancellationToken.None);

        Assert.Equal(1, before);
        Assert.Equal(0, await factory.ScalarAsync("SELECT COUNT(*) FROM hangfire_sessions WHERE id = 'expired-purge-test'"));
    }

    [Fact]
    public async Task CrossSiteCommand_WithTheCookie_IsRefused_AndAuditedUnderTheKey()
    {
        var (steward, cookie, _) = await OpenSessionAsync();

        var crossSite = WithCookie(HttpMethod.Post, Trigger, cookie, TriggerForm());
        crossSite.Headers.Add("Origin", "https://attacker.example");
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        var sameSiteOtherOrigin = WithCookie(HttpMethod.Post, Trigger, cookie, TriggerForm());
        sameSiteOtherOrigin.Headers.Add("Sec-Fetch-Site", "same-site");
        // An older browser under the service's Referrer-Policy sends "Origin: null" and no Referer: not proof enough.
        var nullOrigin = WithCookie(HttpMethod.Post, Trigger, cookie, TriggerForm());
        nullOrigin.Headers.Add("Origin", "null");
        var foreignOriginOnly = WithCookie(HttpMethod.Post, Trigger, cookie, TriggerForm());
        foreignOriginOnly.Headers.Add("Origin", "https://attacker.example");
        var noProof = WithCookie(HttpMethod.Post, Trigger, cookie, TriggerForm());
        var refused = new[]
        {
            await Bare().SendAsync(crossSite), await Bare().SendAsync(sameSiteOtherOrigin), await Bare().SendAsync(nullOrigin),
            await Bare().SendAsync(foreignOriginOnly), await Bare().SendAsync(noProof),
        };

        var fromItsPage = WithCookie(HttpMethod.Post, Trigger, cookie, TriggerForm());
        fromItsPage.Headers.Add("Sec-Fetch-Site", "same-origin");
        var fromItsOrigin = WithCookie(HttpMethod.Post, Trigger, cookie, TriggerForm());
        fromItsOrigin.Headers.Add("Origin", "http://localhost");
        var accepted = new[] { await Bare().SendAsync(fromItsPage), await Bare().SendAsync(fromItsOrigin) };
        // The header is not sent by a browser on its own: a foreign origin does not matter to it.
        var withHeader = new HttpRequestMessage(HttpMethod.Post, Trigger) { Content = TriggerForm() };
        withHeader.Headers.Add("Origin", "https://attacker.example");
        var byHeader = await steward.SendAsync(withHeader);
        await factory.FlushAuditAsync();

        Assert.All(refused, r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));
        Assert.Contains("Cross-site request refused", await refused[0].Content.ReadAsStringAsync());
        Assert.All(accepted, r => Assert.Equal(HttpStatusCode.NoContent, r.StatusCode));
        Assert.Equal(HttpStatusCode.NoContent, byHeader.StatusCode);
        var entries = (await AuditTests.PageAsync(steward, $"/api/v1/audit?principal={steward.KeyId()}&action=JobDashboard")).Items;
        Assert.Equal([403, 403, 403, 403, 403, 204, 204, 204], entries.Select(e => e.Status));
        Assert.All(entries, e => Assert.Equal("steward", e.Role));
    }

    [Fact]
    public async Task Cookie_IsNotUsed_WhenAKeyHeaderIsSent()
    {
        var (_, cookie, _) = await OpenSessionAsync();
        var analyst = await factory.ClientForAsync(Roles.Analyst);

        var request = WithCookie(HttpMethod.Get, "/hangfire", cookie);
        request.Headers.Add("X-Api-Key", "ak_000000000000.not-a-key");
        var badHeader = await Bare().SendAsync(request);
        var analystsHeader = WithCookie(HttpMethod.Get, "/hangfire", cookie);
        analystsHeader.Headers.Add("X-Api-Key", analyst.DefaultRequestHeaders.GetValues("X-Api-Key").Single());
        var byAnalyst = await Bare().SendAsync(analystsHeader);
        // A proxy's own Basic credentials are not the service's: the cookie still counts.
        var behindBasicProxy = WithCookie(HttpMethod.Get, "/hangfire", cookie);
        behindBasicProxy.Headers.Authorization = new AuthenticationHeaderValue("Basic", "c3Rld2FyZDpwcm94eQ==");
        var throughProxy = await Bare().SendAsync(behindBasicProxy);

        Assert.Equal(HttpStatusCode.Unauthorized, badHeader.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byAnalyst.StatusCode);
        Assert.Equal(HttpStatusCode.OK, throughProxy.StatusCode);
    }
}

/// <summary>
/// Two service instances in one process on one SQLite file and one Data Protection key ring, as two nodes behind one
/// address: a session opened on one is accepted by the other, and a sign-out on either ends it on both.
/// </summary>
public sealed class HangfireSessionNodesTests : IDisposable
{
    private readonly AnalyticsFactory _database = new();
    private readonly WebApplicationFactory<Program> _a;
    private readonly WebApplicationFactory<Program> _b;

    public HangfireSessionNodesTests()
    {
        var keyRing = Path.Combine(_database.DataFolder, "data-protection");
        _a = _database.WithWebHostBuilder(b => b.UseSetting("HangfireSession:KeyRingPath", keyRing).UseSetting("Jobs:RunServer", "false"));
        _b = _database.WithWebHostBuilder(b => b.UseSetting("HangfireSession:KeyRingPath", keyRing).UseSetting("Jobs:RunServer", "false"));
    }

    private static HttpClient Bare(WebApplicationFactory<Program> node) =>
        node.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });

    private static async Task<HttpStatusCode> OpenHangfireAsync(WebApplicationFactory<Program> node, string cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/hangfire");
        request.Headers.Add("Cookie", cookie);
        return (await Bare(node).SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task SignOut_OnOneNode_EndsTheCopiedSessionOnTheOther_AndBothAreAudited()
    {
        var issued = await _a.Services.GetRequiredService<ApiKeyStore>().CreateAsync("steward on two nodes", Roles.Steward, null, null, CancellationToken.None);
        var onA = Bare(_a);
        onA.DefaultRequestHeaders.Add("X-Api-Key", issued.Key);
        var onB = Bare(_b);
        onB.DefaultRequestHeaders.Add("X-Api-Key", issued.Key);
        var opened = await onA.PostAsync("/api/v1/hangfire-session", null);
        var cookie = opened.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        var beforeOnA = await OpenHangfireAsync(_a, cookie);
        var beforeOnB = await OpenHangfireAsync(_b, cookie);

        var signedOut = await onB.DeleteAsync("/api/v1/hangfire-session");
        var afterOnA = await OpenHangfireAsync(_a, cookie);
        var afterOnB = await OpenHangfireAsync(_b, cookie);
        var reopened = await onB.PostAsync("/api/v1/hangfire-session", null);
        var newCookieOnA = await OpenHangfireAsync(_a, reopened.Headers.GetValues("Set-Cookie").Single().Split(';')[0]);

        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (beforeOnA, beforeOnB));
        Assert.Equal(HttpStatusCode.NoContent, signedOut.StatusCode);
        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (afterOnA, afterOnB));
        Assert.Equal(HttpStatusCode.OK, newCookieOnA);
        await _a.Services.GetRequiredService<Analytics.Api.Audit.AuditLog>().FlushAsync();
        await _b.Services.GetRequiredService<Analytics.Api.Audit.AuditLog>().FlushAsync();
        var signIns = (await AuditTests.PageAsync(onA, $"/api/v1/audit?principal={issued.Id}&action=OpenHangfireSession")).Items;
        var signOut = Assert.Single((await AuditTests.PageAsync(onA, $"/api/v1/audit?principal={issued.Id}&action=CloseHangfireSession")).Items);
        Assert.Equal([200, 200], signIns.Select(e => e.Status));
        Assert.Equal(204, signOut.Status);
        Assert.Equal("1", signOut.Parameters.GetProperty("details").GetProperty("sessionsEnded").GetString());
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        _database.Dispose();
    }
}

public sealed class HangfireSessionBearerTests(BearerTokenFactory factory) : IClassFixture<BearerTokenFactory>
{
    [Fact]
    public async Task TokenSession_OpensHangfire_BoundToTheSubject_AndEndsNoLaterThanTheToken()
    {
        var steward = factory.ClientWithToken("steward-5d1e", "steward");
        var analyst = factory.ClientWithToken("analyst-5d1e", "analyst");

        var opened = await steward.PostAsync("/api/v1/hangfire-session", null);
        var byAnalyst = await analyst.PostAsync("/api/v1/hangfire-session", null);
        var cookie = Assert.Single(opened.Headers.GetValues("Set-Cookie"))!.Split(';')[0];
        var bare = factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        var page = new HttpRequestMessage(HttpMethod.Get, "/hangfire");
        page.Headers.Add("Cookie", cookie);
        var command = new HttpRequestMessage(HttpMethod.Post, "/hangfire/recurring/trigger")
        {
            Content = new FormUrlEncodedContent([new("jobs[]", "refresh-aggregates")]),
        };
        command.Headers.Add("Cookie", cookie);
        command.Headers.Add("Sec-Fetch-Site", "same-origin");
        var pageResponse = await bare.SendAsync(page);
        var commandResponse = await bare.SendAsync(command);
        await factory.FlushAuditAsync();
        var keySteward = await factory.ClientForAsync(Roles.Steward);
        var entries = (await AuditTests.PageAsync(keySteward, "/api/v1/audit?principal=steward-5d1e&action=JobDashboard")).Items;

        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byAnalyst.StatusCode);
        Assert.InRange((await opened.ReadAsync<HangfireSessionView>()).ExpiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(8), TimeSpan.FromMinutes(10));
        Assert.Equal(HttpStatusCode.OK, pageResponse.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, commandResponse.StatusCode);
        Assert.Equal(204, Assert.Single(entries).Status);
    }
}
