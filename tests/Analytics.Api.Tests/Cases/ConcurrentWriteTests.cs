using System.Net;
using Analytics.Api.Cases;
using Analytics.Api.Tests.Infrastructure;

namespace Analytics.Api.Tests.Cases;

/// <summary>Single-case writes that arrive together share a commit, yet each keeps its own, sequential outcome.</summary>
public sealed class ConcurrentWriteTests : IClassFixture<AnalyticsFactory>
{
    private readonly AnalyticsFactory _factory;

    public ConcurrentWriteTests(AnalyticsFactory factory) => _factory = factory;

    [Fact]
    public async Task ConcurrentSubmissions_EachGetOwnReceipt_AndDuplicatesStoreOnce()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-CONCURRENT");
        // 12 distinct cases, each sent twice at the same time.
        var bodies = Enumerable.Range(0, 12)
            .SelectMany(i => Enumerable.Repeat(SampleCases.Json(authority: "RO-CONCURRENT", reference: $"DIICOT/2024/{i:D5}"), 2))
            .ToList();

        var responses = await Task.WhenAll(bodies.Select(b => client.SubmitCaseAsync(b)));
        var receipts = await Task.WhenAll(responses.Select(r => r.ReadAsync<Receipt>()));

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK));
        Assert.Equal(12, receipts.Count(r => r.Status == "created"));
        Assert.Equal(12, receipts.Count(r => r.Status == "unchanged"));
        var byCase = receipts.GroupBy(r => r.CaseId).ToList();
        Assert.Equal(12, byCase.Count);
        Assert.All(byCase, g => Assert.Equal(2, g.Count()));
    }
}
