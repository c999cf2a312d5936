using System.Net;
using System.Net.Http.Json;
using Analytics.Api.Learning;
using Analytics.Api.Patterns;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Api.Tests.Patterns;

public sealed class PatternsApiTests : IClassFixture<AnalyticsFactory>
{
    private readonly AnalyticsFactory _factory;

    public PatternsApiTests(AnalyticsFactory factory) => _factory = factory;

    [Fact]
    public async Task List_ReleasesOnlyDisclosureControlledPatterns_ToAnalysts()
    {
        var analyst = await _factory.ClientForAsync(Roles.Analyst);
        Assert.Equal(HttpStatusCode.NotFound, (await analyst.GetAsync("/api/v1/patterns")).StatusCode);

        await _factory.SeedGeneratedAsync(600, seed: 3);
        await _factory.Services.GetRequiredService<LearningJobs>().TrainAsync(ModelNames.Patterns, CancellationToken.None);

        var page = await analyst.GetFromJsonAsync<PatternPage>("/api/v1/patterns?pageSize=100");
        Assert.NotNull(page);
        Assert.True(page.Total >= 4, $"{page.Total} patterns released");
        Assert.All(page.Items, p =>
        {
            Assert.True(p.Size >= page.DisclosureThreshold);
            Assert.All(p.Jurisdictions, j => Assert.True(j.Suppressed ? j.Count is null : j.Count is 0 or >= 10));
            Assert.NotEqual(1, p.Jurisdictions.Count(j => j.Suppressed));
            Assert.False(string.IsNullOrWhiteSpace(p.Label));
            // A share gives away the holders and the rest of the pattern: neither may be a small count.
            Assert.All(p.Attributes, a =>
            {
                var holders = (int)Math.Round(a.Share * p.Size);
                Assert.True(holders >= 10 && (p.Size - holders is 0 or >= 10), $"{a.Feature}: {holders} of {p.Size}");
            });
        });
        // The model holds attributes that rule leaves out (a share just under 1), so the check above is not empty.
        var model = _factory.Services.GetRequiredService<ModelServing>().Patterns.Current!.Model;
        Assert.Contains(model.Patterns.Where(p => p.Profile is { } pr && pr.Size >= 10).SelectMany(p => p.Profile!.Attributes.Select(a => p.Profile.Size - (int)Math.Round(a.ShareInPattern * p.Profile.Size))),
            rest => rest is > 0 and < 10);
        Assert.Contains(page.Items, p => p.Label.Contains("RO→IT", StringComparison.Ordinal));
        var one = await analyst.GetFromJsonAsync<PatternView>($"/api/v1/patterns/{page.Items[0].Id}");
        Assert.Equal(page.Items[0].Label, one!.Label);
    }

    [Fact]
    public async Task List_IsForbidden_ToProsecutors()
    {
        var prosecutor = await _factory.ProsecutorAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await prosecutor.GetAsync("/api/v1/patterns")).StatusCode);
    }
}
