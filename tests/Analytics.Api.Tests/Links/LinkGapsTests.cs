using System.Net;
using System.Text.Json;
using Analytics.Api.Cases;
using Analytics.Api.Links;
using Analytics.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Analytics.Api.Tests.Links;

/// <summary>What an alert and a hit say a case matched, and how <c>?since=</c> is read.</summary>
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
}
