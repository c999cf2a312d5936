using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Analytics.Api.Auth;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;

namespace Analytics.Api.Tests.Auth;

/// <summary>A request carrying two credentials is refused, never served as one of its callers.</summary>
public sealed class SingleCredentialTests(BearerTokenFactory factory) : IClassFixture<BearerTokenFactory>
{
    private static async Task<HttpResponseMessage> MeAsync(HttpClient client, Action<HttpRequestMessage> headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        headers(request);
        return await client.SendAsync(request);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string mentions)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(SingleCredential.Title, JsonDocument.Parse(body).RootElement.GetProperty("title").GetString());
        Assert.Contains(mentions, body, StringComparison.Ordinal);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task TwoCredentials_AreRefused_WhicheverHeadersCarryThem()
    {
        var ro = await factory.ClientForAsync(Roles.Prosecutor, "RO", "RO-TWO");
        var it = await factory.ClientForAsync(Roles.Prosecutor, "IT", "IT-TWO");
        var roKey = ro.DefaultRequestHeaders.GetValues("X-Api-Key").Single();
        var itKey = it.DefaultRequestHeaders.GetValues("X-Api-Key").Single();
        var steward = factory.ClientWithToken("steward-two", Roles.Steward);
        var client = factory.CreateClient();

        // Each alone is served.
        Assert.Equal(HttpStatusCode.OK, (await MeAsync(client, r => r.Headers.Add("X-Api-Key", roKey))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await MeAsync(client, r => r.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", itKey))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await steward.GetAsync("/api/v1/me")).StatusCode);

        // A key in X-Api-Key and another in Authorization; a key beside a bearer token; two keys; two Authorization headers.
        await AssertRefusedAsync(await MeAsync(client, r =>
        {
            r.Headers.Add("X-Api-Key", roKey);
            r.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", itKey);
        }), "X-Api-Key");
        await AssertRefusedAsync(await MeAsync(client, r =>
        {
            r.Headers.Add("X-Api-Key", roKey);
            r.Headers.Authorization = steward.DefaultRequestHeaders.Authorization;
        }), "bearer token");
        await AssertRefusedAsync(await MeAsync(client, r => r.Headers.TryAddWithoutValidation("X-Api-Key", [roKey, itKey])), "more than one X-Api-Key");
        await AssertRefusedAsync(await MeAsync(client, r => r.Headers.TryAddWithoutValidation("Authorization", [$"ApiKey {itKey}", $"ApiKey {roKey}"])),
            "more than one Authorization");

        // Refused before any endpoint runs, writes included: nothing is stored.
        var write = new HttpRequestMessage(HttpMethod.Post, "/api/v1/cases") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        write.Headers.Add("X-Api-Key", roKey);
        write.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", itKey);
        await AssertRefusedAsync(await client.SendAsync(write), "X-Api-Key");

        // An Authorization that is not the service's (a proxy's Basic) beside a key is not a second credential.
        Assert.Equal(HttpStatusCode.OK, (await MeAsync(client, r =>
        {
            r.Headers.Add("X-Api-Key", roKey);
            r.Headers.Authorization = new AuthenticationHeaderValue("Basic", "cHJveHk6cHJveHk=");
        })).StatusCode);
    }
}
