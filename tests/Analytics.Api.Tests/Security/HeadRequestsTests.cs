using System.Net;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;

namespace Analytics.Api.Tests.Security;

public sealed class HeadRequestsTests(AnalyticsFactory factory) : IClassFixture<AnalyticsFactory>
{
    private static async Task<HttpResponseMessage> HeadAsync(HttpClient client, string path) =>
        await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

    [Fact]
    public async Task Head_AnswersAsTheGet_WithItsStatusAndHeaders_AndNoBody()
    {
        var prosecutor = await factory.ProsecutorAsync();
        var created = await prosecutor.SubmitCaseAsync(SampleCases.Json(reference: "HEAD-1"));
        var location = created.Headers.Location!.ToString();

        var get = await prosecutor.GetAsync(location);
        var head = await HeadAsync(prosecutor, location);
        var missing = await HeadAsync(prosecutor, "/api/v1/cases/0190f0b0-0000-7000-8000-000000000000");
        var health = await HeadAsync(factory.CreateClient(), "/health/live");
        var page = await HeadAsync(factory.CreateClient(), "/");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (get.StatusCode, head.StatusCode));
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.NotEmpty(await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Empty(await missing.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Empty(await page.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Head_IsAuthorisedAsTheGet_AndAuditedAsHead()
    {
        var analyst = await factory.ClientForAsync(Roles.Analyst);

        var anonymous = await HeadAsync(factory.CreateClient(), "/api/v1/me");
        var wrongRole = await HeadAsync(analyst, "/api/v1/schedules");
        var ok = await HeadAsync(analyst, "/api/v1/me");
        var postOnly = await HeadAsync(await factory.ClientForAsync(Roles.Steward), "/api/v1/links/recompute");
        await factory.FlushAuditAsync();
        var rows = await factory.AuditRowsAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrongRole.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, postOnly.StatusCode);
        Assert.Contains(rows, r => r.Contains(analyst.KeyId()) && r.Contains("HEAD /api/v1/me"));
        Assert.DoesNotContain(rows, r => r.Contains(analyst.KeyId()) && r.Contains("GET /api/v1/me"));
    }
}
