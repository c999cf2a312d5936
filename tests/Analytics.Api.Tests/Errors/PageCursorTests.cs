using System.Net;
using System.Text.Json;
using Analytics.Api.Cases;
using Analytics.Api.Tests.Infrastructure;

namespace Analytics.Api.Tests.Errors;

/// <summary>A page cursor the server cannot have given out is refused on /after, not read as a page past every item.</summary>
public sealed class PageCursorTests(AnalyticsFactory factory) : IClassFixture<AnalyticsFactory>
{
    [Theory]
    [InlineData("/api/v1/cases?after=garbage")]
    [InlineData("/api/v1/cases?after=0721234567")]
    [InlineData("/api/v1/cases?after=%20")]
    [InlineData("/api/v1/cases?after=zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz")]
    [InlineData("/api/v1/links/cases?after=garbage")]
    [InlineData("/api/v1/links/alerts?after=-1")]
    [InlineData("/api/v1/links/alerts?after=garbage")]
    public async Task AMalformedCursor_IsRefusedOnAfter(string url)
    {
        var prosecutor = await factory.ProsecutorAsync("RO", "RO-CURSOR");

        var response = await prosecutor.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["/after"], JsonDocument.Parse(body).RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task TheCursorsTheServerGivesOut_PageOn_InUpperCaseToo()
    {
        var prosecutor = await factory.ProsecutorAsync("RO", "RO-PAGED");
        for (var i = 1; i <= 3; i++)
            Assert.Equal(HttpStatusCode.Created, (await prosecutor.SubmitCaseAsync(SampleCases.Json(authority: "RO-PAGED", reference: $"PAGED/{i}"))).StatusCode);

        var first = await (await prosecutor.GetAsync("/api/v1/cases?limit=2")).ReadAsync<CaseList>();
        var second = await (await prosecutor.GetAsync($"/api/v1/cases?limit=2&after={first.Next}")).ReadAsync<CaseList>();
        var upper = await (await prosecutor.GetAsync($"/api/v1/cases?limit=2&after={first.Next!.ToUpperInvariant()}")).ReadAsync<CaseList>();

        Assert.Equal(2, first.Items.Count);
        Assert.Single(second.Items);
        Assert.Equal(second.Items.Select(c => c.CaseId), upper.Items.Select(c => c.CaseId));
        Assert.Equal(HttpStatusCode.OK, (await prosecutor.GetAsync($"/api/v1/links/cases?after={first.Next}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await prosecutor.GetAsync("/api/v1/links/alerts?after=0")).StatusCode);
    }
}
